package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryCookieJarTest {
  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static final URI WSS = URI.create("wss://lb.example.com/ws");
  private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
  private final MemoryCookieJar jar = MemoryCookieJar.builder().clock(clock).build();

  @Test
  void replacingACookieKeepsItsCreationTime() {
    jar.receive(WSS, List.of("a=1; Path=/"));
    Instant created = clock.now;
    clock.advance(Duration.ofMinutes(1));
    jar.receive(WSS, List.of("a=2; Path=/"));
    List<Cookie> cookies = jar.loadForRequest(WSS);
    assertThat(cookies).singleElement().satisfies(c -> {
      assertThat(c.value()).isEqualTo("2");
      assertThat(c.creationTime()).isEqualTo(created);
    });
  }

  @Test
  void anExpiredCookieDeletesTheStoredOne() {
    jar.receive(WSS, List.of("a=1; Path=/", "b=1; Path=/"));
    jar.receive(WSS, List.of("a=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
    assertThat(jar.cookieHeader(WSS)).isEqualTo("b=1");
    jar.receive(WSS, List.of("b=gone; Path=/; Max-Age=0"));
    assertThat(jar.cookieHeader(WSS)).isEmpty();
  }

  @Test
  void cookiesExpireWithTheClock() {
    jar.receive(WSS, List.of("a=1; Max-Age=60"));
    assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    clock.advance(Duration.ofSeconds(60));
    assertThat(jar.cookieHeader(WSS)).isEmpty();
  }

  @Test
  void sendsLongerPathsFirstThenOlderCookies() {
    jar.receive(URI.create("https://lb.example.com/"), List.of("root=1; Path=/"));
    clock.advance(Duration.ofSeconds(1));
    jar.receive(URI.create("https://lb.example.com/"), List.of("deep=1; Path=/ws/chat", "mid=1; Path=/ws"));
    clock.advance(Duration.ofSeconds(1));
    jar.receive(URI.create("https://lb.example.com/"), List.of("early=1; Path=/ws"));
    assertThat(jar.cookieHeader(URI.create("wss://lb.example.com/ws/chat")))
        .isEqualTo("deep=1; mid=1; early=1; root=1");
  }

  @Test
  void secureCookiesGoOverWssOnlyAndHttpOnlyOnesAreSent() {
    jar.receive(URI.create("https://lb.example.com/"), List.of("s=1; Secure; Path=/", "h=1; HttpOnly; Path=/"));
    assertThat(jar.cookieHeader(URI.create("wss://lb.example.com/"))).isEqualTo("s=1; h=1");
    assertThat(jar.cookieHeader(URI.create("ws://lb.example.com/"))).isEqualTo("h=1");
  }

  @Test
  void cookiesAreNotScopedByPort() {
    jar.receive(URI.create("http://lb.example.com:8080/"), List.of("a=1"));
    assertThat(jar.cookieHeader(URI.create("ws://lb.example.com:9090/"))).isEqualTo("a=1");
  }

  @Test
  void rejectsCookiesBuiltForAnotherSite() {
    Cookie foreign = Cookie.builder().name("a").value("1").domain("evil.com").build();
    jar.saveFromResponse(WSS, List.of(foreign));
    Cookie suffix = Cookie.builder().name("b").value("1").domain("com").build();
    jar.saveFromResponse(WSS, List.of(suffix));
    assertThat(jar.cookies()).isEmpty();
  }

  @Test
  void evictsTheLeastRecentlyUsedCookieOfADomainBeyondTheLimit() {
    MemoryCookieJar small = MemoryCookieJar.builder().clock(clock).maxCookiesPerDomain(3).build();
    URI uri = URI.create("https://a.example.com/");
    small.receive(uri, List.of("c1=1", "c2=1", "c3=1"));
    clock.advance(Duration.ofSeconds(1));
    small.loadForRequest(URI.create("https://a.example.com/")); // all used; c1 first
    small.receive(URI.create("https://b.example.com/"), List.of("other=1"));
    clock.advance(Duration.ofSeconds(1));
    small.receive(uri, List.of("c1=2")); // c1 is now the most recently used
    small.receive(uri, List.of("c4=1"));
    assertThat(small.cookies()).extracting(Cookie::name)
        .containsExactlyInAnyOrder("c3", "c1", "c4", "other");
  }

  @Test
  void evictsTheLeastRecentlyUsedCookieBeyondTheTotalLimit() {
    MemoryCookieJar small = MemoryCookieJar.builder().clock(clock).maxCookies(3).build();
    small.receive(URI.create("https://a.example.com/"), List.of("a=1"));
    small.receive(URI.create("https://b.example.com/"), List.of("b=1"));
    small.receive(URI.create("https://c.example.com/"), List.of("c=1"));
    small.loadForRequest(URI.create("https://a.example.com/"));
    small.receive(URI.create("https://d.example.com/"), List.of("d=1"));
    assertThat(small.cookies()).extracting(Cookie::name).containsExactly("c", "a", "d");
  }

  @Test
  void holdsTheRfcMinimumsByDefault() {
    MemoryCookieJar big = MemoryCookieJar.builder().clock(clock).build();
    for (int d = 0; d < 60; d++) {
      URI uri = URI.create("https://h" + d + ".example.com/");
      for (int i = 0; i < 50; i++) {
        big.receive(uri, List.of("c" + i + "=v"));
      }
    }
    assertThat(big.cookies()).hasSize(3000);
    assertThat(big.cookieHeader(URI.create("https://h59.example.com/")).split("; ")).hasSize(50);
  }

  @Test
  void validatesLimitsAtBuild() {
    assertThatThrownBy(() -> MemoryCookieJar.builder().maxCookiesPerDomain(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCookiesPerDomain (0) must be >= 1");
    assertThatThrownBy(() -> MemoryCookieJar.builder().maxCookies(-1).build())
        .hasMessage("maxCookies (-1) must be >= 1");
  }

  @Test
  void noCookiesJarStoresNothing() {
    CookieJar.NO_COOKIES.saveFromResponse(WSS, Cookie.parseAll(WSS, List.of("a=1"), clock.now));
    assertThat(CookieJar.NO_COOKIES.loadForRequest(WSS)).isEmpty();
  }
}
