package io.stickyws;

import java.io.IOException;
import java.time.Duration;

/**
 * The connection was aborted because something did not arrive in time: the handshake's answer, or
 * the pong to a heartbeat ping.
 *
 * <p>Named so that it does not clash with {@code java.util.concurrent.TimeoutException}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ConnectionTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What timed out. */
  public enum Kind {
    /** The handshake did not complete within the handshake timeout. */
    HANDSHAKE,
    /** No pong arrived within the pong timeout after a heartbeat ping. */
    PONG
  }

  /** What timed out. */
  private final Kind kind;

  /** The limit that passed. */
  private final Duration timeout;

  /**
   * Creates the exception.
   *
   * @param kind what timed out
   * @param timeout the limit that passed
   */
  public ConnectionTimeoutException(Kind kind, Duration timeout) {
    super((kind == Kind.HANDSHAKE ? "handshake" : "pong") + " timed out after " + timeout);
    this.kind = kind;
    this.timeout = timeout;
  }

  /**
   * What timed out.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The limit that passed.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }
}
