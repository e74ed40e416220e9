package io.stickyws.internal.reconnect;

import io.stickyws.ConnectionTimeoutException;
import io.stickyws.HandshakeException;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import java.io.IOException;
import java.net.URI;

/**
 * How one attempt or connection ended, classified: the {@link Failure} the reconnect policy
 * decides on, and what the application is told (close code, reason, cause).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Ending {
  private final Failure failure;
  private final int code;
  private final String reason;
  private final Throwable cause;
  private final boolean backendSuspect;
  private final URI uri;
  /** The loggable URI, made on first use (an ending that nobody describes never makes it). */
  private volatile String where;

  private Ending(Failure failure, int code, String reason, Throwable cause,
      boolean backendSuspect, URI uri) {
    this.uri = uri;
    this.failure = failure;
    this.code = code;
    this.reason = reason;
    this.cause = cause;
    this.backendSuspect = backendSuspect;
  }

  /**
   * Classifies a terminal event of the transport (or a timeout of the engine).
   *
   * @param wasOpen whether the handshake had completed
   * @param code the close code reported
   * @param reason the close reason, {@code null} treated as empty
   * @param remote whether the server closed first
   * @param cause what failed, or {@code null} after a close frame
   * @param response the answer to a failed handshake, or {@code null}
   * @param uri the handshake's URI: its scheme, host, port and path name it in messages
   * @return the classified ending
   */
  public static Ending of(boolean wasOpen, int code, String reason, boolean remote,
      Throwable cause, HandshakeResponse response, URI uri) {
    String why = reason == null ? "" : reason;
    if (wasOpen) {
      return cause == null
          ? new Ending(Failure.closed(code, why, remote), code, why, null, false, uri)
          : new Ending(Failure.io(cause), 1006, why, cause, false, uri);
    }
    Throwable failed = cause != null ? cause
        : new IOException("connection ended during the handshake with code " + code);
    if (response == null) {
      // A handshake that hung says the pinned backend may be gone; a refused connection does not.
      return new Ending(Failure.io(failed), 1006, why, failed,
          failed instanceof ConnectionTimeoutException, uri);
    }
    HandshakeException refused = new HandshakeException(response.status(), uri, failed);
    Failure failure = Failure.handshake(
        response.status(), response.header("Retry-After").orElse(null), refused);
    // An answer from behind the balancer (5xx) says the pinned backend may be gone.
    return new Ending(failure, 1006, why, refused,
        response.status() >= 500 || failed instanceof ConnectionTimeoutException, uri);
  }

  /** @return what the reconnect policy decides on */
  public Failure failure() {
    return failure;
  }

  /** @return the close code the application is told: 1006 unless a close frame ended it */
  public int code() {
    return code;
  }

  /** @return the close reason, possibly empty */
  public String reason() {
    return reason;
  }

  /** @return the cause the application is told, or {@code null} after a close frame */
  public Throwable cause() {
    return cause;
  }

  /**
   * @return the cause of giving up, its message naming the scheme, host, port and path (never the
   *     query): a refused handshake's {@link HandshakeException}, else an {@link IOException} whose
   *     cause is what the transport reported
   */
  public Throwable gaveUpCause() {
    if (cause instanceof HandshakeException) {
      return cause;
    }
    return new IOException("gave up on " + where() + ": " + failure.describe(), cause);
  }

  /** @return the scheme, host, port and path of the URI, never its query */
  public String where() {
    String made = where;
    if (made == null) {
      made = Loggable.uri(uri);
      where = made;
    }
    return made;
  }

  /** @return whether this failed handshake says the pinned backend may be gone */
  public boolean backendSuspect() {
    return backendSuspect;
  }

  @Override
  public String toString() {
    return "Ending{" + failure.describe() + "}";
  }
}
