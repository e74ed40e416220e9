package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder rules of the jars and of {@link Cookie} not covered elsewhere: one rule per test. */
class CookieJarValidationTest {
  @TempDir Path dir;

  @Test
  void fileJarRejectsANegativeCoalesceDelay() {
    assertThatThrownBy(() -> FileCookieJar.builder(dir.resolve("c.txt")).coalesceDelay(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("coalesceDelay (PT-0.001S) must be >= 0");
  }

  @Test
  void fileJarRejectsAZeroSessionCookieMaxIdle() {
    assertThatThrownBy(() -> FileCookieJar.builder(dir.resolve("c.txt")).sessionCookieMaxIdle(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionCookieMaxIdle (PT0S) must be > 0");
  }

  @Test
  void fileJarRejectsZeroMaxCookiesPerDomain() {
    assertThatThrownBy(() -> FileCookieJar.builder(dir.resolve("c.txt")).maxCookiesPerDomain(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCookiesPerDomain (0) must be >= 1");
  }

  @Test
  void fileJarRejectsZeroMaxCookies() {
    assertThatThrownBy(() -> FileCookieJar.builder(dir.resolve("c.txt")).maxCookies(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCookies (0) must be >= 1");
  }

  @Test
  void fileJarRejectsANullFile() {
    assertThatThrownBy(() -> FileCookieJar.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("file == null");
  }

  @Test
  void cookieRejectsAPathNotStartingWithSlash() {
    assertThatThrownBy(() -> Cookie.builder().name("a").value("b").domain("example.com").path("x")
        .creationTime(Instant.EPOCH).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path (x) must start with /");
  }

  @Test
  void cookieRejectsAMissingDomain() {
    assertThatThrownBy(() -> Cookie.builder().name("a").value("b").path("/").creationTime(Instant.EPOCH).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("domain == null");
  }
}
