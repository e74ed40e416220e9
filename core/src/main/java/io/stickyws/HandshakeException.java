package io.stickyws;

import io.stickyws.spi.Loggable;
import java.io.IOException;
import java.net.URI;

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
   * Creates the exception, naming the scheme, host, port and path of the URI (never its query).
   * A success or redirect status (200-399) says the URI is not a WebSocket endpoint.
   *
   * @param status the HTTP status the server answered
   * @param uri the handshake's URI
   * @param cause what the transport reported, or {@code null}
   */
  public HandshakeException(int status, URI uri, Throwable cause) {
    super("handshake answered with HTTP " + status + " by " + Loggable.uri(uri)
        + (status >= 200 && status < 400 ? ": not a WebSocket endpoint" : ""), cause);
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
