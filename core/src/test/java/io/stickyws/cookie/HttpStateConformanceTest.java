package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.stickyws.testing.MiniJson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * Runs the IETF httpstate parser corpus (abarth/http-state, read from outside the repository, never
 * copied into it; see {@link HttpStateCorpus} for where it is looked for) against a fresh {@link
 * MemoryCookieJar} per case. Without a copy the test is skipped, or fails when {@code CI=true}.
 */
class HttpStateConformanceTest {
  private static final Instant DEFAULT_NOW = Instant.parse("2017-08-10T00:00:00Z");
  private static final String UPSTREAM_ORIGIN = "http://home.example.org:8888";

  /** Cases with status "normal" allowed to fail, each with a one-line reason. Empty on purpose. */
  private static final Map<String, String> EXCLUDED = Map.of();

  @Test
  void everyNormalCasePasses() throws IOException {
    List<Path> places = HttpStateCorpus.places();
    Path file = HttpStateCorpus.find(places).orElse(null);
    if (file == null) {
      try {
        missing(places, "true".equalsIgnoreCase(System.getenv("CI")));
      } catch (TestAbortedException skipped) {
        System.out.println("SKIPPED HttpStateConformanceTest: " + skipped.getMessage());
        throw skipped;
      }
    }
    List<Map<String, Object>> cases = cases(Files.readString(file, StandardCharsets.UTF_8));
    assertThat(cases).isNotEmpty();

    int passed = 0;
    int failed = 0;
    Map<String, int[]> byStatus = new TreeMap<>();
    List<String> normalFailures = new ArrayList<>();
    List<String> otherFailures = new ArrayList<>();
    for (Map<String, Object> c : cases) {
      String name = (String) c.get("name");
      String status = (String) c.get("status");
      String outcome = run(c);
      int[] counts = byStatus.computeIfAbsent(status, s -> new int[2]);
      if (outcome == null) {
        passed++;
        counts[0]++;
      } else {
        failed++;
        counts[1]++;
        String line = name + " [" + status + "]: " + outcome;
        if ("normal".equals(status) && !EXCLUDED.containsKey(name)) {
          normalFailures.add(line);
        } else {
          otherFailures.add(line);
        }
      }
    }
    int[] normal = byStatus.getOrDefault("normal", new int[2]);
    System.out.println("http-state (" + file + "): " + passed + " passed, " + failed + " failed;"
        + " normal: " + normal[0] + " passed, " + normal[1] + " failed");
    for (Map.Entry<String, int[]> e : byStatus.entrySet()) {
      System.err.println("  status " + e.getKey() + ": " + e.getValue()[0] + " passed, "
          + e.getValue()[1] + " failed");
    }
    otherFailures.forEach(f -> System.err.println("  (not required) " + f));
    assertThat(normalFailures).as("normal http-state cases failing").isEmpty();
  }

  /** Runs one case; null when it passes, else what differed. */
  private static String run(Map<String, Object> c) {
    Instant now = c.get("now") instanceof String ? Instant.parse((String) c.get("now")) : DEFAULT_NOW;
    MemoryCookieJar jar = MemoryCookieJar.builder().clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    @SuppressWarnings("unchecked")
    List<String> setCookie = (List<String>) c.get("setCookie");
    try {
      jar.receive(URI.create((String) c.get("setCookieUrl")), setCookie);
      String header = jar.cookieHeader(URI.create((String) c.get("requestUrl")));
      boolean expectHeader = Boolean.TRUE.equals(c.get("expectCookieHeader"));
      String expected = expectHeader ? (String) c.get("expectedCookieHeader") : "";
      if (header.equals(expected)) {
        return null;
      }
      return "expected <" + expected + "> but sent <" + header + ">";
    } catch (RuntimeException e) {
      return "threw " + e;
    }
  }

  /**
   * No copy of the corpus: on CI a failure naming the places, elsewhere a skip with the one line
   * that says how to get it.
   */
  static void missing(List<Path> places, boolean ci) {
    String property = "-D" + HttpStateCorpus.FILE_PROPERTY;
    if (ci) {
      fail("http-state corpus not found (CI=true): looked at "
          + (places.size() == 3 ? "" : property + " (not set), ") + HttpStateCorpus.describe(places)
          + "; run scripts/test to download it, or set " + property + "=FILE");
    }
    Assumptions.abort("http-state corpus not found: run scripts/test once (it downloads it to ~/"
        + HttpStateCorpus.CACHE + ") or set " + property + "=FILE");
  }

  /**
   * The cases of a corpus file, in the shared copy's shape ({@code name}, {@code status}, {@code
   * setCookieUrl}, {@code setCookie}, {@code requestUrl}, {@code expectCookieHeader}, {@code
   * expectedCookieHeader}); entries of the upstream {@code parser.json} ({@code test}, {@code
   * received}, {@code sent}, optional {@code sent-to}) are translated into that shape.
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> cases(String json) {
    List<Map<String, Object>> cases = new ArrayList<>();
    for (Object entry : (List<Object>) MiniJson.parse(json)) {
      Map<String, Object> c = (Map<String, Object>) entry;
      cases.add(c.containsKey("test") ? fromUpstream(c) : c);
    }
    return cases;
  }

  /**
   * One upstream entry: {@code DISABLED_PATH0029} becomes {@code disabled-path0029} with status
   * "disabled" ("optional" likewise, else "normal"); the cookie is set from {@code
   * http://home.example.org:8888/cookie-parser?NAME} and read back at {@code sent-to} (resolved
   * against it) or {@code http://home.example.org:8888/cookie-parser-result?NAME}; the expected
   * header joins the {@code sent} pairs with "; ".
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fromUpstream(Map<String, Object> entry) {
    String name = ((String) entry.get("test")).toLowerCase(Locale.ROOT).replace('_', '-');
    String status = name.startsWith("disabled-") ? "disabled"
        : name.startsWith("optional-") ? "optional" : "normal";
    URI setCookieUrl = URI.create(UPSTREAM_ORIGIN + "/cookie-parser?" + name);
    String sentTo = (String) entry.get("sent-to");
    URI requestUrl = sentTo != null
        ? setCookieUrl.resolve(sentTo)
        : URI.create(UPSTREAM_ORIGIN + "/cookie-parser-result?" + name);
    StringBuilder expected = new StringBuilder();
    for (Object o : (List<Object>) entry.get("sent")) {
      Map<String, Object> pair = (Map<String, Object>) o;
      String cookieName = (String) pair.get("name");
      expected.append(expected.length() == 0 ? "" : "; ")
          .append(cookieName.isEmpty() ? "" : cookieName + "=").append(pair.get("value"));
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("status", status);
    c.put("setCookieUrl", setCookieUrl.toString());
    c.put("setCookie", entry.get("received"));
    c.put("requestUrl", requestUrl.toString());
    c.put("expectCookieHeader", expected.length() > 0);
    c.put("expectedCookieHeader", expected.toString());
    return c;
  }
}
