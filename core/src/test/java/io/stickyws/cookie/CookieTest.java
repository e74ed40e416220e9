package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CookieTest {
  private static final Instant NOW = Instant.parse("2024-01-01T00:00:00Z");
  private static final URI WSS = URI.create("wss://api.Example.com:8443/chat/socket?token=x");

  private static Optional<Cookie> parse(URI uri, String header) {
    return Cookie.parse(uri, header, NOW);
  }

  @Test
  void parsesNameValueAndAttributes() {
    Cookie c = parse(WSS, " SERVERID = backend1 ; Path=/chat; Secure; HttpOnly; SameSite=Lax;"
        + " Max-Age=60; Domain=.EXAMPLE.com").orElseThrow();
    assertThat(c.name()).isEqualTo("SERVERID");
    assertThat(c.value()).isEqualTo("backend1");
    assertThat(c.domain()).isEqualTo("example.com");
    assertThat(c.hostOnly()).isFalse();
    assertThat(c.path()).isEqualTo("/chat");
    assertThat(c.secure()).isTrue();
    assertThat(c.httpOnly()).isTrue();
    assertThat(c.sameSite()).contains("Lax");
    assertThat(c.expiresAt()).contains(NOW.plusSeconds(60));
    assertThat(c.creationTime()).isEqualTo(NOW);
  }

  @Test
  void keepsValuesByteForByte() {
    Cookie c = parse(WSS, "q=\"a b\"%20=x").orElseThrow();
    assertThat(c.value()).isEqualTo("\"a b\"%20=x");
    assertThat(Cookie.header(List.of(c))).isEqualTo("q=\"a b\"%20=x");
  }

  @Test
  void ignoresHeadersWithoutNameOrEquals() {
    assertThat(parse(WSS, "novalue")).isEmpty();
    assertThat(parse(WSS, "=value")).isEmpty();
    assertThat(parse(WSS, "  =value; Path=/")).isEmpty();
    assertThat(parse(WSS, "a=b\u0001c")).isEmpty();
  }

  @Test
  void withoutDomainIsHostOnlyWithDefaultPath() {
    Cookie c = parse(WSS, "a=b").orElseThrow();
    assertThat(c.hostOnly()).isTrue();
    assertThat(c.domain()).isEqualTo("api.example.com");
    assertThat(c.path()).isEqualTo("/chat");
    assertThat(c.persistent()).isFalse();
    assertThat(c.expiredAt(NOW.plusSeconds(1_000_000_000))).isFalse();
  }

  @Test
  void maxAgeWinsOverExpiresWhateverTheOrder() {
    Cookie c = parse(WSS, "a=b; Max-Age=10; Expires=Wed, 01 Jan 2025 00:00:00 GMT").orElseThrow();
    assertThat(c.expiresAt()).contains(NOW.plusSeconds(10));
    Cookie d = parse(WSS, "a=b; Expires=Wed, 01 Jan 2025 00:00:00 GMT").orElseThrow();
    assertThat(d.expiresAt()).contains(Instant.parse("2025-01-01T00:00:00Z"));
    Cookie e = parse(WSS, "a=b; Max-Age=0").orElseThrow();
    assertThat(e.expiredAt(NOW)).isTrue();
    Cookie f = parse(WSS, "a=b; Max-Age=1x; Expires=bogus").orElseThrow();
    assertThat(f.persistent()).isFalse();
  }

  @Test
  void theLastDomainAndPathAttributesWin() {
    Cookie c = parse(WSS, "a=b; Domain=other.org; Domain=example.com; Path=/x; Path=/y")
        .orElseThrow();
    assertThat(c.domain()).isEqualTo("example.com");
    assertThat(c.path()).isEqualTo("/y");
  }

  @Test
  void rejectsDomainsTheHostDoesNotMatch() {
    assertThat(parse(WSS, "a=b; Domain=other.com")).isEmpty();
    assertThat(parse(WSS, "a=b; Domain=pi.example.com")).isEmpty();
    assertThat(parse(WSS, "a=b; Domain=ample.com")).isEmpty();
  }

  @Test
  void rejectsPublicSuffixDomainsFromBothSections() {
    assertThat(parse(URI.create("https://www.example.co.uk/"), "a=b; Domain=co.uk")).isEmpty();
    assertThat(parse(URI.create("https://www.example.co.uk/"), "a=b; Domain=example.co.uk"))
        .isPresent();
    assertThat(parse(URI.create("https://octocat.github.io/"), "a=b; Domain=github.io")).isEmpty();
    assertThat(parse(URI.create("https://octocat.github.io/"), "a=b; Domain=com")).isEmpty();
  }

  @Test
  void aHostThatIsAPublicSuffixMaySetAHostOnlyCookie() {
    Cookie c = parse(URI.create("https://github.io/"), "a=b; Domain=github.io").orElseThrow();
    assertThat(c.hostOnly()).isTrue();
    assertThat(c.matches(URI.create("https://github.io/"))).isTrue();
    assertThat(c.matches(URI.create("https://octocat.github.io/"))).isFalse();
  }

  @Test
  void ipHostsOnlySetCookiesForThemselves() {
    URI ip = URI.create("ws://192.168.0.10:8080/");
    assertThat(parse(ip, "a=b; Domain=168.0.10")).isEmpty();
    Cookie c = parse(ip, "a=b; Domain=192.168.0.10").orElseThrow();
    assertThat(c.matches(ip)).isTrue();
    assertThat(c.matches(URI.create("ws://10.192.168.0.10/"))).isFalse();
  }

  @Test
  void ignoresCookiesOver4096Bytes() {
    String name = "n";
    assertThat(parse(WSS, name + "=" + "v".repeat(4095))).isPresent();
    assertThat(parse(WSS, name + "=" + "v".repeat(4096))).isEmpty();
    assertThat(parse(WSS, name + "=" + "é".repeat(2048))).isEmpty(); // 4096 bytes + the name
  }

  @Test
  void secureCookiesMatchWssAndHttpsButNotWsOrHttp() {
    Cookie c = parse(WSS, "a=b; Secure; Path=/").orElseThrow();
    assertThat(c.matches(URI.create("wss://api.example.com/"))).isTrue();
    assertThat(c.matches(URI.create("https://api.example.com/"))).isTrue();
    assertThat(c.matches(URI.create("ws://api.example.com/"))).isFalse();
    assertThat(c.matches(URI.create("http://api.example.com/"))).isFalse();
  }

  @Test
  void matchingIgnoresPortAndHostCase() {
    Cookie c = parse(WSS, "a=b; Path=/").orElseThrow();
    assertThat(c.matches(URI.create("wss://API.EXAMPLE.COM:1/other"))).isTrue();
    assertThat(c.matches(URI.create("ftp://api.example.com/"))).isFalse();
  }

  @Test
  void parseAllSkipsIgnoredHeaders() {
    List<Cookie> all = Cookie.parseAll(WSS, List.of("a=1", "bad", "b=2"), NOW);
    assertThat(all).extracting(Cookie::name).containsExactly("a", "b");
    assertThat(Cookie.header(all)).isEqualTo("a=1; b=2");
    assertThat(Cookie.header(List.of())).isEmpty();
  }

  @Test
  void toStringNeverShowsTheValue() {
    Cookie c = parse(WSS, "SERVERID=topsecret123").orElseThrow();
    assertThat(c.toString()).contains("SERVERID").doesNotContain("topsecret123");
  }
}
