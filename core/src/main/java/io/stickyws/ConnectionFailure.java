package io.stickyws;

import io.stickyws.internal.reconnect.Ending;
import java.time.Instant;
import java.util.Objects;

/**
 * What ended the last attempt or connection of a {@link StickyWebSocket}, as the application may
 * read it from {@link StickyWebSocket#lastFailure()}: the type of the failure and a message naming
 * the scheme, host, port and path of the URI and what happened (a handshake status, a close code,
 * the class of an I/O error). Never a query string, a header or cookie value, or the text of a
 * transport's exception.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ConnectionFailure {
  private final String type;
  private final Ending ending;
  private final Instant at;
  /** Made on first read: most failures are never read. */
  private volatile String message;

  private ConnectionFailure(String type, Ending ending, Instant at) {
    this.type = type;
    this.ending = ending;
    this.at = at;
  }

  static ConnectionFailure of(Ending ending, Instant at) {
    Throwable cause = ending.cause();
    String type = cause == null ? "close frame" : cause.getClass().getName();
    return new ConnectionFailure(type, ending, at);
  }

  /**
   * The type of the failure: the class name of what the transport or the engine reported
   * ({@code io.stickyws.HandshakeException}, {@code java.net.ConnectException},
   * {@code io.stickyws.ConnectionTimeoutException}...), or {@code close frame}.
   *
   * @return the type
   */
  public String type() {
    return type;
  }

  /**
   * What happened, e.g. {@code ws://app.example.com:8080/ws: handshake status 503}.
   *
   * @return the message, free of secrets
   */
  public String message() {
    String made = message;
    if (made == null) {
      made = ending.where() + ": " + ending.failure().describe();
      message = made;
    }
    return made;
  }

  /**
   * When it happened, by the session's clock.
   *
   * @return the instant
   */
  public Instant at() {
    return at;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof ConnectionFailure)) {
      return false;
    }
    ConnectionFailure that = (ConnectionFailure) other;
    return type.equals(that.type) && message().equals(that.message()) && at.equals(that.at);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, message(), at);
  }

  @Override
  public String toString() {
    return "ConnectionFailure{" + type + ", " + message() + ", at " + at + "}";
  }
}
