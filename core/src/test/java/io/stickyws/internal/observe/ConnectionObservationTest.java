package io.stickyws.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ObservedConnection;
import io.stickyws.OverflowPolicy;
import io.stickyws.SessionEvent;
import io.stickyws.SessionEvent.AttemptKind;
import io.stickyws.SessionEvent.DropReason;
import io.stickyws.SessionEvent.Failure;
import io.stickyws.SessionEvent.GiveUpReason;
import io.stickyws.SessionEvent.StorageOperation;
import io.stickyws.SessionObserver;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionObservationTest {
  private static final URI URI_WITH_QUERY = URI.create("wss://lb.example.com/ws?token=secret");
  private static final AffinityToken S1 = AffinityToken.ofCookie("SERVERID", "s1").orElseThrow();
  private static final AffinityToken S2 = AffinityToken.ofCookie("SERVERID", "s2").orElseThrow();

  private final ManualClock clock = new ManualClock();
  private final Observers observers = Observers.of(List.of(new SessionObserver() {}));
  private final List<SessionEvent> sent = new ArrayList<>();
  private final ConnectionObservation observation = ConnectionObservation.of(observers,
      URI_WITH_QUERY, () -> StickyWebSocket.State.OPEN, () -> 0, clock, sent::add);
  private final ObservedConnection c = observation.connection();

  @Test
  void aSessionWithoutObserversBuildsNothing() {
    ConnectionObservation off = ConnectionObservation.of(Observers.NONE, URI_WITH_QUERY,
        () -> StickyWebSocket.State.OPEN, () -> 0, clock, event -> {
          throw new AssertionError("no event expected: " + event);
        });
    assertThat(off).isSameAs(ConnectionObservation.OFF);
    assertThat(off.active()).isFalse();
    assertThat(off.connection()).isNull();
    off.attemptStarted(1);
    off.attemptFailed(1, Failure.httpStatus(502));
    off.opened(1, SameBackend.SAME, S1);
    off.pingSent(1);
    off.pongReceived(1);
    off.queueOverflow(OverflowPolicy.REJECT, 1);
    off.unconfirmed(1, false);
    off.affinityDropped(DropReason.APPLICATION, S1);
    off.disconnected(Failure.pongTimeout(), true);
    off.storageFailed(StorageOperation.SAVE, Object.class, new IOException());
    off.storageSucceeded(StorageOperation.SAVE, Object.class);
    off.gaveUp(GiveUpReason.MAX_ATTEMPTS, Failure.handshakeTimeout(), 1, Duration.ZERO);
    off.closed(1000);
  }

  @Test
  void tellsTheStoryOfAConnectionThatMovedBackend() {
    observation.attemptStarted(1);
    clock.advance(Duration.ofMillis(40));
    observation.attemptFailed(1, Failure.httpStatus(503));
    observation.attemptStarted(2);
    clock.advance(Duration.ofMillis(60));
    observation.opened(2, SameBackend.UNKNOWN, S1);
    clock.advance(Duration.ofSeconds(9));
    observation.disconnected(Failure.closeFrame(1012), true);
    observation.affinityDropped(DropReason.DRAIN, S1);
    clock.advance(Duration.ofMillis(150));
    observation.attemptStarted(1);
    clock.advance(Duration.ofMillis(200));
    observation.opened(1, SameBackend.CHANGED, S2);
    observation.pingSent(1);
    clock.advance(Duration.ofMillis(12));
    observation.pongReceived(1);
    clock.advance(Duration.ofSeconds(2));
    observation.closed(1000);

    assertThat(sent).containsExactly(
        SessionEvent.AttemptStarted.of(c, 1, AttemptKind.INITIAL),
        SessionEvent.AttemptFailed.of(c, 1, AttemptKind.INITIAL, Failure.httpStatus(503)),
        SessionEvent.AttemptStarted.of(c, 2, AttemptKind.INITIAL),
        SessionEvent.Opened.of(c, 2, AttemptKind.INITIAL, SameBackend.UNKNOWN, "HAProxy", null),
        SessionEvent.Disconnected.of(c, Failure.closeFrame(1012), Duration.ofSeconds(9), true),
        SessionEvent.AffinityDropped.of(c, DropReason.DRAIN, "HAProxy"),
        SessionEvent.AttemptStarted.of(c, 1, AttemptKind.RECONNECT),
        SessionEvent.Opened.of(c, 1, AttemptKind.RECONNECT, SameBackend.CHANGED, "HAProxy",
            Duration.ofMillis(350)),
        SessionEvent.Heartbeat.of(c, Duration.ofMillis(12)),
        SessionEvent.Closed.of(c, 1000, Duration.ofMillis(2012)));
    assertThat(c.toString()).doesNotContain("secret");
  }

  @Test
  void nothingFollowsATerminalEvent() {
    observation.attemptStarted(1);
    observation.attemptFailed(1, Failure.httpStatus(401));
    observation.gaveUp(GiveUpReason.STATUS, Failure.httpStatus(401), 1, Duration.ZERO);
    observation.closed(1000);
    observation.attemptStarted(2);
    observation.queueOverflow(OverflowPolicy.DROP_OLDEST, 1);

    assertThat(sent).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("AttemptStarted", "AttemptFailed", "GaveUp");
  }

  @Test
  void aCloseBeforeAnyOpenHasNoTimeConnected() {
    observation.attemptStarted(1);
    observation.closed(1001);
    assertThat(sent).last().isEqualTo(SessionEvent.Closed.of(c, 1001, null));
  }

  @Test
  void queueAndUnconfirmedEventsCarryTheirCounts() {
    observation.queueOverflow(OverflowPolicy.DROP_OLDEST, 3);
    observation.unconfirmed(2, true);
    assertThat(sent).containsExactly(
        SessionEvent.QueueOverflow.of(c, OverflowPolicy.DROP_OLDEST, 3),
        SessionEvent.Unconfirmed.of(c, 2, true));
  }

  @Test
  void aPongAnswersItsOwnPingAndForgetsOlderOnes() {
    observation.pingSent(1);
    clock.advance(Duration.ofMillis(5));
    observation.pingSent(2);
    clock.advance(Duration.ofMillis(7));
    observation.pongReceived(2);
    observation.pongReceived(1); // older than the last pong: forgotten
    observation.pongReceived(99); // never sent

    assertThat(sent).containsExactly(SessionEvent.Heartbeat.of(c, Duration.ofMillis(7)));
  }

  @Test
  void remembersOnlyTheLastEightPings() {
    for (long ping = 1; ping <= 9; ping++) {
      observation.pingSent(ping);
    }
    observation.pongReceived(1);
    observation.pongReceived(2);
    assertThat(sent).hasSize(1);
  }

  @Test
  void aDropForgetsPingsInFlight() {
    observation.opened(1, SameBackend.UNKNOWN, null);
    observation.pingSent(1);
    observation.disconnected(Failure.pongTimeout(), true);
    observation.pongReceived(1);
    assertThat(sent).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Opened", "Disconnected");
  }

  @Test
  void storageTroubleIsReportedOncePerSpellAcrossTheSession() {
    List<SessionEvent> other = new ArrayList<>();
    ConnectionObservation second = ConnectionObservation.of(observers, URI_WITH_QUERY,
        () -> StickyWebSocket.State.OPEN, () -> 0, clock, other::add);
    UncheckedIOException cause = new UncheckedIOException(new IOException("disk full"));

    observation.storageFailed(StorageOperation.SAVE, String.class, cause);
    observation.storageFailed(StorageOperation.SAVE, String.class, cause);
    second.storageFailed(StorageOperation.SAVE, String.class, cause);
    second.storageSucceeded(StorageOperation.LOAD, String.class);
    second.storageSucceeded(StorageOperation.SAVE, String.class);
    observation.storageSucceeded(StorageOperation.SAVE, String.class);
    observation.storageFailed(StorageOperation.SAVE, String.class, cause);

    assertThat(sent).containsExactly(
        SessionEvent.CookieStorageFailed.of(StorageOperation.SAVE, String.class, cause),
        SessionEvent.CookieStorageFailed.of(StorageOperation.SAVE, String.class, cause));
    assertThat(other).containsExactly(
        SessionEvent.CookieStorageRecovered.of(StorageOperation.SAVE, String.class));
  }
}
