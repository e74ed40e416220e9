package io.stickyws.jdk;

import io.stickyws.spi.Buffers;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.MessageParts;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt on {@code java.net.http.WebSocket}: the SPI connection and the JDK listener.
 *
 * <p>Sends are chained one after the other (the JDK allows one outstanding text/binary send and one
 * outstanding ping/pong); received fragments are assembled. State is guarded by {@code lock}; no
 * JDK call and no listener call is made under it. The handshake's bookkeeping is dropped once it
 * ended.
 *
 * <p>Thread-safe.
 */
final class JdkConnection implements TransportConnection, WebSocket.Listener {
  private static final Logger log = LoggerFactory.getLogger(JdkTransport.class);

  private final PendingHandshakes handshakes;
  private final PendingHandshakes.Entry entry;
  private final HandshakeRequest request;
  private final TransportListener listener;
  private final long maxOutboundBytes;
  private final SerialEvents events;

  private final Object lock = new Object();
  private WebSocket webSocket; // guarded by lock
  private Runnable closed; // guarded by lock: the terminal event once either side sent a close
  private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null); // by lock
  private long outboundBytes; // guarded by lock

  /** The JDK calls the listener sequentially, one message part at a time. */
  private final MessageParts parts = new MessageParts();

  JdkConnection(WebSocket.Builder builder, PendingHandshakes handshakes, HandshakeRequest request,
      TransportListener listener, long maxOutboundBytes) {
    this.handshakes = handshakes;
    this.request = request;
    this.listener = listener;
    this.maxOutboundBytes = maxOutboundBytes;
    this.events = new SerialEvents("jdk " + Loggable.uri(request.uri()));
    // keyed by the http(s) URI: the one the JDK shows its CookieHandler
    this.entry =
        handshakes.newEntry(request.httpUri(), request.headers(), () -> buildAsync(builder));
  }

  /** Hands the attempt to the JDK now, or once an identical one has been sent. */
  void start() {
    if (!handshakes.register(entry)) {
      log.debug("jdk handshake to {} waits for an identical one to be sent", request);
    }
  }

  private void buildAsync(WebSocket.Builder builder) {
    if (events.terminated()) {
      return; // aborted while it waited
    }
    log.debug("jdk handshake to {} started", request);
    // thenCompose turns a throw into a failure: this may run on a JDK thread (PendingHandshakes)
    CompletableFuture.completedFuture(builder)
        .thenCompose(b -> b.buildAsync(request.uri(), this))
        .exceptionally(error -> {
          handshakeFailed(unwrap(error));
          return null;
        });
  }

  private void handshakeFailed(Throwable error) {
    handshakes.release(entry);
    HttpResponse<?> http = error instanceof WebSocketHandshakeException e ? e.getResponse() : null;
    HandshakeResponse response = http == null ? null // the JDK reads header octets as ISO-8859-1
        : HandshakeResponse.ofLatin1(http.statusCode(), http.headers().map());
    Throwable cause = Loggable.failure(error); // the JDK's messages quote header values
    log.debug("jdk handshake to {} failed: {}", request,
        response != null ? "status " + response.status() : cause.getClass().getName());
    events.postTerminal(() -> listener.onFailure(cause, response)); // dropped after an abort
  }

  // --- WebSocket.Listener: called by the JDK sequentially, never concurrently ---

  @Override
  public void onOpen(WebSocket ws) {
    // The JDK called CookieHandler.put with the 101 headers before it built this WebSocket: the
    // response filters run before the response future completes; onOpen follows that completion.
    Map<String, List<String>> headers = entry.captured();
    handshakes.release(entry);
    boolean abort;
    synchronized (lock) {
      abort = events.terminated();
      webSocket = abort ? null : ws;
    }
    if (abort) {
      ws.abort(); // aborted while the handshake was in flight: drop it, the abort was reported
      return;
    }
    log.debug("jdk handshake to {} opened{}", request,
        headers == null ? ", but its response headers were not captured" : "");
    HandshakeResponse response =
        HandshakeResponse.ofLatin1(101, headers == null ? Map.of() : headers);
    events.post(() -> listener.onOpen(response));
    ws.request(Long.MAX_VALUE); // every message at once: the callbacks below never hold one back
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    String text = parts.text(data, last);
    if (text != null) {
      events.post(() -> listener.onText(text));
    }
    return null; // data was copied: the JDK may reuse it at once
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    ByteBuffer whole = parts.binary(data, last);
    if (whole != null) {
      events.post(() -> listener.onBinary(whole));
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
    ByteBuffer payload = Buffers.copy(message);
    events.post(() -> listener.onPong(payload));
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    if (statusCode == 1006) {
      // 1006 never travels in a close frame: the JDK reports a connection that ended without one.
      log.debug("jdk connection to {} ended without a close frame", request);
      events.postTerminal(() -> listener.onFailure(
          new IOException("connection ended without a close frame (1006)"), null));
      return null;
    }
    Runnable terminal;
    synchronized (lock) {
      if (closed == null) { // the server closed first
        closed = () -> listener.onClosed(statusCode, reason, true);
      }
      terminal = closed;
    }
    log.debug("jdk connection to {} received close {}", request, statusCode);
    events.postTerminal(terminal);
    // Returning no stage: the JDK now answers the server's close with the same code (if we have
    // not sent one already) and closes the TCP connection.
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    log.debug("jdk connection to {} failed: {}", request, error.getClass().getName());
    events.postTerminal(() -> listener.onFailure(Loggable.failure(error), null));
  }

  // --- TransportConnection ---

  @Override
  public boolean sendText(String text) {
    return send(text.length(), ws -> ws.sendText(text, true));
  }

  @Override
  public boolean sendBinary(ByteBuffer data) {
    ByteBuffer copy = Buffers.copy(data);
    return send(copy.remaining(), ws -> ws.sendBinary(copy, true));
  }

  @Override
  public boolean sendPing(ByteBuffer payload) {
    ByteBuffer copy = Buffers.copy(payload);
    return copy.remaining() <= 125 && send(copy.remaining(), ws -> ws.sendPing(copy));
  }

  @Override
  public void close(int code, String reason) {
    WebSocket ws;
    synchronized (lock) {
      if (closed != null || events.terminated()) {
        return;
      }
      closed = () -> listener.onClosed(code, reason, false);
      ws = webSocket;
      if (ws == null) {
        events.addTerminal(closed); // nothing to close yet: the handshake is dropped
      }
    }
    if (ws == null) {
      handshakes.release(entry);
      events.drain();
    } else {
      log.debug("jdk connection to {}: sending close ({})", request, code);
      chain(ws, 0, w -> w.sendClose(code, reason));
    }
  }

  @Override
  public void abort() {
    WebSocket ws;
    synchronized (lock) {
      ws = webSocket;
      events.addTerminal(() -> listener.onFailure(new IOException("aborted"), null));
    }
    log.debug("jdk connection to {} aborted", request);
    if (ws != null) {
      ws.abort(); // the JDK calls no listener method after this: report the end ourselves
    }
    // A handshake in flight is not stopped inside the JDK; if it completes, onOpen aborts it.
    handshakes.release(entry);
    events.drain();
  }

  private interface Send extends Function<WebSocket, CompletableFuture<WebSocket>> {}

  private boolean send(long size, Send send) {
    WebSocket ws;
    synchronized (lock) {
      ws = webSocket;
      if (ws == null || closed != null || events.terminated()
          || outboundBytes + size > maxOutboundBytes) {
        return false;
      }
      outboundBytes += size;
    }
    chain(ws, size, send);
    return true;
  }

  /** Runs {@code send} once every earlier send completed; the JDK call is made outside the lock. */
  private void chain(WebSocket ws, long size, Send send) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<?> previous;
    synchronized (lock) {
      previous = sendTail;
      sendTail = mine;
    }
    previous.thenCompose(ignored -> send.apply(ws)).whenComplete((ignored, error) -> {
      synchronized (lock) {
        outboundBytes -= size;
      }
      if (error != null) { // the JDK reports a broken connection on onError
        log.trace("jdk send to {} failed: {}", request, unwrap(error).getClass().getName());
      }
      mine.complete(null);
    });
  }

  /** A dependent stage wraps the failure it passes on (once, never nested). */
  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
  }
}
