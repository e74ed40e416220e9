package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cookies that did not come from a parser must not smuggle bytes into the Cookie header. */
class CookieHardeningTest {
  private static final URI URI_WS = URI.create("ws://app.example.com/ws");

  private static Cookie.Builder handBuilt(String name, String value) {
    return Cookie.builder().name(name).value(value).domain("app.example.com").hostOnly(true)
        .path("/").creationTime(Instant.now());
  }

  @Test
  void refusesAHandBuiltCookieWithACarriageReturn() {
    MemoryCookieJar jar = MemoryCookieJar.create();
    jar.saveFromResponse(URI_WS, List.of(handBuilt("a", "x\r\nInjected: 1").build()));

    assertThat(jar.loadForRequest(URI_WS)).isEmpty();
  }

  @Test
  void refusesAHandBuiltCookieOverTheSizeLimit() {
    MemoryCookieJar jar = MemoryCookieJar.create();
    jar.saveFromResponse(URI_WS, List.of(handBuilt("big", "v".repeat(4094)).build()));
    jar.saveFromResponse(URI_WS, List.of(handBuilt("ok", "v".repeat(4094)).build()));

    assertThat(jar.loadForRequest(URI_WS)).extracting(Cookie::name).containsExactly("ok");
  }

  @Test
  void skipsAFileLineWhoseValueHoldsAControlCharacter(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, "app.example.com\tFALSE\t/\tFALSE\t0\tbad\tx\u0001y\n"
        + "app.example.com\tFALSE\t/\tFALSE\t0\tgood\tv\n", StandardCharsets.UTF_8);
    try (FileCookieJar jar = FileCookieJar.open(file)) {
      assertThat(jar.loadForRequest(URI_WS)).extracting(Cookie::name).containsExactly("good");
    }
  }
}
