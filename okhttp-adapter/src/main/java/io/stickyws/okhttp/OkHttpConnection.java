package io.stickyws.okhttp;

import io.stickyws.spi.CloseArguments;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import io.stickyws.spi.WatchedSocketFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection attempt on OkHttp: translates {@link WebSocketListener} callbacks into
 * {@link TransportListener} events, and {@link TransportConnection} calls into {@link WebSocket}
 * calls.
 *
 * <p>OkHttp calls its listener from a reader thread (open, messages, closing) and, for a failed
 * write or a missing pong, from a writer thread; so events go through {@link SerialEvents}, drained
 * by whichever OkHttp thread posts first. No lock is held while the engine's listener runs, and no
 * thread is created.
 *
 * <p>Thread-safe.
 */
final class OkHttpConnection extends WebSocketListener implements TransportConnection {
  private static final Logger log = LoggerFactory.getLogger(OkHttpConnection.class);

  private final TransportListener listener;
  private final String safeUri;

  private final SerialEvents events;
  private final OkHttpPings pings;

  private volatile WebSocket webSocket;
  private volatile boolean open;
  /** Set when the engine asked to close, before the server's close frame arrived. */
  private volatile boolean closeRequested;
  /** The server's close frame, once read; {@code remote} if it came before the engine's. */
  private volatile Close received;

  private record Close(int code, String reason, boolean remote) {}

  OkHttpConnection(TransportListener listener, URI uri, int pingInterval) {
    this.listener = listener;
    this.safeUri = Loggable.uri(uri);
    this.events = new SerialEvents("okhttp " + safeUri);
    this.pings = new OkHttpPings(pingInterval,
        payload -> events.post(() -> listener.onPong(payload)));
  }

  /**
   * Starts the handshake on a client of its own whose sockets {@link OkHttpPings} watches; OkHttp
   * may report a failure before this returns.
   */
  void start(OkHttpClient client, Request request) {
    log.debug("opening {}", safeUri);
    webSocket = client.newBuilder()
        .socketFactory(new WatchedSocketFactory(client.socketFactory(), pings)).build()
        .newWebSocket(request, this);
  }

  @Override
  public boolean sendText(String text) {
    WebSocket ws = webSocket;
    return open && !events.terminated() && ws != null && pings.send(ws, text);
  }

  @Override
  public boolean sendBinary(ByteBuffer data) {
    WebSocket ws = webSocket;
    if (!open || events.terminated() || ws == null) {
      return false;
    }
    // ByteString.of copies the remaining bytes; the duplicate leaves the caller's position alone.
    return pings.send(ws, ByteString.of(data.duplicate()));
  }

  /**
   * OkHttp cannot send a ping on demand: the ping is answered late, once OkHttp's own ping that
   * followed the messages sent before it got its pong ({@link OkHttpPings}). {@code false} when
   * OkHttp does not ping on this connection ({@code pingInterval} 0).
   */
  @Override
  public boolean sendPing(ByteBuffer payload) {
    return open && !events.terminated() && pings.confirmLater(payload);
  }

  @Override
  public void close(int code, String reason) {
    WebSocket ws = webSocket;
    if (events.terminated() || ws == null) {
      return;
    }
    closeRequested = true;
    log.debug("closing {} with {}", safeUri, code);
    ws.close(code, reason);
  }

  @Override
  public void abort() {
    WebSocket ws = webSocket;
    if (events.terminated() || ws == null) {
      return;
    }
    log.debug("aborting {}", safeUri);
    ws.cancel();
    // OkHttp reports the cancel as onFailure on its own thread, usually; report it now so that
    // exactly one terminal event follows an abort in every state. OkHttp's own report is dropped.
    events.postTerminal(() -> listener.onFailure(new IOException("aborted"), null));
  }

  @Override
  public void onOpen(WebSocket ws, Response response) {
    try {
      HandshakeResponse handshake = handshakeResponse(response);
      pings.opened(ws);
      open = true;
      log.debug("opened {}", safeUri);
      events.post(() -> listener.onOpen(handshake));
    } catch (RuntimeException e) {
      log.warn("could not report the open of {}", safeUri, e);
    }
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    events.post(() -> listener.onText(text));
  }

  @Override
  public void onMessage(WebSocket ws, ByteString bytes) {
    ByteBuffer data = ByteBuffer.wrap(bytes.toByteArray());
    events.post(() -> listener.onBinary(data));
  }

  @Override
  public void onClosing(WebSocket ws, int code, String reason) {
    try {
      Close close = new Close(code, reason == null ? "" : reason, !closeRequested);
      received = close;
      log.debug("{} received close {} (remote first: {})", safeUri, code, close.remote());
      // OkHttp does not answer a close frame by itself: complete the closing handshake, echoing the
      // code when it may be sent (1005 "no status" may not). Does nothing if we closed first.
      ws.close(CloseArguments.sendable(code) ? code : 1000, null);
    } catch (RuntimeException e) {
      log.warn("could not answer the close frame of {}", safeUri, e);
    }
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    boolean remote = received != null && received.remote();
    String why = reason == null ? "" : reason;
    log.debug("closed {} with {} (remote: {})", safeUri, code, remote);
    events.postTerminal(() -> listener.onClosed(code, why, remote));
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, Response response) {
    try {
      HandshakeResponse handshake = response == null ? null : handshakeResponse(response);
      Close close = received;
      if (handshake == null && close != null) {
        // The peer's close frame arrived, then the socket failed before OkHttp finished the
        // closing handshake: the close code is what the engine needs.
        log.debug("closed {} with {} then failed: {}", safeUri, close.code(), t.toString());
        events.postTerminal(() -> listener.onClosed(close.code(), close.reason(), close.remote()));
      } else {
        log.debug("failed {}: {} (status {})", safeUri, t.getClass().getName(),
            handshake == null ? "none" : handshake.status());
        events.postTerminal(() -> listener.onFailure(t, handshake));
      }
    } catch (RuntimeException e) {
      log.warn("could not report the failure of {}", safeUri, e);
      events.postTerminal(() -> listener.onFailure(t, null));
    }
  }

  /** Every header of the response, repeated ones as separate values in order. */
  static HandshakeResponse handshakeResponse(Response response) {
    Headers headers = response.headers();
    HandshakeResponse.Builder builder = HandshakeResponse.builder(response.code());
    for (int i = 0; i < headers.size(); i++) {
      builder.add(headers.name(i), headers.value(i));
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "OkHttpConnection{" + safeUri + "}";
  }
}
