package io.stickyws.internal.reconnect;

import java.util.Objects;
import java.util.Optional;

/**
 * What ended one connection attempt or one open connection: a failed handshake, a close frame, or
 * an I/O problem (refused, reset, TLS, timeout, dropped without a close frame, pong timeout).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Failure {

  /**
   * The three ways an attempt or a connection ends.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum Kind {
    /** The server answered the upgrade request with something other than {@code 101}. */
    HANDSHAKE,
    /** A close frame was received (remote) or sent (local). */
    CLOSED,
    /** The transport failed without a handshake status or a close frame. */
    IO
  }

  private final Kind kind;
  private final int status;
  private final int closeCode;
  private final String reason;
  private final boolean remote;
  private final Throwable cause;
  private final String retryAfterHeader;

  private Failure(
      Kind kind,
      int status,
      int closeCode,
      String reason,
      boolean remote,
      Throwable cause,
      String retryAfterHeader) {
    this.kind = kind;
    this.status = status;
    this.closeCode = closeCode;
    this.reason = reason;
    this.remote = remote;
    this.cause = cause;
    this.retryAfterHeader = retryAfterHeader;
  }

  /**
   * A handshake answered with a non-101 status.
   *
   * @param status the HTTP status
   * @param retryAfterHeader the raw {@code Retry-After} header value, or {@code null}
   * @param cause the exception the transport reported, or {@code null}
   * @return the failure
   */
  public static Failure handshake(int status, String retryAfterHeader, Throwable cause) {
    return new Failure(Kind.HANDSHAKE, status, -1, "", true, cause, retryAfterHeader);
  }

  /**
   * A connection ended by a close frame.
   *
   * @param code the close code
   * @param reason the close reason, {@code null} treated as empty
   * @param remote {@code true} if the server sent the close frame first
   * @return the failure
   */
  public static Failure closed(int code, String reason, boolean remote) {
    return new Failure(Kind.CLOSED, -1, code, reason == null ? "" : reason, remote, null, null);
  }

  /**
   * A transport failure without status or close frame.
   *
   * @param cause what the transport reported
   * @return the failure
   */
  public static Failure io(Throwable cause) {
    Objects.requireNonNull(cause, "cause == null");
    return new Failure(Kind.IO, -1, -1, "", true, cause, null);
  }

  /** @return how the attempt or connection ended */
  public Kind kind() {
    return kind;
  }

  /** @return the handshake status, or -1 unless {@link Kind#HANDSHAKE} */
  public int status() {
    return status;
  }

  /** @return the close code, or -1 unless {@link Kind#CLOSED} */
  public int closeCode() {
    return closeCode;
  }

  /** @return the close reason, empty unless {@link Kind#CLOSED} */
  public String reason() {
    return reason;
  }

  /** @return {@code true} unless a {@link Kind#CLOSED} failure was initiated locally */
  public boolean remote() {
    return remote;
  }

  /** @return the exception the transport reported, or {@code null} */
  public Throwable cause() {
    return cause;
  }

  /** @return the raw {@code Retry-After} header of a handshake response, if any */
  public Optional<String> retryAfterHeader() {
    return Optional.ofNullable(retryAfterHeader);
  }

  /**
   * A short description without close reason text or exception messages (they may carry hosts,
   * paths or query strings).
   *
   * @return e.g. {@code handshake status 503}, {@code close code 1006 (remote)}, {@code I/O error
   *     (ConnectException)}
   */
  public String describe() {
    switch (kind) {
      case HANDSHAKE:
        return "handshake status " + status
            + (status >= 200 && status < 400 ? " (not a WebSocket endpoint)" : "");
      case CLOSED:
        return "close code " + closeCode + (remote ? " (remote)" : " (local)");
      default:
        return "I/O error (" + cause.getClass().getSimpleName() + ")";
    }
  }

  @Override
  public String toString() {
    return "Failure{" + describe() + "}";
  }
}
