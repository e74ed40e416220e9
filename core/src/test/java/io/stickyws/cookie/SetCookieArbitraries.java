package io.stickyws.cookie;

import java.net.URI;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for the property tests of the cookie parser and jars: {@code Set-Cookie} header
 * values following the RFC 6265 grammar (names, values, Domain, Path, Expires in many date shapes,
 * Max-Age, Secure, HttpOnly, SameSite, odd whitespace and case), then mutated (characters inserted,
 * deleted, duplicated, control characters, unicode, lone surrogates, very long runs); and request
 * URIs over ws, wss, http and https on hosts that include public suffixes, IP addresses and
 * subdomains.
 */
final class SetCookieArbitraries {
  private SetCookieArbitraries() {}

  /** Hosts of request URIs: registrable domains, subdomains, public suffixes, IPs, IDN. */
  static final List<String> HOSTS = List.of(
      "example.com", "www.example.com", "a.b.example.com", "EXAMPLE.com", "lb.example.com",
      "example.co.uk", "www.example.co.uk", "co.uk", "uk", "com",
      "github.io", "user.github.io", "other.github.io",
      "evil.com", "www.evil.com", "localhost", "127.0.0.1", "10.0.0.7", "[::1]",
      "xn--bcher-kva.example", "shop.xn--bcher-kva.example", "sub.example.org", "example.org");

  /** Public suffixes among the hosts and domain attributes above, checked independently. */
  static final List<String> KNOWN_PUBLIC_SUFFIXES =
      List.of("com", "uk", "co.uk", "io", "github.io", "org", "example", "localhost");

  private static final List<String> PATHS =
      List.of("", "/", "/ws", "/ws/", "/ws/chat", "/a/b/c", "/api;v=1", "/%7Euser/x", "/WS");

  /** Request URIs: scheme (any case), host from the pool, optional port, path, query. */
  static Arbitrary<URI> uris() {
    Arbitrary<String> scheme = Arbitraries.of("ws", "wss", "http", "https", "WSS", "Ws");
    Arbitrary<String> host = Arbitraries.of(HOSTS);
    Arbitrary<String> port = Arbitraries.of("", "", ":8080", ":443");
    Arbitrary<String> path = Arbitraries.of(PATHS);
    Arbitrary<String> query = Arbitraries.of("", "", "?token=s3cret");
    return Combinators.combine(scheme, host, port, path, query)
        .as((s, h, p, pa, q) -> URI.create(s + "://" + h + p + pa + q));
  }

  /** A cookie name: mostly tokens, sometimes odd (spaces, unicode, quotes, long, empty). */
  static Arbitrary<String> names() {
    Arbitrary<String> token = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
        .withCharRange('0', '9').withChars("!#$%&'*+-.^_`|~").ofMinLength(1).ofMaxLength(12);
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of("SERVERID", "AWSALB", "INGRESSCOOKIE", "lb", "route", "sid",
            "__Host-id", "__Secure-x", "a", "A")),
        Tuple.of(6, token),
        Tuple.of(1, Arbitraries.of("", " ", "na me", "\"q\"", "naïve", "名", "x\u0000y", "\t")),
        Tuple.of(1, Arbitraries.strings().ofMinLength(1).ofMaxLength(20)),
        Tuple.of(1, Arbitraries.strings().withChars('n').ofMinLength(1000).ofMaxLength(4200)));
  }

  /** A cookie value: cookie-octets, quoted, empty, with inner spaces, unicode, near 4096 bytes. */
  static Arbitrary<String> values() {
    Arbitrary<String> octets = Arbitraries.strings().withChars((char) 0x21)
        .withCharRange((char) 0x23, (char) 0x2B).withCharRange((char) 0x2D, (char) 0x3A)
        .withCharRange((char) 0x3C, (char) 0x5B).withCharRange((char) 0x5D, (char) 0x7E)
        .ofMaxLength(40);
    return Arbitraries.frequencyOf(
        Tuple.of(8, octets),
        Tuple.of(2, octets.map(s -> "\"" + s + "\"")),
        Tuple.of(1, Arbitraries.of("", "a b", " padded ", "x=y=z", "a,b", "\"", "é", "😀",
            "\uD800", "v\u007F", "tab\tinside")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(30)),
        Tuple.of(1, Arbitraries.strings().withChars('v').ofMinLength(4000).ofMaxLength(4100)),
        Tuple.of(1, Arbitraries.strings().withChars('é').ofMinLength(2030).ofMaxLength(2060)));
  }

  /** Optional whitespace around tokens: none mostly, sometimes spaces and tabs. */
  private static Arbitrary<String> ows() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just("")),
        Tuple.of(2, Arbitraries.of(" ", "  ", "\t", " \t ")));
  }

  /** An attribute name in random case. */
  private static Arbitrary<String> attrName(String canonical) {
    return Arbitraries.of(canonical, canonical.toLowerCase(java.util.Locale.ROOT),
        canonical.toUpperCase(java.util.Locale.ROOT), randomCase(canonical));
  }

  private static String randomCase(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(i % 2 == 0 ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return sb.toString();
  }

  /** Expires dates in the shapes servers send, valid and broken. */
  static Arbitrary<String> dates() {
    Arbitrary<String> wkday = Arbitraries.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
        "Wednesday", "");
    Arbitrary<Integer> day = Arbitraries.integers().between(0, 32);
    Arbitrary<String> month = Arbitraries.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
        "Sep", "Oct", "Nov", "Dec", "jUN", "December", "Foo");
    Arbitrary<Integer> year = Arbitraries.of(0, 69, 70, 99, 100, 1600, 1601, 1970, 2024, 2038, 9999,
        10000, 99999);
    Arbitrary<String> time = Combinators.combine(Arbitraries.integers().between(0, 25),
            Arbitraries.integers().between(0, 60), Arbitraries.integers().between(0, 60),
            Arbitraries.of(true, false))
        .as((h, m, s, pad) -> pad ? String.format("%02d:%02d:%02d", h, m, s) : h + ":" + m + ":" + s);
    Arbitrary<Integer> shape = Arbitraries.integers().between(0, 7);
    return Combinators.combine(shape, wkday, day, month, year, time)
        .as((sh, w, d, mo, y, t) -> {
          switch (sh) {
            case 0: return w + ", " + d + " " + mo + " " + y + " " + t + " GMT"; // RFC 1123
            case 1: return w + ", " + d + "-" + mo + "-" + y + " " + t + " GMT"; // RFC 850
            case 2: return w + " " + mo + " " + d + " " + t + " " + y; // asctime
            case 3: return y + "-" + mo + "-" + d + "T" + t + "Z"; // ISO-ish, not a cookie-date
            case 4: return t + " " + y + " " + d + " " + mo; // any order
            case 5: return d + "/" + mo + "/" + y; // no time
            case 6: return w + ",," + d + "~" + mo + "@" + y + "[" + t + "]"; // odd delimiters
            default: return String.valueOf(y * 31L + d);
          }
        });
  }

  /** Domain attribute values: the host pool, parents, dots, suffixes, IPs, garbage. */
  private static Arbitrary<String> domainValues() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of(HOSTS)),
        Tuple.of(3, Arbitraries.of(".example.com", "example.com", "EXAMPLE.COM", "example.co.uk",
            ".github.io", "github.io", "user.github.io", "co.uk", ".co.uk", "uk", "com", ".com",
            "evil.com", "0.0.1", "0.1", "127.0.0.1", "example.com.", "..", ".", "xn--",
            "bücher.example", "b.example.com", "ample.com", "org")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(15)));
  }

  /** One attribute, {@code ; Name=Value} with odd whitespace. */
  private static Arbitrary<String> attributes() {
    Arbitrary<String> av = Arbitraries.frequencyOf(
        Tuple.of(3, pair(attrName("Domain"), domainValues())),
        Tuple.of(3, pair(attrName("Path"), Arbitraries.oneOf(Arbitraries.of(PATHS),
            Arbitraries.of("x", "/ws/chat/", "/" + "p".repeat(300))))),
        Tuple.of(3, pair(attrName("Expires"), dates())),
        Tuple.of(3, pair(attrName("Max-Age"), Arbitraries.oneOf(
            Arbitraries.of("0", "-1", "-", "3600", "+5", "00", "1e3", "", "99999999999999999999999",
                "9223372036854775807", "-9223372036854775809"),
            Arbitraries.longs().between(-100_000, 100_000_000).map(String::valueOf)))),
        Tuple.of(2, attrName("Secure")),
        Tuple.of(2, attrName("HttpOnly")),
        Tuple.of(2, pair(attrName("SameSite"), Arbitraries.of("Strict", "Lax", "None", "", "x"))),
        Tuple.of(1, Arbitraries.of("", "Partitioned", "Comment=x", "Version=1", "=", "==")));
    return Combinators.combine(ows(), av, ows()).as((a, b, c) -> ";" + a + b + c);
  }

  private static Arbitrary<String> pair(Arbitrary<String> name, Arbitrary<String> value) {
    return Combinators.combine(name, ows(), ows(), value).as((n, w1, w2, v) -> n + w1 + "=" + w2 + v);
  }

  /** A header following the grammar, before mutation. */
  static Arbitrary<String> wellFormedSetCookies() {
    return Combinators.combine(ows(), names(), ows(), values(), ows(),
            attributes().list().ofMaxSize(7))
        .as((w1, n, w2, v, w3, attrs) -> w1 + n + w2 + "=" + v + w3 + String.join("", attrs));
  }

  /** One mutation: an operation, where in the string (per mille of its length), what to insert. */
  private static Arbitrary<Mutation> mutations() {
    Arbitrary<String> inserted = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.chars().range((char) 0, (char) 0x1F).map(String::valueOf)),
        Tuple.of(3, Arbitraries.of(";", "=", ",", "\"", " ", "\t", "\u007F", "\r\n", ";;", "==")),
        Tuple.of(2, Arbitraries.chars().map(String::valueOf)), // any UTF-16 unit, lone surrogates
        Tuple.of(1, Arbitraries.of("é", "😀", "\uFEFF", "\u0085", "\u2028", "\uFFFD", "\uDC00")),
        Tuple.of(1, Arbitraries.strings().ofMinLength(100).ofMaxLength(5000)));
    return Combinators.combine(Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(0, 1000), inserted)
        .as(Mutation::new);
  }

  /** Set-Cookie header values: well formed, or well formed then mutated 1 to 4 times. */
  static Arbitrary<String> setCookies() {
    Arbitrary<String> mutated = Combinators.combine(wellFormedSetCookies(),
            mutations().list().ofMinSize(1).ofMaxSize(4))
        .as((s, ms) -> {
          String out = s;
          for (Mutation m : ms) {
            out = m.apply(out);
          }
          return out;
        });
    return Arbitraries.frequencyOf(Tuple.of(1, wellFormedSetCookies()), Tuple.of(1, mutated));
  }

  /** Insert, delete, duplicate a stretch, flip case, or truncate. */
  static final class Mutation {
    final int op;
    final int perMille;
    final String text;

    Mutation(int op, int perMille, String text) {
      this.op = op;
      this.perMille = perMille;
      this.text = text;
    }

    String apply(String s) {
      int at = (int) ((long) s.length() * perMille / 1000);
      switch (op) {
        case 0:
          return s.substring(0, at) + text + s.substring(at);
        case 1:
          return at < s.length() ? s.substring(0, at) + s.substring(at + 1) : s;
        case 2: {
          int end = Math.min(s.length(), at + 1 + text.length() % 16);
          return s.substring(0, end) + s.substring(at, end) + s.substring(end);
        }
        case 3:
          return at < s.length()
              ? s.substring(0, at) + flipCase(s.charAt(at)) + s.substring(at + 1)
              : s;
        default:
          return s.substring(0, at);
      }
    }

    private static char flipCase(char c) {
      return Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
    }

    @Override
    public String toString() {
      return "Mutation{op=" + op + ", at=" + perMille + "‰, text=" + text.length() + " chars}";
    }
  }
}
