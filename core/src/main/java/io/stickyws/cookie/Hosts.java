package io.stickyws.cookie;

import java.net.IDN;
import java.net.URI;
import java.util.Locale;

/**
 * Request-URI helpers of RFC 6265 §5.1: canonical host, domain match, default path, path match,
 * and the ws→http / wss→https mapping of RFC 6455 §4.1.
 *
 * <p>Stateless and thread-safe.
 */
final class Hosts {
  private Hosts() {}

  /** The canonical (lower-case, punycode) host of {@code uri}, or {@code null} if it has none. */
  static String canonicalHost(URI uri) {
    String host = uri.getHost();
    if (host == null) {
      // java.net.URI leaves non-ASCII (IDN) hosts in the authority only
      String authority = uri.getAuthority();
      if (authority == null) {
        return null;
      }
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        authority = authority.substring(at + 1);
      }
      if (!authority.startsWith("[")) {
        int colon = authority.lastIndexOf(':');
        if (colon >= 0) {
          authority = authority.substring(0, colon);
        }
      }
      host = authority;
    }
    return canonicalize(host);
  }

  /** Lower-cases {@code host} and converts IDN labels to punycode; {@code null} if impossible. */
  static String canonicalize(String host) {
    if (host.isEmpty()) {
      return null;
    }
    if (host.startsWith("[")) {
      return host.toLowerCase(Locale.ROOT);
    }
    for (int i = 0; i < host.length(); i++) {
      if (host.charAt(i) >= 0x80) {
        try {
          return IDN.toASCII(host, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return host.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code scheme} is https or wss (case-insensitive). */
  static boolean isSecureScheme(String scheme) {
    return "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme);
  }

  /** Whether {@code scheme} is one of http, https, ws, wss. */
  static boolean isHttpScheme(String scheme) {
    return scheme != null
        && ("http".equalsIgnoreCase(scheme) || "ws".equalsIgnoreCase(scheme)
            || isSecureScheme(scheme));
  }

  /** IPv4 dotted quad or an IPv6 literal (bracketed or with a colon). */
  static boolean isIpAddress(String host) {
    if (host.startsWith("[") || host.indexOf(':') >= 0) {
      return true;
    }
    int parts = 0;
    int digits = 0;
    int value = 0;
    for (int i = 0; i <= host.length(); i++) {
      char c = i < host.length() ? host.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || value > 255 || ++parts > 4) {
          return false;
        }
        digits = 0;
        value = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        digits++;
        value = value * 10 + (c - '0');
      } else {
        return false;
      }
    }
    return parts == 4;
  }

  /**
   * RFC 6265 §5.1.3, both arguments canonical. IP addresses (as host or as domain) only match
   * themselves.
   */
  static boolean domainMatch(String host, String domain) {
    if (host.equals(domain)) {
      return true;
    }
    return host.length() > domain.length()
        && host.endsWith(domain)
        && host.charAt(host.length() - domain.length() - 1) == '.'
        && !isIpAddress(host)
        && !isIpAddress(domain);
  }

  /** The request path of {@code uri} as sent on the wire (raw), {@code /} when empty. */
  static String requestPath(URI uri) {
    String path = uri.getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  /** RFC 6265 §5.1.4 default-path. */
  static String defaultPath(URI uri) {
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return "/";
    }
    int last = path.lastIndexOf('/');
    return last == 0 ? "/" : path.substring(0, last);
  }

  /** RFC 6265 §5.1.4 path-match. */
  static boolean pathMatch(String requestPath, String cookiePath) {
    if (requestPath.equals(cookiePath)) {
      return true;
    }
    if (requestPath.startsWith(cookiePath)) {
      return cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/';
    }
    return false;
  }
}
