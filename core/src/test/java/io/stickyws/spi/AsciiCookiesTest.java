package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AsciiCookiesTest {
  private final AsciiCookies rule = new AsciiCookies("a test library");
  private final URI uri = URI.create("ws://example.com/ws");

  @Test
  void leavesOutOnlyTheCookiesThatAreNotAscii() {
    HandshakeRequest request = HandshakeRequest.of(uri, Map.of(
        "Cookie", List.of("a=1; eur=\u20ac; b=2"), "X-Other", List.of("x")), Duration.ofSeconds(3));

    HandshakeRequest sent = rule.sendable(request);

    assertThat(sent.headers("Cookie")).containsExactly("a=1; b=2");
    assertThat(sent.headers("X-Other")).containsExactly("x");
    assertThat(sent.heartbeatInterval()).contains(Duration.ofSeconds(3));
  }

  @Test
  void dropsACookieHeaderLeftEmptyAndKeepsAnAsciiRequestAsItIs() {
    HandshakeRequest onlyEuro = HandshakeRequest.of(uri, Map.of("Cookie", List.of("eur=\u20ac")));
    assertThat(rule.sendable(onlyEuro).headers()).doesNotContainKey("Cookie");

    HandshakeRequest ascii = HandshakeRequest.of(uri, Map.of("Cookie", List.of("a=1; b=2")));
    assertThat(rule.sendable(ascii)).isSameAs(ascii);
  }
}
