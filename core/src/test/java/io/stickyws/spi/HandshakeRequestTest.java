package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeRequestTest {
  @Test
  void seenOverHttpTheSchemeChangesAndNothingElse() {
    assertThat(HandshakeRequest.of(URI.create("ws://h:8080/a?x=%2f#f"), Map.of()).httpUri())
        .hasToString("http://h:8080/a?x=%2f#f");
    assertThat(HandshakeRequest.of(URI.create("WSS://user@h/p%2F?q"), Map.of()).httpUri())
        .hasToString("https://user@h/p%2F?q");
  }

  @Test
  void refusesAnotherSchemeNamingItWithoutTheQuery() {
    assertThatThrownBy(() -> HandshakeRequest.of(URI.create("http://h/p?token=s3cr3t"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri scheme (http) must be ws or wss: http://h/p");
  }
}
