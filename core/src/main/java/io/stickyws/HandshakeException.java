package io.stickyws;

import java.io.IOException;

/**
 * The server answered a handshake with a status other than {@code 101 Switching Protocols}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HandshakeException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status the server answered. */
  private final int status;

  /**
   * Creates the exception.
   *
   * @param status the HTTP status the server answered
   * @param cause what the transport reported, or {@code null}
   */
  public HandshakeException(int status, Throwable cause) {
    super("handshake answered with HTTP " + status, cause);
    this.status = status;
  }

  /**
   * The HTTP status the server answered.
   *
   * @return the status code
   */
  public int status() {
    return status;
  }
}
