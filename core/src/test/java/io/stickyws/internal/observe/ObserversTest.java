package io.stickyws.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stickyws.ObservedConnection;
import io.stickyws.SessionEvent;
import io.stickyws.SessionObserver;
import io.stickyws.StickyWebSocket;
import io.stickyws.testing.RecordingObserver;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ObserversTest {
  private final ObservedConnection connection = ObservedConnection.of(
      URI.create("ws://localhost:8080/ws"), () -> StickyWebSocket.State.OPEN, () -> 0);
  private final Logger logger = (Logger) LoggerFactory.getLogger(Observers.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.DEBUG);
    logger.setAdditive(false); // the expected stack traces would only clutter the build output
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
    logger.setLevel(null);
    logger.setAdditive(true);
  }

  @Test
  void noObserversShareOneInactiveFanOut() {
    assertThat(Observers.of(List.of())).isSameAs(Observers.NONE);
    assertThat(Observers.NONE.active()).isFalse();
    assertThat(Observers.NONE.list()).isEmpty();
    Observers.NONE.dispatch(SessionEvent.Heartbeat.of(connection, Duration.ZERO));
  }

  @Test
  void callsEveryObserverInTheOrderRegistered() {
    List<String> calls = new ArrayList<>();
    SessionObserver first = new SessionObserver() {
      @Override
      public void onHeartbeat(SessionEvent.Heartbeat event) {
        calls.add("first");
      }
    };
    SessionObserver second = new SessionObserver() {
      @Override
      public void onHeartbeat(SessionEvent.Heartbeat event) {
        calls.add("second");
      }
    };
    Observers observers = Observers.of(List.of(first, second));
    assertThat(observers.active()).isTrue();
    assertThat(observers.list()).containsExactly(first, second);

    observers.onHeartbeat(SessionEvent.Heartbeat.of(connection, Duration.ofMillis(3)));

    assertThat(calls).containsExactly("first", "second");
  }

  @Test
  void everyMethodOfTheFanOutReachesTheObservers() {
    RecordingObserver recorder = new RecordingObserver();
    Observers observers = Observers.of(List.of(recorder));
    SessionEvent.AttemptStarted started =
        SessionEvent.AttemptStarted.of(connection, 1, SessionEvent.AttemptKind.INITIAL);
    observers.onAttemptStarted(started);
    SessionEvent.Closed closed = SessionEvent.Closed.of(connection, 1000, null);
    observers.onClosed(closed);

    assertThat(recorder.events()).containsExactly(started, closed);
  }

  @Test
  void anObserverThatThrowsIsLoggedOnceAndKept() {
    List<String> calls = new ArrayList<>();
    SessionObserver thrower = new SessionObserver() {
      @Override
      public void onHeartbeat(SessionEvent.Heartbeat event) {
        calls.add("thrower");
        throw new IllegalStateException("observer bug");
      }
    };
    RecordingObserver after = new RecordingObserver();
    Observers observers = Observers.of(List.of(thrower, after));

    for (int i = 0; i < 3; i++) {
      observers.dispatch(SessionEvent.Heartbeat.of(connection, Duration.ofMillis(i)));
    }

    assertThat(calls).hasSize(3);
    assertThat(after.events()).hasSize(3);
    assertThat(logs.list).extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.DEBUG, Level.DEBUG);
    assertThat(logs.list.get(0).getFormattedMessage())
        .contains(thrower.getClass().getName(), "Heartbeat", "stays registered");
    assertThat(logs.list.get(0).getThrowableProxy().getMessage()).isEqualTo("observer bug");
  }

  @Test
  void eachObserverIsWarnedAboutOnce() {
    SessionObserver a = throwing();
    SessionObserver b = throwing();
    Observers observers = Observers.of(List.of(a, b));
    observers.dispatch(SessionEvent.Heartbeat.of(connection, Duration.ZERO));
    observers.dispatch(SessionEvent.Heartbeat.of(connection, Duration.ZERO));

    assertThat(logs.list).extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.WARN, Level.WARN, Level.DEBUG, Level.DEBUG);
  }

  @Test
  void refusesANullObserver() {
    assertThatThrownBy(() -> Observers.of(Arrays.asList((SessionObserver) null)))
        .isInstanceOf(NullPointerException.class);
  }

  private static SessionObserver throwing() {
    return new SessionObserver() {
      @Override
      public void onHeartbeat(SessionEvent.Heartbeat event) {
        throw new IllegalStateException("observer bug");
      }
    };
  }
}
