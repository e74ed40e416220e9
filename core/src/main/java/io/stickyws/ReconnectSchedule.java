package io.stickyws;

import io.stickyws.internal.reconnect.Backoff;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Failure;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The attempts of one connection across outages: numbers the handshakes of an outage and asks the
 * outage's {@link Backoff} (resilience4j) what to do after each failure; keeps what the application
 * may read of it (when the connection opened, how many reconnects, the last failure).
 *
 * <p>Numbering and delays follow the rule stated once in {@link ReconnectPolicy}: the numbering
 * restarts exactly when the backoff does.
 *
 * <p>Thread-safe: guarded by the connection's lock, except {@link #awaitFirstOpen}.
 */
final class ReconnectSchedule {
  private final StickySession session;
  private Backoff backoff;
  private int handshakes;
  private Instant openedAt;
  private volatile int opens;
  private ConnectionFailure lastFailure;
  private final CountDownLatch firstOpenOrEnd = new CountDownLatch(1);

  ReconnectSchedule(StickySession session) {
    this.session = session;
  }

  /** A handshake starts: its number in the current outage, 1 for the first. */
  int nextHandshake() {
    return ++handshakes;
  }

  /** The number the next handshake will have. */
  int upcoming() {
    return handshakes + 1;
  }

  /** A handshake completed. */
  void opened() {
    openedAt = session.clock().instant();
    opens++;
    firstOpenOrEnd.countDown();
  }

  /** The connection ended for good. */
  void ended() {
    firstOpenOrEnd.countDown();
  }

  /** Not under lock: waits for the first open or the end; whether the connection opened. */
  boolean awaitFirstOpen(Duration timeout) throws InterruptedException {
    firstOpenOrEnd.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return opens > 0;
  }

  /** An attempt or a connection failed: retry after a delay, or give up. */
  Decision next(boolean wasOpen, Failure failure) {
    if (backoff == null || (wasOpen && !Duration.between(openedAt, session.clock().instant())
        .minus(session.reconnectPolicy().resetAfter()).isNegative())) {
      backoff = new Backoff(session.reconnectPolicy(), session.clock(), session.random());
      if (wasOpen) {
        handshakes = 0; // a new outage after a drop: its first retry is attempt 1
      }
    }
    return backoff.next(failure);
  }

  /** The failed attempts of this outage, counting {@code more} not yet reported. */
  int attempts(int more) {
    return (backoff == null ? 0 : backoff.attempts()) + more;
  }

  /** How long this outage has lasted. */
  Duration elapsed() {
    return backoff == null ? Duration.ZERO : backoff.elapsed();
  }

  /** When the connection last opened, or {@code null} before the first open. */
  Instant openedAt() {
    return openedAt;
  }

  /** How many times the connection opened again after its first open. */
  int reconnects() {
    return Math.max(0, opens - 1);
  }

  void failed(ConnectionFailure failure) {
    lastFailure = failure;
  }

  ConnectionFailure lastFailure() {
    return lastFailure;
  }
}
