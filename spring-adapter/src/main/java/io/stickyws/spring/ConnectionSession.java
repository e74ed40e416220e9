package io.stickyws.spring;

import io.stickyws.StickyWebSocket;
import io.stickyws.spi.Loggable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One open of a sticky connection as a Spring {@link WebSocketSession}. It is open from that open
 * until the connection's next disconnect; sending goes through the sticky connection (its queue),
 * closing it closes the sticky connection for good. Pings and pongs are the engine's heartbeat:
 * sending them here does nothing.
 *
 * <p>Thread-safe.
 */
final class ConnectionSession implements WebSocketSession {
  private final String id = UUID.randomUUID().toString();
  private final StickyWebSocket connection;
  private final URI uri;
  private final HttpHeaders handshakeHeaders;
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();
  private volatile boolean ended;
  private volatile int textLimit = Integer.MAX_VALUE;
  private volatile int binaryLimit = Integer.MAX_VALUE;

  ConnectionSession(StickyWebSocket connection, URI uri, Map<String, List<String>> headers) {
    this.connection = connection;
    this.uri = uri;
    HttpHeaders copy = new HttpHeaders();
    headers.forEach(copy::addAll);
    this.handshakeHeaders = HttpHeaders.readOnlyHttpHeaders(copy);
  }

  void ended() {
    ended = true;
  }

  @Override
  public String getId() {
    return id;
  }

  @Override
  public URI getUri() {
    return uri;
  }

  /** The request headers the application gave (cookies from the jar are not among them). */
  @Override
  public HttpHeaders getHandshakeHeaders() {
    return handshakeHeaders;
  }

  @Override
  public Map<String, Object> getAttributes() {
    return attributes;
  }

  @Override
  public Principal getPrincipal() {
    return null;
  }

  /** Not known to stickyws: {@code null}. */
  @Override
  public InetSocketAddress getLocalAddress() {
    return null;
  }

  /** Not known to stickyws: {@code null}. */
  @Override
  public InetSocketAddress getRemoteAddress() {
    return null;
  }

  /** Not known to stickyws (the engine does not expose the 101's headers): {@code null}. */
  @Override
  public String getAcceptedProtocol() {
    return null;
  }

  @Override
  public void setTextMessageSizeLimit(int messageSizeLimit) {
    textLimit = messageSizeLimit;
  }

  @Override
  public int getTextMessageSizeLimit() {
    return textLimit;
  }

  @Override
  public void setBinaryMessageSizeLimit(int messageSizeLimit) {
    binaryLimit = messageSizeLimit;
  }

  @Override
  public int getBinaryMessageSizeLimit() {
    return binaryLimit;
  }

  @Override
  public List<WebSocketExtension> getExtensions() {
    return List.of();
  }

  /**
   * Sends through the sticky connection.
   *
   * @throws IOException if this session ended or the connection's queue refused the message
   */
  @Override
  public void sendMessage(WebSocketMessage<?> message) throws IOException {
    if (message instanceof PingMessage || message instanceof PongMessage) {
      return;
    }
    if (!isOpen()) {
      throw new IOException("session " + id + " to " + Loggable.uri(uri) + " is closed");
    }
    boolean accepted;
    if (message instanceof TextMessage) {
      accepted = connection.send(((TextMessage) message).getPayload());
    } else if (message instanceof BinaryMessage) {
      accepted = connection.send(((BinaryMessage) message).getPayload());
    } else {
      throw new IllegalArgumentException("message (" + message.getClass().getName()
          + ") must be a TextMessage or a BinaryMessage");
    }
    if (!accepted) {
      throw new IOException("message not accepted by the connection to " + Loggable.uri(uri));
    }
  }

  @Override
  public boolean isOpen() {
    return !ended && connection.state() == StickyWebSocket.State.OPEN;
  }

  @Override
  public void close() {
    close(CloseStatus.NORMAL);
  }

  /** Closes the sticky connection for good (no reconnect follows). */
  @Override
  public void close(CloseStatus status) {
    connection.close(status.getCode(), status.getReason() == null ? "" : status.getReason());
  }

  @Override
  public String toString() {
    return "ConnectionSession{" + id + ", " + Loggable.uri(uri) + "}";
  }
}
