package io.stickyws.javawebsocket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder rules of {@link JavaWebSocketTransport} not covered by {@link JavaWebSocketTransportTest}. */
class JavaWebSocketTransportValidationTest {
  @Test
  void rejectsANegativeConnectTimeout() {
    assertThatThrownBy(() -> JavaWebSocketTransport.builder().connectTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout (PT-1S) must be zero or positive");
  }

  @Test
  void rejectsAConnectTimeoutLongerThanAnIntOfMillis() {
    assertThatThrownBy(() -> JavaWebSocketTransport.builder().connectTimeout(Duration.ofDays(30)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout (PT720H) must be at most PT596H31M23.647S");
  }

  @Test
  void rejectsANullCustomizer() {
    assertThatThrownBy(() -> JavaWebSocketTransport.builder().customizer(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("customizer == null");
  }
}
