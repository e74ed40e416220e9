package io.stickyws.spring;

import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.spi.Loggable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One sticky connection seen through Spring: turns the connection's events into
 * {@link WebSocketHandler} calls, one new {@link ConnectionSession} per open.
 *
 * <p>Called on the connection's event thread, never concurrently; {@link #firstSession()} and
 * {@link #start} may be called from any thread.
 */
final class SessionBridge implements StickyWebSocketListener {
  private static final Logger log = LoggerFactory.getLogger(SessionBridge.class);

  private final WebSocketHandler handler;
  private final URI uri;
  private final Map<String, List<String>> headers;
  private final boolean reconnect;
  private final CompletableFuture<WebSocketSession> firstSession = new CompletableFuture<>();
  private volatile StickyWebSocket connection;
  private ConnectionSession current; // event thread only

  SessionBridge(WebSocketHandler handler, URI uri, Map<String, List<String>> headers,
      boolean reconnect) {
    this.handler = handler;
    this.uri = uri;
    this.headers = headers;
    this.reconnect = reconnect;
  }

  void start(StickyWebSocket webSocket) {
    connection = webSocket;
    firstSession.whenComplete((session, failure) -> {
      if (firstSession.isCancelled()) {
        webSocket.close();
      }
    });
  }

  CompletableFuture<WebSocketSession> firstSession() {
    return firstSession;
  }

  @Override
  public void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity,
      SameBackend sameBackend) {
    ConnectionSession session = new ConnectionSession(webSocket, uri, headers);
    session.getAttributes().put(StickyWebSocketClient.SAME_BACKEND, sameBackend);
    session.getAttributes().put(StickyWebSocketClient.ATTEMPT, attempt);
    if (affinity != null) {
      session.getAttributes().put(StickyWebSocketClient.AFFINITY, affinity);
    }
    current = session;
    call("afterConnectionEstablished", () -> handler.afterConnectionEstablished(session));
    firstSession.complete(session);
  }

  @Override
  public void onText(StickyWebSocket webSocket, String text) {
    deliver(new TextMessage(text));
  }

  @Override
  public void onBinary(StickyWebSocket webSocket, ByteBuffer data) {
    deliver(new BinaryMessage(data));
  }

  private void deliver(WebSocketMessage<?> message) {
    ConnectionSession session = current;
    if (session != null) {
      call("handleMessage", () -> handler.handleMessage(session, message));
    }
  }

  @Override
  public void onDisconnected(StickyWebSocket webSocket, int code, String reason, Throwable cause,
      boolean willRetry, Duration nextDelay) {
    ended(code, reason, cause);
    if (willRetry && !reconnect) {
      webSocket.close(); // the application reconnects itself
      firstSession.completeExceptionally(
          cause != null ? cause : new IOException("connection closed with " + code));
    }
  }

  @Override
  public void onGaveUp(StickyWebSocket webSocket, Throwable cause, int attempts, Duration elapsed) {
    ended(1006, "", null);
    firstSession.completeExceptionally(cause);
  }

  @Override
  public void onClosed(StickyWebSocket webSocket, int code, String reason) {
    ended(code, reason, null);
    firstSession.completeExceptionally(new IOException(
        "connection to " + Loggable.uri(uri) + " closed before it opened"));
  }

  /** Ends the current session, if one is open. */
  private void ended(int code, String reason, Throwable cause) {
    ConnectionSession session = current;
    if (session == null) {
      return;
    }
    current = null;
    session.ended();
    if (cause != null) {
      call("handleTransportError", () -> handler.handleTransportError(session, cause));
    }
    CloseStatus status = code >= 1000 && code <= 4999
        ? new CloseStatus(code, reason == null || reason.isEmpty() ? null : reason)
        : CloseStatus.NO_STATUS_CODE;
    call("afterConnectionClosed", () -> handler.afterConnectionClosed(session, status));
  }

  /** Spring's handlers may throw; the connection goes on. */
  private void call(String method, HandlerCall call) {
    try {
      call.run();
    } catch (Exception | LinkageError e) {
      log.warn("WebSocketHandler.{} failed for {}", method, Loggable.uri(uri), e);
    }
  }

  /** A handler method that may throw. */
  private interface HandlerCall {
    void run() throws Exception;
  }

  @Override
  public String toString() {
    return "SessionBridge{" + Loggable.uri(uri) + ", " + connection + "}";
  }
}
