package io.stickyws.affinity;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads the upstream address out of a value written by Envoy's stateful session extensions, the
 * session persistence of Gateway API implementations (Envoy Gateway, Istio, kgateway...):
 *
 * <ul>
 *   <li>{@code envoy.http.stateful_session.cookie} and {@code .header}, older form: base64 of the
 *       host address, {@code MTI3LjAuMC4xOjgwODA=} for {@code 127.0.0.1:8080};
 *   <li>the cookie's newer form: base64 of a protobuf message holding the address (field 1) and an
 *       expiry on Envoy's own monotonic clock (field 2, only with a cookie TTL);
 *   <li>{@code envoy.http.stateful_session.envelope}: {@code base64(address);UV:base64(original)},
 *       the upstream's own session header with the address put in front.
 * </ul>
 *
 * <p>Envoy writes the cookie value in double quotes; they are ignored. An address is an IPv4
 * literal or a bracketed IPv6 literal followed by a port, which is what Envoy writes for an upstream
 * host; anything else is no Envoy value. The expiry is not compared with any clock here: it is
 * Envoy's monotonic time, not wall-clock time, and Envoy judges it itself.
 *
 * <p>This class has no instances; its methods are thread-safe.
 */
final class EnvoySessionValue {
  /** The balancer name of tokens read by value shape. */
  static final String BALANCER = "Envoy stateful session";
  private static final String UPSTREAM_VALUE = "UV:";

  private EnvoySessionValue() {}

  /**
   * The upstream address a value carries.
   *
   * @param raw a cookie or header value
   * @return the address, for example {@code 10.0.3.7:8080}, or empty when the value does not have
   *     the shape of an Envoy stateful-session value
   */
  static Optional<String> address(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    String value = BuiltInCookies.unquoted(raw.trim());
    if (value.indexOf(';') >= 0) {
      return envelope(value);
    }
    byte[] bytes = base64(value);
    if (bytes == null) {
      return Optional.empty();
    }
    String address = fromProto(bytes);
    if (address == null) {
      address = ascii(bytes);
    }
    return isAddress(address) ? Optional.of(address) : Optional.empty();
  }

  /** {@code base64(address);UV:base64(original)}: the address first, an upstream value part after. */
  private static Optional<String> envelope(String value) {
    String[] parts = value.split(";");
    if (parts.length < 2) {
      return Optional.empty();
    }
    boolean upstreamValue = false;
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i].trim();
      if (part.startsWith(UPSTREAM_VALUE)) {
        byte[] original = base64(part.substring(UPSTREAM_VALUE.length()));
        upstreamValue = original != null && original.length > 0;
        break;
      }
    }
    byte[] address = base64(parts[0].trim());
    if (!upstreamValue || address == null) {
      return Optional.empty();
    }
    String decoded = ascii(address);
    return isAddress(decoded) ? Optional.of(decoded) : Optional.empty();
  }

  /** Standard base64, padding optional; {@code null} for anything else or nothing. */
  private static byte[] base64(String s) {
    if (s.isEmpty()) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/' || c == '=';
      if (!alphabet) {
        return null;
      }
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The address of Envoy's {@code Cookie} protobuf message: field 1 (length-delimited, the address)
   * and optionally field 2 (varint, the expiry), nothing else; {@code null} when the bytes are not
   * exactly that.
   */
  private static String fromProto(byte[] bytes) {
    String address = null;
    int i = 0;
    while (i < bytes.length) {
      int tag = bytes[i++] & 0xff;
      if (tag == 0x0a && address == null) {
        long[] length = varint(bytes, i);
        if (length == null || length[0] > bytes.length - length[1]) {
          return null;
        }
        int start = (int) length[1];
        int end = start + (int) length[0];
        address = ascii(Arrays.copyOfRange(bytes, start, end));
        if (address == null) {
          return null;
        }
        i = end;
      } else if (tag == 0x10) {
        long[] expires = varint(bytes, i);
        if (expires == null) {
          return null;
        }
        i = (int) expires[1];
      } else {
        return null;
      }
    }
    return address;
  }

  /** A protobuf varint at {@code at}: {value, index after it}; {@code null} when cut or too long. */
  private static long[] varint(byte[] bytes, int at) {
    long value = 0;
    for (int shift = 0, i = at; shift < 64 && i < bytes.length; shift += 7, i++) {
      value |= (long) (bytes[i] & 0x7f) << shift;
      if ((bytes[i] & 0x80) == 0) {
        return new long[] {value, i + 1};
      }
    }
    return null;
  }

  /**
   * Printable ASCII as a string, one trailing line feed ignored (Envoy's own documentation encodes
   * its examples with one); {@code null} for anything else.
   */
  private static String ascii(byte[] bytes) {
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\n') {
      bytes = Arrays.copyOf(bytes, length - 1);
    }
    for (byte b : bytes) {
      if (b < 0x21 || b > 0x7e) {
        return null;
      }
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /** {@code a.b.c.d:port} or {@code [v6]:port}, port 1..65535. */
  private static boolean isAddress(String s) {
    if (s == null) {
      return false;
    }
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || !isPort(s.substring(colon + 1))) {
      return false;
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      return isIpv6(host.substring(1, host.length() - 1));
    }
    return isIpv4(host);
  }

  private static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 5 || (s.length() > 1 && s.charAt(0) == '0')) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    int port = Integer.parseInt(s);
    return port >= 1 && port <= 65535;
  }

  private static boolean isIpv4(String s) {
    String[] octets = s.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || (octet.length() > 1 && octet.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < octet.length(); i++) {
        if (octet.charAt(i) < '0' || octet.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv6(String s) {
    if (s.length() < 2 || s.indexOf(':') < 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
          || c == ':' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
