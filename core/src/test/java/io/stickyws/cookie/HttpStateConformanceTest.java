package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.stickyws.testing.MiniJson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Runs the IETF httpstate parser corpus (abarth/http-state, read from outside the repository, never
 * copied into it) against a fresh {@link MemoryCookieJar} per case.
 */
class HttpStateConformanceTest {
  private static final Instant DEFAULT_NOW = Instant.parse("2017-08-10T00:00:00Z");
  private static final String PROPERTY = "stickyws.cookieCases";

  /** Cases with status "normal" allowed to fail, each with a one-line reason. Empty on purpose. */
  private static final Map<String, String> EXCLUDED = Map.of();

  @Test
  void everyNormalCasePasses() throws IOException {
    Path file = casesFile();
    if (!Files.isRegularFile(file)) {
      fail("http-state corpus not found at " + file.toAbsolutePath()
          + ": set -D" + PROPERTY + "=/path/to/cases.json or check out shared/ next to the"
          + " repository (shared/conformance/http-state/cases.json)");
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> cases = (List<Map<String, Object>>)
        MiniJson.parse(Files.readString(file, StandardCharsets.UTF_8));
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
    System.out.println("http-state: " + passed + " passed, " + failed + " failed");
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

  private static Path casesFile() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return Paths.get(property);
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve(".mvn"))) {
      dir = dir.getParent();
    }
    Path root = dir != null ? dir : Paths.get("").toAbsolutePath();
    return root.resolve("../shared/conformance/http-state/cases.json").normalize();
  }
}
