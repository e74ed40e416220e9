package io.stickyws.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stickyws.ObservedConnection;
import io.stickyws.SessionEvent;
import io.stickyws.SessionObserver;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.SameBackend;
import io.stickyws.internal.observe.Observers;
import io.stickyws.testing.FakeTransport;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** An observer registered before the metrics throws on every event: the metrics still count. */
class ThrowingObserverTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(Observers.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
    logger.setAdditive(false); // the expected stack trace would only clutter the build output
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
    logger.setAdditive(true);
    scheduler.shutdownNow();
  }

  @Test
  void aThrowingObserverIsLoggedOnceAndKeptAndTheMetricsStillCount() {
    AtomicInteger thrown = new AtomicInteger();
    SessionObserver broken = new SessionObserver() {
      @Override
      public void onOpened(SessionEvent.Opened event) {
        thrown.incrementAndGet();
        throw new IllegalStateException("observer bug");
      }
    };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StickyWebSocketMetrics metrics = StickyWebSocketMetrics.of(registry);
    StickySession session = StickySession.builder(new FakeTransport()).scheduler(scheduler)
        .observer(broken).observer(metrics).build();
    assertThat(session.observers()).containsExactly(broken, metrics);
    Observers fanOut = Observers.of(session.observers());
    ObservedConnection connection = ObservedConnection.of(URI.create("ws://localhost:8080/ws"),
        () -> StickyWebSocket.State.OPEN, () -> 0);

    for (int i = 1; i <= 3; i++) {
      fanOut.dispatch(SessionEvent.Opened.of(connection, 1, SessionEvent.AttemptKind.RECONNECT,
          SameBackend.SAME, "HAProxy", Duration.ofMillis(100)));
    }

    assertThat(thrown).hasValue(3);
    assertThat(registry.get(StickyWebSocketMetrics.AFFINITY_OPENS).counter().count())
        .isEqualTo(3.0);
    assertThat(registry.get(StickyWebSocketMetrics.RECONNECT_DURATION).timer().count())
        .isEqualTo(3);
    assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1);
    assertThat(logs.list.get(0).getFormattedMessage())
        .contains(broken.getClass().getName(), "stays registered");
  }
}
