package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.MemoryCookieJarTest.MutableClock;
import io.stickyws.testing.CookieGen;
import io.stickyws.testing.Gen;
import io.stickyws.testing.Property;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Property-based fuzzing of the {@code Set-Cookie} parser, the in-memory jar and the cookie file
 * reader with generated and mutated input (see {@link CookieGen}), in plain JUnit 5 ({@link
 * Property}).
 *
 * <p>Reproducible: every property starts from the seed {@link #SEED}; {@code -Dstickyws.seed=N}
 * replaces it (any long) to explore other inputs, or to replay a failure: a failure prints the
 * seed of the failing try and the failing input minimized (characters, headers and steps dropped
 * while it still fails).
 */
class CookieFuzzTest {
  /** The seed of every property here, unless -Dstickyws.seed is given. */
  static final long SEED = 20240601L;

  static final AtomicLong parserInputs = new AtomicLong();
  static final AtomicLong parserAccepted = new AtomicLong();
  static final AtomicLong jarInputs = new AtomicLong();
  static final AtomicLong jarScenarios = new AtomicLong();
  static final AtomicLong jarStoredSeen = new AtomicLong();
  static final AtomicLong jarLoads = new AtomicLong();
  static final AtomicLong fileLines = new AtomicLong();
  static final AtomicLong fileCookies = new AtomicLong();

  private static final Instant T0 = Instant.parse("2024-06-01T12:00:00Z");
  private static final PublicSuffixList PSL = PublicSuffixList.defaultList();

  // --- the parser -------------------------------------------------------------------------------

  /** One parser input: the URI of the response and one {@code Set-Cookie} value. */
  record ParserInput(URI uri, String header) {
    @Override
    public String toString() {
      return "uri=" + uri + ", header=" + Property.quote(header);
    }
  }

  @Test
  void parserNeverThrowsAndKeepsTheRfc6265Rules() {
    Property.forAll("parserNeverThrowsAndKeepsTheRfc6265Rules", SEED, 100_000,
        g -> new ParserInput(CookieGen.uri(g), CookieGen.setCookie(g)),
        in -> Property.dropCharacters(in.header()).map(h -> new ParserInput(in.uri(), h)),
        in -> checkParser(in.uri(), in.header()));
  }

  private static void checkParser(URI uri, String header) {
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
  record Step(URI responseUri, URI parsedFor, List<String> headers, List<Cookie> handBuilt,
      URI requestUri, long advanceSeconds) {
    Step withHeaders(List<String> newHeaders) {
      return new Step(responseUri, parsedFor, newHeaders, handBuilt, requestUri, advanceSeconds);
    }

    Step withHandBuilt(List<Cookie> newHandBuilt) {
      return new Step(responseUri, parsedFor, headers, newHandBuilt, requestUri, advanceSeconds);
    }

    @Override
    public String toString() {
      return "Step{response=" + responseUri + ", parsedFor=" + parsedFor + ", headers="
          + Property.describe(headers) + ", handBuilt=" + handBuilt + ", request=" + requestUri
          + ", advance=" + advanceSeconds + "s}";
    }
  }

  /** A jar with per-domain and total limits, and the steps it goes through. */
  record Scenario(int maxPerDomain, int maxTotal, List<Step> steps) {
    Scenario withSteps(List<Step> newSteps) {
      return new Scenario(maxPerDomain, maxTotal, newSteps);
    }
  }

  @Test
  void jarKeepsItsInvariantsUnderFuzzedResponses() {
    Property.forAll("jarKeepsItsInvariantsUnderFuzzedResponses", SEED, 3_500,
        CookieFuzzTest::scenario, CookieFuzzTest::smallerScenarios, CookieFuzzTest::checkJar);
  }

  private static Scenario scenario(Gen g) {
    int[] limits = g.oneOf(new int[] {2, 5}, new int[] {3, 30}, new int[] {50, 3000},
        new int[] {1, 1});
    List<Step> steps = g.list(1, 18, () -> {
      URI response = CookieGen.uri(g);
      boolean foreign = g.between(0, 9) == 0;
      URI other = CookieGen.uri(g);
      List<String> headers = g.list(1, 8, () -> CookieGen.setCookie(g));
      List<Cookie> built = g.list(0, 2, () -> handBuiltCookie(g));
      URI request = CookieGen.uri(g);
      long advance = g.oneOf(0L, 0L, 1L, 59L, 3600L, 86_400L * 400);
      return new Step(response, foreign ? other : response, headers, built, request, advance);
    });
    return new Scenario(limits[0], limits[1], steps);
  }

  /** A cookie an adapter or application built itself, with any domain. */
  private static Cookie handBuiltCookie(Gen g) {
    String domain = g.bool() ? g.oneOf(CookieGen.HOSTS) : g.oneOf(CookieGen.KNOWN_PUBLIC_SUFFIXES);
    return Cookie.builder().name(g.oneOf("SERVERID", "AWSALB", "sid", "x"))
        .value(g.string("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 0, 10))
        .domain(Hosts.canonicalize(domain)).hostOnly(g.bool()).secure(g.bool())
        .path(g.oneOf("/", "/ws")).build();
  }

  /** Steps dropped, then headers and hand-built cookies dropped, then headers' characters. */
  private static Stream<Scenario> smallerScenarios(Scenario s) {
    Stream<Scenario> fewerSteps = s.steps().size() > 1
        ? Property.dropElements(s.steps()).map(s::withSteps) : Stream.empty();
    Stream<Scenario> smallerSteps = Property.shrinkElements(s.steps(), step -> Stream.concat(
            Stream.concat(
                Property.dropElements(step.headers()).map(step::withHeaders),
                Property.dropElements(step.handBuilt()).map(step::withHandBuilt)),
            Property.shrinkElements(step.headers(), Property::dropCharacters)
                .map(step::withHeaders)))
        .map(s::withSteps);
    return Stream.concat(fewerSteps, smallerSteps);
  }

  private static void checkJar(Scenario scenario) {
    jarScenarios.incrementAndGet();
    int[] limits = {scenario.maxPerDomain(), scenario.maxTotal()};
    MutableClock clock = new MutableClock(T0);
    MemoryCookieJar jar = MemoryCookieJar.builder().clock(clock)
        .maxCookiesPerDomain(limits[0]).maxCookies(limits[1]).build();
    // the raw value last received for each key from a response allowed to set it
    Map<CookieStore.Key, String> model = new HashMap<>();

    for (Step step : scenario.steps()) {
      jarInputs.addAndGet(step.headers().size() + step.handBuilt().size() + 1L);
      // parsed for one URI, saved for the response URI: usually the same, sometimes a foreign site
      List<Cookie> cookies = new ArrayList<>();
      String host = Hosts.canonicalHost(step.responseUri());
      for (String header : step.headers()) {
        Optional<Cookie> parsed = Cookie.parse(step.parsedFor(), header, clock.instant());
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
            model.put(key, Oracle.of(step.parsedFor(), header).value); // the raw value, SP/HT trimmed
          }
        }
      }
      assertThat(Cookie.parseAll(step.parsedFor(), step.headers(), clock.instant()))
          .isEqualTo(cookies);
      // cookies an adapter or application built itself: the jar checks their domain again
      for (Cookie c : step.handBuilt()) {
        Cookie stamped = c.newBuilder().creationTime(clock.instant()).build();
        cookies.add(stamped);
        if (legitimateFor(stamped, host) && prefixAllows(stamped, step.responseUri)) {
          model.put(CookieStore.Key.of(stamped), stamped.value());
        }
      }
      jar.saveFromResponse(step.responseUri(), cookies);
      assertStoreInvariants(jar.cookies(), limits, model);

      List<Cookie> stored = jar.cookies();
      List<Cookie> sent = jar.loadForRequest(step.requestUri());
      jarLoads.incrementAndGet();
      assertRequestInvariants(step.requestUri(), stored, sent, model);
      jarStoredSeen.addAndGet(stored.size());
      clock.advance(Duration.ofSeconds(step.advanceSeconds()));
    }
  }

  // --- the cookie file --------------------------------------------------------------------------

  @Test
  void cookieFileReadingNeverThrowsAndWritesBackWhatItRead() {
    Property.forAll("cookieFileReadingNeverThrowsAndWritesBackWhatItRead", SEED, 5_000,
        g -> g.list(0, 30, () -> CookieGen.fileLine(g)),
        lines -> Stream.concat(Property.dropElements(lines),
            Property.shrinkElements(lines, Property::dropCharacters)),
        CookieFuzzTest::checkFile);
  }

  private static void checkFile(List<String> lines) {
    fileLines.addAndGet(lines.size());
    byte[] bytes = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    NetscapeCookieFile.ReadResult read = NetscapeCookieFile.parse(bytes, bytes.length, T0, c -> null);
    fileCookies.addAndGet(read.cookies.size());
    assertThat(read.cookies.size() + read.skipped).isLessThanOrEqualTo(lines.size());
    assertThat(read.examples).hasSize(Math.min(read.skipped, 3));
    for (String problem : read.examples) {
      assertThat(problem).matches("line [0-9]+: .*");
      int line = Integer.parseInt(problem.substring(5, problem.indexOf(':')));
      assertThat(line).isBetween(1, lines.size());
      String raw = lines.get(line - 1);
      String lastField = raw.substring(raw.lastIndexOf('\t') + 1);
      if (raw.contains("\t") && lastField.length() >= 8) {
        assertThat(problem).as("problem message holds the line's value").doesNotContain(lastField);
      }
    }
    byte[] written = NetscapeCookieFile.format(read.cookies);
    NetscapeCookieFile.ReadResult again =
        NetscapeCookieFile.parse(written, written.length, T0, c -> null);
    assertThat(again.skipped).isZero();
    assertThat(again.cookies).isEqualTo(read.cookies);
  }

  @AfterAll
  static void printFigures() {
    System.out.printf(Locale.ROOT,
        "CookieFuzzTest seed=%d: parser %d inputs (%d accepted); jar %d scenarios, %d inputs"
            + " (Set-Cookie headers + requests), %d requests, %d stored cookies checked;"
            + " cookie file %d lines (%d cookies read)%n",
        Property.baseSeed(SEED), parserInputs.get(), parserAccepted.get(), jarScenarios.get(),
        jarInputs.get(), jarLoads.get(), jarStoredSeen.get(), fileLines.get(), fileCookies.get());
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
    return CookieGen.KNOWN_PUBLIC_SUFFIXES.contains(domain)
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
