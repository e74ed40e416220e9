package io.stickyws.testing;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Generators for the cookie property tests, over a {@link Gen}: {@code Set-Cookie} header values
 * following the RFC 6265 grammar (names, values, Domain, Path, Expires in many date shapes,
 * Max-Age, Secure, HttpOnly, SameSite, odd whitespace and case), then mutated (characters
 * inserted, deleted, duplicated, control characters, unicode, lone surrogates, very long runs);
 * request URIs over ws, wss, http and https on hosts that include public suffixes, IP addresses
 * and subdomains; and lines of a Netscape {@code cookies.txt} file, valid and mangled. Stateless;
 * thread-safe (each {@link Gen} is not).
 */
public final class CookieGen {
  private CookieGen() {}

  /** Hosts of request URIs: registrable domains, subdomains, public suffixes, IPs, IDN. */
  public static final List<String> HOSTS = List.of(
      "example.com", "www.example.com", "a.b.example.com", "EXAMPLE.com", "lb.example.com",
      "example.co.uk", "www.example.co.uk", "co.uk", "uk", "com",
      "github.io", "user.github.io", "other.github.io",
      "evil.com", "www.evil.com", "localhost", "127.0.0.1", "10.0.0.7", "[::1]",
      "xn--bcher-kva.example", "shop.xn--bcher-kva.example", "sub.example.org", "example.org");

  /** Public suffixes among the hosts and domain attributes above, checked independently. */
  public static final List<String> KNOWN_PUBLIC_SUFFIXES =
      List.of("com", "uk", "co.uk", "io", "github.io", "org", "example", "localhost");

  private static final List<String> PATHS =
      List.of("", "/", "/ws", "/ws/", "/ws/chat", "/a/b/c", "/api;v=1", "/%7Euser/x", "/WS");
  private static final String TOKEN_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
  /** RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. */
  private static final String COOKIE_OCTETS = cookieOctets();

  private static String cookieOctets() {
    StringBuilder sb = new StringBuilder();
    for (char c = 0x21; c <= 0x7E; c++) {
      if (c != '"' && c != ',' && c != ';' && c != '\\') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A request URI: scheme (any case), host from {@link #HOSTS}, optional port, path, query. */
  public static URI uri(Gen g) {
    String scheme = g.oneOf("ws", "wss", "http", "https", "WSS", "Ws");
    String host = g.oneOf(HOSTS);
    String port = g.oneOf("", "", ":8080", ":443");
    String path = g.oneOf(PATHS);
    String query = g.oneOf("", "", "?token=s3cret");
    return URI.create(scheme + "://" + host + port + path + query);
  }

  /** A cookie name: mostly tokens, sometimes odd (spaces, unicode, quotes, long, empty). */
  public static String name(Gen g) {
    switch (g.weighted(6, 6, 1, 1, 1)) {
      case 0:
        return g.oneOf("SERVERID", "AWSALB", "INGRESSCOOKIE", "lb", "route", "sid", "__Host-id",
            "__Secure-x", "a", "A");
      case 1:
        return g.string(TOKEN_CHARS, 1, 12);
      case 2:
        return g.oneOf("", " ", "na me", "\"q\"", "naïve", "名", "x\u0000y", "\t");
      case 3:
        return g.string(1, 20);
      default:
        return g.repeat('n', 1000, 4200);
    }
  }

  /** A cookie value: cookie-octets, quoted, empty, with inner spaces, unicode, near 4096 bytes. */
  public static String value(Gen g) {
    switch (g.weighted(8, 2, 1, 1, 1, 1)) {
      case 0:
        return g.string(COOKIE_OCTETS, 0, 40);
      case 1:
        return "\"" + g.string(COOKIE_OCTETS, 0, 40) + "\"";
      case 2:
        return g.oneOf("", "a b", " padded ", "x=y=z", "a,b", "\"", "é", "😀", "\uD800", "v\u007F",
            "tab\tinside");
      case 3:
        return g.string(0, 30);
      case 4:
        return g.repeat('v', 4000, 4100);
      default:
        return g.repeat('é', 2030, 2060);
    }
  }

  /** Optional whitespace around tokens: none mostly, sometimes spaces and tabs. */
  public static String ows(Gen g) {
    return g.weighted(8, 2) == 0 ? "" : g.oneOf(" ", "  ", "\t", " \t ");
  }

  /** An attribute name in random case. */
  public static String attributeName(Gen g, String canonical) {
    switch (g.between(0, 3)) {
      case 0:
        return canonical;
      case 1:
        return canonical.toLowerCase(Locale.ROOT);
      case 2:
        return canonical.toUpperCase(Locale.ROOT);
      default:
        StringBuilder sb = new StringBuilder(canonical.length());
        for (int i = 0; i < canonical.length(); i++) {
          char c = canonical.charAt(i);
          sb.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return sb.toString();
    }
  }

  /** An Expires date in the shapes servers send, valid and broken. */
  public static String date(Gen g) {
    int shape = g.between(0, 7);
    String w = g.oneOf("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Wednesday", "");
    int d = g.between(0, 32);
    String mo = g.oneOf("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
        "Dec", "jUN", "December", "Foo");
    int y = g.oneOf(0, 69, 70, 99, 100, 1600, 1601, 1970, 2024, 2038, 9999, 10000, 99999);
    int h = g.between(0, 25);
    int m = g.between(0, 60);
    int s = g.between(0, 60);
    String t = g.bool() ? String.format(Locale.ROOT, "%02d:%02d:%02d", h, m, s) : h + ":" + m + ":" + s;
    switch (shape) {
      case 0: return w + ", " + d + " " + mo + " " + y + " " + t + " GMT"; // RFC 1123
      case 1: return w + ", " + d + "-" + mo + "-" + y + " " + t + " GMT"; // RFC 850
      case 2: return w + " " + mo + " " + d + " " + t + " " + y; // asctime
      case 3: return y + "-" + mo + "-" + d + "T" + t + "Z"; // ISO-ish, not a cookie-date
      case 4: return t + " " + y + " " + d + " " + mo; // any order
      case 5: return d + "/" + mo + "/" + y; // no time
      case 6: return w + ",," + d + "~" + mo + "@" + y + "[" + t + "]"; // odd delimiters
      default: return String.valueOf(y * 31L + d);
    }
  }

  /** A Domain attribute value: the host pool, parents, dots, suffixes, IPs, garbage. */
  public static String domain(Gen g) {
    switch (g.weighted(6, 3, 1)) {
      case 0:
        return g.oneOf(HOSTS);
      case 1:
        return g.oneOf(".example.com", "example.com", "EXAMPLE.COM", "example.co.uk", ".github.io",
            "github.io", "user.github.io", "co.uk", ".co.uk", "uk", "com", ".com", "evil.com",
            "0.0.1", "0.1", "127.0.0.1", "example.com.", "..", ".", "xn--", "bücher.example",
            "b.example.com", "ample.com", "org");
      default:
        return g.string(0, 15);
    }
  }

  /** One attribute, {@code ;Name=Value} with odd whitespace around it. */
  public static String attribute(Gen g) {
    String av;
    switch (g.weighted(3, 3, 3, 3, 2, 2, 2, 1)) {
      case 0:
        av = pair(g, "Domain", domain(g));
        break;
      case 1:
        av = pair(g, "Path", g.bool() ? g.oneOf(PATHS) : g.oneOf("x", "/ws/chat/", "/" + "p".repeat(300)));
        break;
      case 2:
        av = pair(g, "Expires", date(g));
        break;
      case 3:
        av = pair(g, "Max-Age", g.bool()
            ? g.oneOf("0", "-1", "-", "3600", "+5", "00", "1e3", "", "99999999999999999999999",
                "9223372036854775807", "-9223372036854775809")
            : String.valueOf(g.between(-100_000L, 100_000_000L)));
        break;
      case 4:
        av = attributeName(g, "Secure");
        break;
      case 5:
        av = attributeName(g, "HttpOnly");
        break;
      case 6:
        av = pair(g, "SameSite", g.oneOf("Strict", "Lax", "None", "", "x"));
        break;
      default:
        av = g.oneOf("", "Partitioned", "Comment=x", "Version=1", "=", "==");
    }
    return ";" + ows(g) + av + ows(g);
  }

  private static String pair(Gen g, String canonical, String value) {
    return attributeName(g, canonical) + ows(g) + "=" + ows(g) + value;
  }

  /** A header following the grammar, before mutation. */
  public static String wellFormedSetCookie(Gen g) {
    StringBuilder sb = new StringBuilder();
    sb.append(ows(g)).append(name(g)).append(ows(g)).append('=').append(value(g)).append(ows(g));
    for (String attribute : g.list(0, 7, () -> attribute(g))) {
      sb.append(attribute);
    }
    return sb.toString();
  }

  /** A {@code Set-Cookie} header value: well formed, or well formed then mutated 1 to 4 times. */
  public static String setCookie(Gen g) {
    String header = wellFormedSetCookie(g);
    if (g.bool()) {
      return header;
    }
    int mutations = g.between(1, 4);
    for (int i = 0; i < mutations; i++) {
      header = mutate(g, header);
    }
    return header;
  }

  /** Insert, delete, duplicate a stretch, flip case, or truncate, at a random place. */
  public static String mutate(Gen g, String s) {
    int op = g.between(0, 4);
    int at = (int) ((long) s.length() * g.between(0, 1000) / 1000);
    String text = inserted(g);
    switch (op) {
      case 0:
        return s.substring(0, at) + text + s.substring(at);
      case 1:
        return at < s.length() ? s.substring(0, at) + s.substring(at + 1) : s;
      case 2: {
        int end = Math.min(s.length(), at + 1 + text.length() % 16);
        return s.substring(0, end) + s.substring(at, end) + s.substring(end);
      }
      case 3: {
        if (at >= s.length()) {
          return s;
        }
        char c = s.charAt(at);
        char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
        return s.substring(0, at) + flipped + s.substring(at + 1);
      }
      default:
        return s.substring(0, at);
    }
  }

  private static String inserted(Gen g) {
    switch (g.weighted(3, 3, 2, 1, 1)) {
      case 0:
        return String.valueOf(g.charIn((char) 0, (char) 0x1F));
      case 1:
        return g.oneOf(";", "=", ",", "\"", " ", "\t", "\u007F", "\r\n", ";;", "==");
      case 2:
        return g.string(1, 1); // any UTF-16 unit, lone surrogates too
      case 3:
        return g.oneOf("é", "😀", "\uFEFF", "\u0085", "\u2028", "\uFFFD", "\uDC00");
      default:
        return g.string(100, 5000);
    }
  }

  /**
   * One line of a Netscape {@code cookies.txt} file: a well-formed cookie line (sometimes
   * {@code #HttpOnly_}), a {@code #stickyws} times comment, a comment or blank line, or one of
   * those mangled (fields missing or extra, bad booleans and expiries, mutated characters).
   */
  public static String fileLine(Gen g) {
    switch (g.weighted(6, 2, 1, 3)) {
      case 0:
        return cookieLine(g);
      case 1:
        return "#stickyws created=" + g.oneOf("2024-06-01T12:00:00Z", "2024-06-01T12:00:00.5Z", "x",
            "") + " last-use=" + g.oneOf("2024-06-02T00:00:00Z", "", "yesterday");
      case 2:
        return g.oneOf("", "# Netscape HTTP Cookie File", "#", "   ", "# comment\twith\ttabs");
      default:
        String line = cookieLine(g);
        int mutations = g.between(1, 3);
        for (int i = 0; i < mutations; i++) {
          line = g.bool() ? mutate(g, line) : mangleFields(g, line);
        }
        return line.replace("\n", "").replace("\r", "");
    }
  }

  private static String cookieLine(Gen g) {
    boolean hostOnly = g.bool();
    String domain = g.oneOf(HOSTS).toLowerCase(Locale.ROOT);
    return (g.weighted(4, 1) == 0 ? "" : "#HttpOnly_") + (hostOnly ? "" : ".") + domain + "\t"
        + (hostOnly ? "FALSE" : "TRUE") + "\t" + g.oneOf("/", "/ws", "/a/b") + "\t"
        + g.oneOf("TRUE", "FALSE") + "\t"
        + g.oneOf("0", "1717243200", "4102444800", String.valueOf(g.between(0L, 99_999_999_999L)))
        + "\t" + g.string(TOKEN_CHARS, 1, 12) + "\t" + g.string(COOKIE_OCTETS, 0, 40);
  }

  private static String mangleFields(Gen g, String line) {
    String[] fields = line.split("\t", -1);
    int i = g.between(0, fields.length - 1);
    switch (g.between(0, 3)) {
      case 0: // drop a field
        return String.join("\t", dropAt(fields, i));
      case 1: // an extra field
        return line + "\t" + g.oneOf("x", "", "TRUE");
      case 2: // a bad boolean or number
        fields[i] = g.oneOf("yes", "true", "-1", "1e9", "", "99999999999999999999");
        return String.join("\t", fields);
      default: // tabs become spaces
        return line.replace('\t', ' ');
    }
  }

  private static String[] dropAt(String[] fields, int i) {
    String[] out = new String[fields.length - 1];
    System.arraycopy(fields, 0, out, 0, i);
    System.arraycopy(fields, i + 1, out, i, fields.length - i - 1);
    return out;
  }
}
