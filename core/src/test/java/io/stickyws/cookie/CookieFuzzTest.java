package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.MemoryCookieJarTest.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Property-based fuzzing of the {@code Set-Cookie} parser and the in-memory jar with generated and
 * mutated headers (see {@link SetCookieArbitraries}).
 *
 * <p>Reproducible: every property runs with the fixed seed {@link #SEED}. To explore other inputs,
 * change that constant (any long as a string) and run again; a failure report prints the seed and
 * the shrunk sample.
 */
class CookieFuzzTest {
  /** The seed of every property here; change it to explore other inputs. */
  static final String SEED = "20240601";

  static final AtomicLong parserInputs = new AtomicLong();
  static final AtomicLong parserAccepted = new AtomicLong();
  static final AtomicLong jarInputs = new AtomicLong();
  static final AtomicLong jarScenarios = new AtomicLong();
  static final AtomicLong jarStoredSeen = new AtomicLong();
  static final AtomicLong jarLoads = new AtomicLong();

  private static final Instant T0 = Instant.parse("2024-06-01T12:00:00Z");
  private static final PublicSuffixList PSL = PublicSuffixList.defaultList();

  // --- the parser -------------------------------------------------------------------------------

  @Property(tries = 100_000, seed = SEED)
  void parserNeverThrowsAndKeepsTheRfc6265Rules(
      @ForAll("uris") URI uri, @ForAll("setCookies") String header) {
    parserInputs.incrementAndGet();
    Optional<Cookie> parsed = Cookie.parse(uri, header, T0);
    List<Cookie> all = Cookie.parseAll(uri, List.of(header, header), T0);
    Oracle expected = Oracle.of(uri, header);

    if (!expected.nameValueAcceptable()) {
      assertThat(parsed).as("rejected name/value").isEmpty();
    } else if (expected.host != null && !expected.hasDomainAttribute
        && prefixOf(expected.name) == null) {
      assertThat(parsed).as("host-only cookie with a valid name and value").isPresent();
    }
    assertThat(all).hasSize(parsed.isPresent() ? 2 : 0);
    if (parsed.isEmpty()) {
      return;
    }
    parserAccepted.incrementAndGet();
    Cookie c = parsed.get();
    assertThat(c.name()).isEqualTo(expected.name);
    assertThat(c.value()).isEqualTo(expected.value);
    assertThat(nameValueBytes(c)).isLessThanOrEqualTo(Cookie.MAX_NAME_VALUE_BYTES);
    assertThat(c.path()).startsWith("/");
    assertThat(c.secure()).isEqualTo(expected.hasSecureAttribute);
    assertLegitimateFor(c, expected.host);
    boolean secureScheme = uri.getScheme().equalsIgnoreCase("wss")
        || uri.getScheme().equalsIgnoreCase("https");
    if (prefixOf(c.name()) != null) {
      assertThat(c.secure() && secureScheme).as("%s accepted from %s", c, uri).isTrue();
    }
    if ("__host-".equals(prefixOf(c.name()))) {
      assertThat(c.hostOnly() && c.path().equals("/") && !expected.hasDomainAttribute)
          .as("%s accepted from %s", c, uri).isTrue();
    }
    assertThat(Cookie.header(List.of(c)).getBytes(StandardCharsets.UTF_8))
        .isEqualTo((expected.name + "=" + expected.value).getBytes(StandardCharsets.UTF_8));
  }

  // --- the jar ----------------------------------------------------------------------------------

  /** One step of a scenario: a response with Set-Cookie headers, then a request. */
  static final class Step {
    final URI responseUri;
    final URI parsedFor;
    final List<String> headers;
    final List<Cookie> handBuilt;
    final URI requestUri;
    final long advanceSeconds;

    Step(URI responseUri, URI parsedFor, List<String> headers, List<Cookie> handBuilt,
        URI requestUri, long advance) {
      this.responseUri = responseUri;
      this.parsedFor = parsedFor;
      this.headers = headers;
      this.handBuilt = handBuilt;
      this.requestUri = requestUri;
      this.advanceSeconds = advance;
    }

    @Override
    public String toString() {
      return "Step{response=" + responseUri + ", parsedFor=" + parsedFor + ", headers=" + headers
          + ", handBuilt=" + handBuilt + ", request=" + requestUri + ", advance=" + advanceSeconds + "s}";
    }
  }

  @Property(tries = 3_500, seed = SEED)
  void jarKeepsItsInvariantsUnderFuzzedResponses(
      @ForAll("limits") int[] limits, @ForAll("scenarios") List<Step> steps) {
    jarScenarios.incrementAndGet();
    MutableClock clock = new MutableClock(T0);
    MemoryCookieJar jar = MemoryCookieJar.builder().clock(clock)
        .maxCookiesPerDomain(limits[0]).maxCookies(limits[1]).build();
    // the raw value last received for each key from a response allowed to set it
    Map<CookieStore.Key, String> model = new HashMap<>();

    for (Step step : steps) {
      jarInputs.addAndGet(step.headers.size() + step.handBuilt.size() + 1L);
      // parsed for one URI, saved for the response URI: usually the same, sometimes a foreign site
      List<Cookie> cookies = new ArrayList<>();
      String host = Hosts.canonicalHost(step.responseUri);
      for (String header : step.headers) {
        Optional<Cookie> parsed = Cookie.parse(step.parsedFor, header, clock.instant());
        if (parsed.isEmpty()) {
          continue;
        }
        Cookie c = parsed.get();
        cookies.add(c);
        if (legitimateFor(c, host) && prefixAllows(c, step.responseUri)) {
          CookieStore.Key key = CookieStore.Key.of(c);
          if (c.expiredAt(clock.instant())) {
            model.remove(key);
          } else {
            model.put(key, Oracle.of(step.parsedFor, header).value); // the raw value, SP/HT trimmed
          }
        }
      }
      assertThat(Cookie.parseAll(step.parsedFor, step.headers, clock.instant()))
          .isEqualTo(cookies);
      // cookies an adapter or application built itself: the jar checks their domain again
      for (Cookie c : step.handBuilt) {
        Cookie stamped = c.newBuilder().creationTime(clock.instant()).build();
        cookies.add(stamped);
        if (legitimateFor(stamped, host) && prefixAllows(stamped, step.responseUri)) {
          model.put(CookieStore.Key.of(stamped), stamped.value());
        }
      }
      jar.saveFromResponse(step.responseUri, cookies);
      assertStoreInvariants(jar.cookies(), limits, model);

      List<Cookie> stored = jar.cookies();
      List<Cookie> sent = jar.loadForRequest(step.requestUri);
      jarLoads.incrementAndGet();
      assertRequestInvariants(step.requestUri, stored, sent, model);
      jarStoredSeen.addAndGet(stored.size());
      clock.advance(Duration.ofSeconds(step.advanceSeconds));
    }
  }

  @Provide
  Arbitrary<URI> uris() {
    return SetCookieArbitraries.uris();
  }

  @Provide
  Arbitrary<String> setCookies() {
    return SetCookieArbitraries.setCookies();
  }

  @Provide
  Arbitrary<int[]> limits() {
    return Arbitraries.of(new int[] {2, 5}, new int[] {3, 30}, new int[] {50, 3000},
        new int[] {1, 1});
  }

  @Provide
  Arbitrary<List<Step>> scenarios() {
    Arbitrary<URI> uri = SetCookieArbitraries.uris();
    Arbitrary<Cookie> handBuilt = Combinators.combine(
            Arbitraries.of("SERVERID", "AWSALB", "sid", "x"),
            Arbitraries.strings().alpha().numeric().ofMaxLength(10),
            Arbitraries.oneOf(Arbitraries.of(SetCookieArbitraries.HOSTS),
                Arbitraries.of(SetCookieArbitraries.KNOWN_PUBLIC_SUFFIXES)),
            Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of("/", "/ws"))
        .as((name, value, domain, hostOnly, secure, path) -> Cookie.builder().name(name)
            .value(value).domain(Hosts.canonicalize(domain)).hostOnly(hostOnly).secure(secure)
            .path(path).build());
    Arbitrary<Step> step = Combinators.combine(uri, Arbitraries.integers().between(0, 9), uri,
            SetCookieArbitraries.setCookies().list().ofMinSize(1).ofMaxSize(8),
            handBuilt.list().ofMaxSize(2), uri,
            Arbitraries.of(0L, 0L, 1L, 59L, 3600L, 86_400L * 400))
        .as((response, foreign, other, headers, built, request, advance) ->
            new Step(response, foreign == 0 ? other : response, headers, built, request, advance));
    return step.list().ofMinSize(1).ofMaxSize(18);
  }

  @AfterContainer
  static void printFigures() {
    System.out.printf(Locale.ROOT,
        "CookieFuzzTest seed=%s: parser %d inputs (%d accepted); jar %d scenarios, %d inputs"
            + " (Set-Cookie headers + requests), %d requests, %d stored cookies checked%n",
        SEED, parserInputs.get(), parserAccepted.get(), jarScenarios.get(), jarInputs.get(),
        jarLoads.get(), jarStoredSeen.get());
  }

  // --- invariants -------------------------------------------------------------------------------

  private static void assertStoreInvariants(
      List<Cookie> stored, int[] limits, Map<CookieStore.Key, String> model) {
    Set<CookieStore.Key> keys = new HashSet<>();
    Map<String, Integer> perDomain = new HashMap<>();
    for (Cookie c : stored) {
      CookieStore.Key key = CookieStore.Key.of(c);
      assertThat(keys.add(key)).as("two cookies with the key %s", key).isTrue();
      perDomain.merge(c.domain(), 1, Integer::sum);
      assertThat(nameValueBytes(c)).isLessThanOrEqualTo(Cookie.MAX_NAME_VALUE_BYTES);
      assertThat(model).as("%s was stored though no response allowed to set it did", key)
          .containsKey(key);
      assertThat(c.value()).as("value of %s", key).isEqualTo(model.get(key));
      if (!c.hostOnly()) {
        assertThat(isPublicSuffix(c.domain())).as("domain cookie for public suffix %s", key)
            .isFalse();
      }
    }
    assertThat(stored.size()).isLessThanOrEqualTo(limits[1]);
    assertThat(perDomain.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limits[0]));
  }

  private static void assertRequestInvariants(
      URI uri, List<Cookie> stored, List<Cookie> sent, Map<CookieStore.Key, String> model) {
    boolean secureScheme = uri.getScheme().equalsIgnoreCase("wss")
        || uri.getScheme().equalsIgnoreCase("https");
    Set<CookieStore.Key> sentKeys = new HashSet<>();
    StringBuilder expectedHeader = new StringBuilder();
    for (Cookie c : sent) {
      if (!secureScheme) {
        assertThat(c.secure()).as("Secure cookie %s sent over %s", c.name(), uri.getScheme())
            .isFalse();
      }
      assertThat(independentlyMatches(c, uri)).as("%s sent to %s", c, uri).isTrue();
      sentKeys.add(CookieStore.Key.of(c));
      if (expectedHeader.length() > 0) {
        expectedHeader.append("; ");
      }
      expectedHeader.append(c.name()).append('=').append(model.get(CookieStore.Key.of(c)));
    }
    for (Cookie c : stored) {
      if (independentlyMatches(c, uri)) {
        assertThat(sentKeys).as("stored %s not sent to %s", c, uri)
            .contains(CookieStore.Key.of(c));
      }
    }
    // every value goes back exactly as the server sent it
    assertThat(Cookie.header(sent).getBytes(StandardCharsets.UTF_8))
        .isEqualTo(expectedHeader.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** RFC 6265 §5.4 matching written out again, with ws = http and wss = https. */
  private static boolean independentlyMatches(Cookie c, URI uri) {
    String host = Hosts.canonicalHost(uri);
    if (host == null) {
      return false;
    }
    boolean domainOk = c.hostOnly()
        ? host.equals(c.domain())
        : host.equals(c.domain())
            || (host.endsWith("." + c.domain()) && !looksLikeIp(host));
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    boolean pathOk = path.equals(c.path())
        || (path.startsWith(c.path())
            && (c.path().endsWith("/") || path.charAt(c.path().length()) == '/'));
    boolean schemeOk = !c.secure() || uri.getScheme().equalsIgnoreCase("wss")
        || uri.getScheme().equalsIgnoreCase("https");
    return domainOk && pathOk && schemeOk;
  }

  /** Whether a response from {@code host} may set {@code c} (RFC 6265 §5.3 steps 5-6). */
  private static boolean legitimateFor(Cookie c, String host) {
    if (host == null) {
      return false;
    }
    if (c.hostOnly()) {
      return host.equals(c.domain());
    }
    boolean matches = host.equals(c.domain())
        || (host.endsWith("." + c.domain()) && !looksLikeIp(host) && !looksLikeIp(c.domain()));
    return matches && !isPublicSuffix(c.domain());
  }

  /**
   * The RFC 6265bis name prefix of {@code name} in lower case ({@code __secure-} or
   * {@code __host-}), matched ASCII-case-insensitively as browsers do, or null.
   */
  private static String prefixOf(String name) {
    for (String prefix : List.of("__secure-", "__host-")) {
      if (name.length() >= prefix.length()) {
        boolean same = true;
        for (int i = 0; i < prefix.length() && same; i++) {
          char ch = name.charAt(i);
          same = (ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch) == prefix.charAt(i);
        }
        if (same) {
          return prefix;
        }
      }
    }
    return null;
  }

  /** Whether a response to {@code uri} may set {@code c} by the RFC 6265bis prefix rules. */
  private static boolean prefixAllows(Cookie c, URI uri) {
    String prefix = prefixOf(c.name());
    boolean secureScheme = uri.getScheme().equalsIgnoreCase("wss")
        || uri.getScheme().equalsIgnoreCase("https");
    if (prefix == null) {
      return true;
    }
    boolean secureOk = c.secure() && secureScheme;
    return prefix.equals("__secure-") ? secureOk
        : secureOk && c.hostOnly() && c.path().equals("/");
  }

  private static void assertLegitimateFor(Cookie c, String host) {
    assertThat(legitimateFor(c, host)).as("%s accepted from %s", c, host).isTrue();
  }

  private static boolean isPublicSuffix(String domain) {
    return SetCookieArbitraries.KNOWN_PUBLIC_SUFFIXES.contains(domain)
        || PSL.isPublicSuffix(domain);
  }

  private static boolean looksLikeIp(String host) {
    return host.startsWith("[") || host.contains(":") || host.matches("[0-9.]+");
  }

  private static int nameValueBytes(Cookie c) {
    return c.name().getBytes(StandardCharsets.UTF_8).length
        + c.value().getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * What RFC 6265 §5.2 says about a header, computed without the parser: the name and value
   * (before the first {@code ;}, split at the first {@code =}, SP/HTAB trimmed), and which
   * attributes appear.
   */
  static final class Oracle {
    String host;
    String name;
    String value;
    boolean hasDomainAttribute;
    boolean hasSecureAttribute;

    static Oracle of(URI uri, String header) {
      Oracle o = new Oracle();
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      o.host = List.of("ws", "wss", "http", "https").contains(scheme)
          ? Hosts.canonicalHost(uri) : null;
      String[] parts = header.split(";", -1);
      int eq = parts[0].indexOf('=');
      if (eq >= 0) {
        o.name = trim(parts[0].substring(0, eq));
        o.value = trim(parts[0].substring(eq + 1));
      }
      for (int i = 1; i < parts.length; i++) {
        String attr = parts[i];
        int aeq = attr.indexOf('=');
        String attrName = trim(aeq < 0 ? attr : attr.substring(0, aeq)).toLowerCase(Locale.ROOT);
        if (attrName.equals("domain")) {
          o.hasDomainAttribute = true;
        } else if (attrName.equals("secure")) {
          o.hasSecureAttribute = true;
        }
      }
      return o;
    }

    boolean nameValueAcceptable() {
      if (name == null || name.isEmpty()) {
        return false;
      }
      for (String s : new ArrayList<>(List.of(name, value))) {
        for (int i = 0; i < s.length(); i++) {
          char ch = s.charAt(i);
          if ((ch < 0x20 && ch != '\t') || ch == 0x7F) {
            return false;
          }
        }
      }
      return name.getBytes(StandardCharsets.UTF_8).length
          + value.getBytes(StandardCharsets.UTF_8).length <= Cookie.MAX_NAME_VALUE_BYTES;
    }

    private static String trim(String s) {
      int start = 0;
      int end = s.length();
      while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
        start++;
      }
      while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
        end--;
      }
      return s.substring(start, end);
    }
  }
}
