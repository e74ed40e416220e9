package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code __Secure-} and {@code __Host-} name prefixes (RFC 6265bis §4.1.3, storage model
 * steps of §5.7), enforced as browsers do: matched case-insensitively, on cookies parsed from a
 * {@code Set-Cookie}, saved by hand and read from a file.
 */
class CookiePrefixTest {
  private static final Instant NOW = Instant.parse("2024-01-01T00:00:00Z");
  private static final URI WSS = URI.create("wss://app.example.com/ws/chat");
  private static final URI WS = URI.create("ws://app.example.com/ws/chat");

  private static boolean accepted(URI uri, String setCookie) {
    return Cookie.parse(uri, setCookie, NOW).isPresent();
  }

  @Test
  void secureNeedsTheSecureAttributeAndASecureScheme() {
    assertThat(accepted(WSS, "__Secure-id=1; Secure; Path=/")).isTrue();
    assertThat(accepted(WSS, "__Secure-id=1; Path=/")).isFalse();
    assertThat(accepted(WS, "__Secure-id=1; Secure; Path=/")).isFalse();
    assertThat(accepted(WSS, "__SECURE-id=1; Path=/")).as("case-insensitive").isFalse();
    assertThat(accepted(WSS, "__secure-id=1; Secure; Domain=example.com")).isTrue();
  }

  @Test
  void hostNeedsSecureNoDomainAndPathSlash() {
    assertThat(accepted(WSS, "__Host-id=1; Secure; Path=/")).isTrue();
    assertThat(accepted(WSS, "__Host-id=1; Path=/")).isFalse();
    assertThat(accepted(WS, "__Host-id=1; Secure; Path=/")).isFalse();
    assertThat(accepted(WSS, "__Host-id=1; Secure; Path=/; Domain=example.com")).isFalse();
    assertThat(accepted(WSS, "__Host-id=1; Secure; Path=/; Domain=app.example.com")).isFalse();
    assertThat(accepted(WSS, "__Host-id=1; Secure; Path=/ws")).isFalse();
    assertThat(accepted(WSS, "__Host-id=1; Secure")).as("default path /ws").isFalse();
    assertThat(accepted(WSS, "__host-id=1; Secure; Path=/ws")).as("case-insensitive").isFalse();
  }

  @Test
  void otherNamesAreUnaffected() {
    assertThat(accepted(WS, "_Host-id=1")).isTrue();
    assertThat(accepted(WS, "__Hostile=1")).isTrue();
    assertThat(accepted(WS, "x__Host-id=1")).isTrue();
  }

  @Test
  void aHandBuiltCookieBreakingAPrefixRuleIsNotStored() {
    MemoryCookieJar jar = MemoryCookieJar.create();
    Cookie host = Cookie.builder().name("__Host-id").value("1").domain("app.example.com")
        .hostOnly(true).path("/").secure(true).creationTime(NOW).build();
    jar.saveFromResponse(WSS, List.of(
        host,
        host.newBuilder().name("__Host-wide").hostOnly(false).domain("example.com").build(),
        host.newBuilder().name("__Host-insecure").secure(false).build(),
        host.newBuilder().name("__Secure-plain").secure(false).build()));
    jar.saveFromResponse(WS, List.of(host.newBuilder().name("__Secure-fromws").build()));
    assertThat(jar.loadForRequest(WSS)).extracting(Cookie::name).containsExactly("__Host-id");
  }

  @Test
  void aFileLineBreakingAPrefixRuleIsNotLoaded(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, "app.example.com\tFALSE\t/\tTRUE\t0\t__Host-ok\t1\n"
        + ".example.com\tTRUE\t/\tTRUE\t0\t__Host-wide\t1\n"
        + "app.example.com\tFALSE\t/ws\tTRUE\t0\t__Host-path\t1\n"
        + "app.example.com\tFALSE\t/\tFALSE\t0\t__Host-insecure\t1\n"
        + "app.example.com\tFALSE\t/\tFALSE\t0\t__Secure-insecure\t1\n"
        + "app.example.com\tFALSE\t/\tTRUE\t0\t__Secure-ok\t1\n");
    try (FileCookieJar jar = FileCookieJar.open(file)) {
      assertThat(jar.loadForRequest(WSS)).extracting(Cookie::name)
          .containsExactlyInAnyOrder("__Host-ok", "__Secure-ok");
    }
  }
}
