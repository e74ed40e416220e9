package io.stickyws.internal.observe;

import io.stickyws.ObservedConnection;
import io.stickyws.OverflowPolicy;
import io.stickyws.SessionEvent;
import io.stickyws.SessionEvent.AttemptKind;
import io.stickyws.SessionEvent.DropReason;
import io.stickyws.SessionEvent.Failure;
import io.stickyws.SessionEvent.GiveUpReason;
import io.stickyws.SessionEvent.StorageOperation;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the engine of one connection tells its session's observers: it keeps the bookkeeping the
 * events need (initial or reconnect, when the connection opened and dropped, when each ping left,
 * whether the terminal event was sent) and builds each event only when the session has observers.
 * The engine calls one method per happening, under its lock; each event goes to the sink given at
 * creation, which must deliver it after the lock is released, in order (the engine's mailbox).
 *
 * <p>A session without observers gets {@link #OFF}: every method returns at once, nothing is
 * allocated. After {@link #gaveUp} or {@link #closed} nothing more is sent.
 *
 * <p>Not thread-safe: the engine calls it under the connection's lock (the two storage methods
 * excepted).
 */
public final class ConnectionObservation {
  /** The observation of a connection whose session has no observers: does nothing. */
  public static final ConnectionObservation OFF = new ConnectionObservation();

  /** Pings remembered for round-trip times; older ones are forgotten (their pong is overdue). */
  private static final int MAX_PINGS = 8;

  private final Observers observers;
  private final ObservedConnection connection;
  private final Clock clock;
  private final Consumer<SessionEvent> sink;
  private final Map<Long, Instant> pings;
  private boolean everOpened;
  private Instant openedAt;
  private Instant droppedAt;
  private boolean terminated;

  private ConnectionObservation() {
    this.observers = Observers.NONE;
    this.connection = null;
    this.clock = null;
    this.sink = null;
    this.pings = null;
    this.terminated = true;
  }

  private ConnectionObservation(Observers observers, ObservedConnection connection, Clock clock,
      Consumer<SessionEvent> sink) {
    this.observers = observers;
    this.connection = connection;
    this.clock = clock;
    this.sink = sink;
    this.pings = new LinkedHashMap<>();
  }

  /**
   * The observation of one connection.
   *
   * @param observers the session's observers
   * @param uri the URI the connection was opened with (only its scheme, host, port and path are
   *     kept)
   * @param state reads the connection's state, for gauges; called without the engine's lock
   *     held by the caller, so it takes that lock itself if it needs it
   * @param queuedMessages reads the connection's queue length, for gauges (same rule)
   * @param clock the session's clock, for every duration
   * @param sink delivers an event to {@code observers} after the engine's lock is released, in
   *     the order given
   * @return {@link #OFF} when {@code observers} is inactive
   */
  public static ConnectionObservation of(Observers observers, URI uri,
      Supplier<StickyWebSocket.State> state, IntSupplier queuedMessages, Clock clock,
      Consumer<SessionEvent> sink) {
    if (!observers.active()) {
      return OFF;
    }
    return new ConnectionObservation(observers, ObservedConnection.of(uri, state, queuedMessages),
        Objects.requireNonNull(clock, "clock == null"), Objects.requireNonNull(sink, "sink == null"));
  }

  /**
   * Whether events are built at all.
   *
   * @return {@code false} for {@link #OFF}
   */
  public boolean active() {
    return connection != null;
  }

  /**
   * The connection as observers see it.
   *
   * @return the connection, or {@code null} for {@link #OFF}
   */
  public ObservedConnection connection() {
    return connection;
  }

  /**
   * A handshake attempt starts: INITIAL until the connection has been open once, then RECONNECT.
   *
   * @param attempt the number of the attempt in the current outage, from 1
   */
  public void attemptStarted(int attempt) {
    if (!terminated) {
      emit(SessionEvent.AttemptStarted.of(connection, attempt, kind()));
    }
  }

  /**
   * A handshake attempt ended without opening.
   *
   * @param attempt its number
   * @param failure what ended it
   */
  public void attemptFailed(int attempt, Failure failure) {
    if (!terminated) {
      emit(SessionEvent.AttemptFailed.of(connection, attempt, kind(), failure));
    }
  }

  /**
   * The handshake completed. For a reconnect, the time since the drop is measured now.
   *
   * @param attempt the attempt that opened
   * @param sameBackend the verdict the listener gets
   * @param token the affinity token now held, or {@code null}; only its balancer is reported
   */
  public void opened(int attempt, SameBackend sameBackend, AffinityToken token) {
    if (terminated) {
      return;
    }
    Instant now = clock.instant();
    AttemptKind kind = kind();
    Duration sinceDrop =
        kind == AttemptKind.RECONNECT ? between(droppedAt != null ? droppedAt : now, now) : null;
    everOpened = true;
    openedAt = now;
    droppedAt = null;
    emit(SessionEvent.Opened.of(connection, attempt, kind, sameBackend,
        token == null ? null : token.balancer(), sinceDrop));
  }

  /**
   * The open connection ended other than by the application's close. Its time open is measured
   * now, and the outage starts now.
   *
   * @param failure what ended it
   * @param willRetry whether a reconnect follows
   */
  public void disconnected(Failure failure, boolean willRetry) {
    if (terminated) {
      return;
    }
    Instant now = clock.instant();
    Duration connectedFor = between(openedAt != null ? openedAt : now, now);
    openedAt = null;
    droppedAt = now;
    pings.clear();
    emit(SessionEvent.Disconnected.of(connection, failure, connectedFor, willRetry));
  }

  /**
   * The affinity token was dropped.
   *
   * @param reason why
   * @param dropped the token dropped, or {@code null} if unknown; only its balancer is reported
   */
  public void affinityDropped(DropReason reason, AffinityToken dropped) {
    if (!terminated) {
      emit(SessionEvent.AffinityDropped.of(connection, reason,
          dropped == null ? null : dropped.balancer()));
    }
  }

  /**
   * Terminal: the policy gave up. Nothing is sent after it.
   *
   * @param reason why
   * @param failure the last failure
   * @param attempts the failed attempts of the last outage
   * @param elapsed the duration of the last outage
   */
  public void gaveUp(GiveUpReason reason, Failure failure, int attempts, Duration elapsed) {
    if (!terminated) {
      terminated = true;
      emit(SessionEvent.GaveUp.of(connection, reason, failure, attempts, elapsed));
    }
  }

  /**
   * Terminal: the application or the session closed the connection; if it was open, its time
   * open is measured now. Nothing is sent after it.
   *
   * @param code the close code
   */
  public void closed(int code) {
    if (terminated) {
      return;
    }
    terminated = true;
    Duration connectedFor = openedAt == null ? null : between(openedAt, clock.instant());
    emit(SessionEvent.Closed.of(connection, code, connectedFor));
  }

  /**
   * The outbound queue overflowed.
   *
   * @param policy REJECT (a message refused) or DROP_OLDEST (queued ones discarded)
   * @param messages how many
   */
  public void queueOverflow(OverflowPolicy policy, int messages) {
    if (!terminated) {
      emit(SessionEvent.QueueOverflow.of(connection, policy, messages));
    }
  }

  /**
   * Messages were unconfirmed when the connection ended.
   *
   * @param messages how many
   * @param resent whether they are queued again
   */
  public void unconfirmed(int messages, boolean resent) {
    if (!terminated) {
      emit(SessionEvent.Unconfirmed.of(connection, messages, resent));
    }
  }

  /**
   * A ping left: remembers when, for {@link #pongReceived(long)}.
   *
   * @param ping the number the engine gave the ping
   */
  public void pingSent(long ping) {
    if (terminated) {
      return;
    }
    pings.put(ping, clock.instant());
    if (pings.size() > MAX_PINGS) {
      Iterator<Long> oldest = pings.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * The pong to ping {@code ping} arrived: reports the round trip. Pongs of older pings that never
   * came are forgotten. A pong for a ping not remembered reports nothing.
   *
   * @param ping the number of the ping it answers
   */
  public void pongReceived(long ping) {
    if (terminated) {
      return;
    }
    Instant sent = pings.remove(ping);
    pings.keySet().removeIf(n -> n < ping);
    if (sent != null) {
      emit(SessionEvent.Heartbeat.of(connection, between(sent, clock.instant())));
    }
  }

  /**
   * The cookie jar failed. Reported once per failing spell of {@code operation} in the whole
   * session, whichever connection sees it. Unlike the other methods it may be called without the
   * engine's lock (it touches only the session's atomic state and the sink, which must then be
   * thread-safe).
   *
   * @param operation what failed
   * @param jarClass the class of the jar
   * @param cause the exception; only its class name is reported
   */
  public void storageFailed(StorageOperation operation, Class<?> jarClass, Throwable cause) {
    if (active() && observers.storageFailing(operation, true)) {
      emit(SessionEvent.CookieStorageFailed.of(operation, jarClass, cause));
    }
  }

  /**
   * The cookie jar did {@code operation} without failing. Reports the recovery if that operation
   * was failing in this session. May be called without the engine's lock, like {@link
   * #storageFailed}.
   *
   * @param operation what worked
   * @param jarClass the class of the jar
   */
  public void storageSucceeded(StorageOperation operation, Class<?> jarClass) {
    if (active() && observers.storageFailing(operation, false)) {
      emit(SessionEvent.CookieStorageRecovered.of(operation, jarClass));
    }
  }

  private AttemptKind kind() {
    return everOpened ? AttemptKind.RECONNECT : AttemptKind.INITIAL;
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d; // a clock set back must not fail an event
  }

  private void emit(SessionEvent event) {
    sink.accept(event);
  }

  @Override
  public String toString() {
    return active() ? "ConnectionObservation{" + connection + "}" : "ConnectionObservation{off}";
  }
}
