package io.stickyws;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.testing.FakeTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder rules of {@link StickySession} not covered by {@link StickySessionTest}: one rule per test. */
class StickySessionValidationTest {
  private final FakeTransport transport = new FakeTransport();

  @Test
  void rejectsAZeroHeartbeatInterval() {
    assertThatThrownBy(() -> StickySession.builder(transport)
        .heartbeat(Duration.ZERO, Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeat interval (PT0S) must be positive");
  }

  @Test
  void rejectsANegativePongTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
        .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(-2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pongTimeout (PT-2S) must be positive");
  }

  @Test
  void rejectsANullPongTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
        .heartbeat(Duration.ofSeconds(1), null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("pongTimeout == null");
  }

  @Test
  void rejectsANegativeHandshakeTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
        .handshakeTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handshakeTimeout (PT-0.001S) must be positive");
  }

  @Test
  void rejectsAZeroCloseTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
        .closeTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeTimeout (PT0S) must be positive");
  }

  @Test
  void rejectsANullOverflowPolicy() {
    assertThatThrownBy(() -> StickySession.builder(transport)
        .outboundQueue(10, 100, null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("overflowPolicy == null");
  }

  @Test
  void rejectsANullAffinity() {
    assertThatThrownBy(() -> StickySession.builder(transport).affinity(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("affinity == null");
  }

  @Test
  void rejectsANullClock() {
    assertThatThrownBy(() -> StickySession.builder(transport).clock(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock == null");
  }
}
