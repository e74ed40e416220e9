package io.stickyws;

import io.stickyws.internal.reconnect.Backoff;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Failure;
import java.time.Duration;
import java.time.Instant;

/**
 * The attempts of one connection across outages: numbers the handshakes since the last open and
 * asks the outage's {@link Backoff} (resilience4j) what to do after each failure. An outage starts a
 * new backoff unless the connection was open for less than the policy's {@code resetAfter}.
 *
 * <p>Not thread-safe: guarded by the connection's lock.
 */
final class ReconnectSchedule {
  private final StickySession session;
  private Backoff backoff;
  private int handshakes;
  private Instant openedAt;

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
    handshakes = 0;
  }

  /** An attempt or a connection failed: retry after a delay, or give up. */
  Decision next(boolean wasOpen, Failure failure) {
    if (backoff == null || (wasOpen && !Duration.between(openedAt, session.clock().instant())
        .minus(session.reconnectPolicy().resetAfter()).isNegative())) {
      backoff = new Backoff(session.reconnectPolicy(), session.clock(), session.random());
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
}
