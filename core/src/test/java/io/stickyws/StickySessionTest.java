package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.testing.FakeTransport;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.Threads;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class StickySessionTest {
  private final FakeTransport transport = new FakeTransport();

  @Test
  void rejectsANegativeHeartbeatInterval() {
    assertThatThrownBy(() -> StickySession.builder(transport)
            .heartbeat(Duration.ofSeconds(-1), Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("heartbeat interval (PT-1S) must be positive");
  }

  @Test
  void rejectsAZeroPongTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
            .heartbeat(Duration.ofSeconds(1), Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pongTimeout (PT0S) must be positive");
  }

  @Test
  void rejectsAZeroHandshakeTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
            .handshakeTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("handshakeTimeout (PT0S) must be positive");
  }

  @Test
  void rejectsANegativeCloseTimeout() {
    assertThatThrownBy(() -> StickySession.builder(transport)
            .closeTimeout(Duration.ofMillis(-5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeTimeout (PT-0.005S) must be positive");
  }

  @Test
  void rejectsANegativeQueueCapacity() {
    assertThatThrownBy(() -> StickySession.builder(transport)
            .outboundQueue(-1, 10, OverflowPolicy.REJECT).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outboundQueue maxMessages (-1) must be >= 0");
  }

  @Test
  void rejectsANegativeQueueByteCapacity() {
    assertThatThrownBy(() -> StickySession.builder(transport)
            .outboundQueue(1, -10, OverflowPolicy.REJECT).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outboundQueue maxBytes (-10) must be >= 0");
  }

  @Test
  void rejectsANullTransport() {
    assertThatThrownBy(() -> StickySession.builder(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("transport == null");
  }

  @Test
  void rejectsANullPolicy() {
    assertThatThrownBy(() -> StickySession.builder(transport).reconnectPolicy(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("reconnectPolicy == null");
  }

  @Test
  void refusesConnectionsAfterClose() {
    StickySession session = StickySession.builder(transport).build();
    session.close();
    assertThatThrownBy(() -> session.connect(URI.create("ws://h/"), new RecordingListener()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("session is closed");
  }

  @Test
  void noStickywsThreadSurvivesTheSessionClose() {
    StickySession session = StickySession.builder(transport).build();
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = session.connect(URI.create("ws://app.example.com/"), listener);
    Threads.awaitCondition(() -> transport.attempts() == 1, Duration.ofSeconds(5));
    assertThat(Threads.stickywsThreads()).isNotEmpty();

    transport.last().open();
    ws.close();
    transport.last().closeCompleted();
    session.close();

    assertThat(listener.events()).endsWith("closed 1000");
    Threads.assertNoStickywsThreads(Duration.ofSeconds(5));
  }

  @Test
  void neverShutsDownASchedulerTheApplicationSupplied() {
    ScheduledExecutorService own = Executors.newSingleThreadScheduledExecutor();
    try {
      StickySession session = StickySession.builder(transport).scheduler(own).build();
      session.connect(URI.create("ws://app.example.com/"), new RecordingListener());
      session.close();
      assertThat(own.isShutdown()).isFalse();
    } finally {
      own.shutdownNow();
    }
  }

  @Test
  void closingTheSessionClosesItsConnections() {
    StickySession session = StickySession.builder(transport).build();
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = session.connect(URI.create("ws://app.example.com/"), listener);
    Threads.awaitCondition(() -> transport.attempts() == 1, Duration.ofSeconds(5));
    session.close();

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).containsExactly("closed 1001");
  }
}
