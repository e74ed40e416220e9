package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.SessionEvent.AttemptKind;
import io.stickyws.SessionEvent.DropReason;
import io.stickyws.SessionEvent.Failure;
import io.stickyws.SessionEvent.FailureType;
import io.stickyws.SessionEvent.GiveUpReason;
import io.stickyws.SessionEvent.StorageOperation;
import io.stickyws.affinity.SameBackend;
import io.stickyws.testing.RecordingObserver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SessionEventTest {
  private static final String SECRET = "s3cr3t-token";
  private final AtomicReference<StickyWebSocket.State> state =
      new AtomicReference<>(StickyWebSocket.State.CONNECTING);
  private final AtomicInteger queued = new AtomicInteger();
  private final ObservedConnection connection = ObservedConnection.of(
      URI.create("wss://user:" + SECRET + "@App.Example.COM/ws/chat?token=" + SECRET + "#" + SECRET),
      state::get, queued::get);

  /** One event of every kind, each with the observer method it must call. */
  private List<SessionEvent> oneOfEach() {
    return List.of(
        SessionEvent.AttemptStarted.of(connection, 1, AttemptKind.INITIAL),
        SessionEvent.AttemptFailed.of(connection, 1, AttemptKind.INITIAL, Failure.httpStatus(502)),
        SessionEvent.Opened.of(connection, 2, AttemptKind.INITIAL, SameBackend.UNKNOWN, "HAProxy",
            null),
        SessionEvent.Disconnected.of(connection, Failure.closeFrame(1012), Duration.ofSeconds(9),
            true),
        SessionEvent.AffinityDropped.of(connection, DropReason.DRAIN, "HAProxy"),
        SessionEvent.QueueOverflow.of(connection, OverflowPolicy.DROP_OLDEST, 2),
        SessionEvent.Unconfirmed.of(connection, 3, false),
        SessionEvent.Heartbeat.of(connection, Duration.ofMillis(12)),
        SessionEvent.CookieStorageFailed.of(StorageOperation.PERSIST, Object.class,
            new IOException("/home/" + SECRET)),
        SessionEvent.CookieStorageRecovered.of(StorageOperation.PERSIST, Object.class),
        SessionEvent.GaveUp.of(connection, GiveUpReason.STATUS, Failure.httpStatus(401), 1,
            Duration.ZERO),
        SessionEvent.Closed.of(connection, 1000, Duration.ofSeconds(1)));
  }

  @Test
  void eachEventCallsTheObserverMethodMadeForIt() {
    RecordingObserver observer = new RecordingObserver();
    List<SessionEvent> events = oneOfEach();
    events.forEach(event -> event.dispatchTo(observer));

    assertThat(observer.events()).containsExactlyElementsOf(events);
    assertThat(observer.methods()).containsExactly("onAttemptStarted", "onAttemptFailed",
        "onOpened", "onDisconnected", "onAffinityDropped", "onQueueOverflow", "onUnconfirmed",
        "onHeartbeat", "onCookieStorageFailed", "onCookieStorageRecovered", "onGaveUp",
        "onClosed");
  }

  @Test
  void theDefaultObserverIgnoresEveryEvent() {
    SessionObserver nothing = new SessionObserver() {};
    oneOfEach().forEach(event -> event.dispatchTo(nothing));
  }

  @Test
  void noEventShowsAQueryUserInfoFragmentOrExceptionMessage() {
    for (SessionEvent event : oneOfEach()) {
      assertThat(event.toString()).doesNotContain(SECRET).doesNotContain("user");
    }
    assertThat(oneOfEach().get(0))
        .hasToString("AttemptStarted{#" + connection.id()
            + " wss://app.example.com:443/ws/chat, attempt=1, kind=INITIAL}");
  }

  @Test
  void aConnectionKeepsSchemeHostPortAndPathOnly() {
    assertThat(connection.scheme()).isEqualTo("wss");
    assertThat(connection.host()).isEqualTo("app.example.com");
    assertThat(connection.port()).isEqualTo(443);
    assertThat(connection.path()).isEqualTo("/ws/chat");
    assertThat(connection.toString()).doesNotContain(SECRET);

    ObservedConnection plain = ObservedConnection.of(URI.create("ws://10.0.0.1"), state::get,
        queued::get);
    assertThat(plain.port()).isEqualTo(80);
    assertThat(plain.path()).isEqualTo("/");
    assertThat(ObservedConnection.of(URI.create("ws://h:8080/x"), state::get, queued::get).port())
        .isEqualTo(8080);
  }

  @Test
  void connectionsAreNumberedInOrderAndEqualByNumber() {
    ObservedConnection next = ObservedConnection.of(URI.create("wss://app.example.com/ws/chat"),
        state::get, queued::get);
    assertThat(next.id()).isGreaterThan(connection.id());
    assertThat(next).isNotEqualTo(connection);
    assertThat(connection).isEqualTo(connection).hasSameHashCodeAs(connection);
  }

  @Test
  void aConnectionReadsItsStateAndQueueLive() {
    assertThat(connection.state()).isEqualTo(StickyWebSocket.State.CONNECTING);
    assertThat(connection.queuedMessages()).isZero();
    state.set(StickyWebSocket.State.RECONNECTING);
    queued.set(7);
    assertThat(connection.state()).isEqualTo(StickyWebSocket.State.RECONNECTING);
    assertThat(connection.queuedMessages()).isEqualTo(7);
  }

  @Test
  void aConnectionNeedsAWebSocketUriWithAHost() {
    assertThatThrownBy(() -> ObservedConnection.of(URI.create("https://h/p?q=" + SECRET),
            state::get, queued::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri (https://h/p) must have the scheme ws or wss");
    assertThatThrownBy(() -> ObservedConnection.of(URI.create("ws:///p"), state::get, queued::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri (ws:///p) must have a host");
    assertThatThrownBy(() -> ObservedConnection.of(null, state::get, queued::get))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("uri == null");
  }

  @Test
  void failuresHaveABoundedErrorType() {
    assertThat(Failure.httpStatus(503).errorType()).isEqualTo("503");
    assertThat(Failure.closeFrame(1011).errorType()).isEqualTo("close_1011");
    assertThat(Failure.handshakeTimeout().errorType()).isEqualTo("handshake_timeout");
    assertThat(Failure.pongTimeout().errorType()).isEqualTo("pong_timeout");
    assertThat(Failure.requestRefused(new IllegalArgumentException(SECRET)).errorType())
        .isEqualTo("request_refused");
    Failure io = Failure.io(new ConnectException("refused: " + SECRET));
    assertThat(io.errorType()).isEqualTo("java.net.ConnectException");
    assertThat(io.exceptionClass()).contains("java.net.ConnectException");
    assertThat(io.toString()).doesNotContain(SECRET);
  }

  @Test
  void aFailureFromAnExceptionKeepsTheStatusOfARefusedHandshake() {
    Failure refused = Failure.of(new HandshakeException(403, new IOException(SECRET)));
    assertThat(refused.type()).isEqualTo(FailureType.HTTP_STATUS);
    assertThat(refused.httpStatus()).isEqualTo(403);
    assertThat(refused.closeCode()).isEqualTo(-1);
    assertThat(refused.exceptionClass()).isEmpty();
    assertThat(Failure.of(new IOException(SECRET))).isEqualTo(Failure.io(new IOException()));
  }

  @Test
  void failuresAreCheckedForRange() {
    assertThatThrownBy(() -> Failure.httpStatus(42))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status (42) must be 100-599");
    assertThatThrownBy(() -> Failure.closeFrame(999))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("close code (999) must be 1000-4999");
  }

  @Test
  void aDisconnectWithoutCloseFrameReports1006() {
    assertThat(SessionEvent.Disconnected.of(connection, Failure.pongTimeout(), Duration.ZERO, true)
        .closeCode()).isEqualTo(1006);
    assertThat(SessionEvent.Disconnected.of(connection, Failure.closeFrame(1001), Duration.ZERO,
        false).closeCode()).isEqualTo(1001);
  }

  @Test
  void onlyAReconnectHasATimeSinceTheDrop() {
    SessionEvent.Opened reconnect = SessionEvent.Opened.of(connection, 1, AttemptKind.RECONNECT,
        SameBackend.CHANGED, null, Duration.ofMillis(350));
    assertThat(reconnect.sinceDrop()).contains(Duration.ofMillis(350));
    assertThat(reconnect.balancer()).isEmpty();
    assertThatThrownBy(() -> SessionEvent.Opened.of(connection, 1, AttemptKind.RECONNECT,
            SameBackend.SAME, "HAProxy", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sinceDrop == null");
    assertThatThrownBy(() -> SessionEvent.Opened.of(connection, 1, AttemptKind.INITIAL,
            SameBackend.SAME, "HAProxy", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sinceDrop (PT0S) must be null for an INITIAL open");
  }

  @Test
  void eventsNameTheFieldTheyRefuse() {
    assertThatThrownBy(() -> SessionEvent.AttemptStarted.of(connection, 0, AttemptKind.INITIAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt (0) must be >= 1");
    assertThatThrownBy(() -> SessionEvent.AttemptStarted.of(null, 1, AttemptKind.INITIAL))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("connection == null");
    assertThatThrownBy(() -> SessionEvent.QueueOverflow.of(connection, OverflowPolicy.REJECT, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("messages (0) must be >= 1");
    assertThatThrownBy(() -> SessionEvent.Heartbeat.of(connection, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("roundTrip (PT-0.001S) must be >= 0");
    assertThatThrownBy(() -> SessionEvent.GaveUp.of(connection, GiveUpReason.MAX_ATTEMPTS,
            Failure.handshakeTimeout(), 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempts (0) must be >= 1");
    assertThatThrownBy(() -> SessionEvent.Closed.of(connection, 200, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("close code (200) must be 1000-4999");
  }

  @Test
  void eventsAreEqualWhenEveryFieldIs() {
    assertThat(SessionEvent.Unconfirmed.of(connection, 3, true))
        .isEqualTo(SessionEvent.Unconfirmed.of(connection, 3, true))
        .hasSameHashCodeAs(SessionEvent.Unconfirmed.of(connection, 3, true))
        .isNotEqualTo(SessionEvent.Unconfirmed.of(connection, 3, false))
        .isNotEqualTo(SessionEvent.QueueOverflow.of(connection, OverflowPolicy.REJECT, 3));
  }

  @Test
  void storageEventsKeepClassNamesOnly() {
    SessionEvent.CookieStorageFailed failed = SessionEvent.CookieStorageFailed.of(
        StorageOperation.SAVE, String.class, new IOException("/home/" + SECRET));
    assertThat(failed.jarClass()).isEqualTo("java.lang.String");
    assertThat(failed.exceptionClass()).isEqualTo("java.io.IOException");
    assertThat(failed.operation()).isEqualTo(StorageOperation.SAVE);
    assertThat(failed.toString()).doesNotContain(SECRET);
  }
}
