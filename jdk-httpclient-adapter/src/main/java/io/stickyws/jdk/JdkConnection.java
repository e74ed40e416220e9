package io.stickyws.jdk;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.ResponseHead;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt on {@code java.net.http.WebSocket}: the SPI connection and the JDK listener.
 *
 * <p>Sends are chained one after the other (the JDK allows one outstanding text/binary send and one
 * outstanding ping/pong), receives are requested one at a time and fragments assembled. State is
 * guarded by {@code lock}; no JDK call and no listener call is made under it.
 *
 * <p>Thread-safe.
 */
final class JdkConnection implements TransportConnection, WebSocket.Listener {
  private static final Logger log = LoggerFactory.getLogger(JdkTransport.class);

  private final HttpClient client;
  private final PendingHandshakes handshakes;
  private final HandshakeRequest request;
  private final long maxOutboundBytes;
  private final TransportListener listener;
  private final SerialEvents events;

  private final Object lock = new Object();
  private PendingHandshakes.Entry entry; // guarded by lock; set once in start()
  private CompletableFuture<WebSocket> handshake; // guarded by lock
  private WebSocket webSocket; // guarded by lock
  private boolean aborted; // guarded by lock
  private boolean closing; // guarded by lock
  private int closeCode; // guarded by lock
  private String closeReason; // guarded by lock
  private CompletableFuture<Void> sendTail = CompletableFuture.completedFuture(null); // by lock
  private long outboundBytes; // guarded by lock

  // Receive side: the JDK calls the listener sequentially, one message part per request(1).
  private StringBuilder textParts;
  private List<ByteBuffer> binaryParts;

  JdkConnection(HttpClient client, PendingHandshakes handshakes, HandshakeRequest request,
      TransportListener listener, long maxOutboundBytes) {
    this.client = client;
    this.handshakes = handshakes;
    this.request = request;
    this.maxOutboundBytes = maxOutboundBytes;
    this.listener = listener;
    this.events = new SerialEvents("jdk " + Loggable.uri(request.uri()));
  }

  /** Registers the attempt and hands it to the JDK now, or once an identical one has been sent. */
  void start() {
    PendingHandshakes.Entry registered =
        handshakes.newEntry(httpUri(request.uri()), request.headers(), this::buildAsync);
    synchronized (lock) {
      entry = registered;
    }
    if (handshakes.register(registered)) {
      buildAsync();
    } else {
      log.debug("jdk handshake to {} waits for an identical one to be sent", request);
    }
  }

  private void buildAsync() {
    synchronized (lock) {
      if (aborted) {
        return;
      }
    }
    CompletableFuture<WebSocket> future;
    try {
      WebSocket.Builder builder = client.newWebSocketBuilder();
      List<String> subprotocols = new ArrayList<>();
      request.headers().forEach((name, values) -> {
        if (name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
          for (String value : values) {
            for (String protocol : value.split(",")) {
              if (!protocol.isBlank()) {
                subprotocols.add(protocol.trim());
              }
            }
          }
        } else {
          for (String value : values) {
            builder.header(name, value);
          }
        }
      });
      if (!subprotocols.isEmpty()) {
        builder.subprotocols(subprotocols.get(0),
            subprotocols.subList(1, subprotocols.size()).toArray(new String[0]));
      }
      log.debug("jdk handshake to {} started", request);
      future = builder.buildAsync(request.uri(), this);
    } catch (RuntimeException e) {
      handshakeFailed(e);
      return;
    }
    boolean cancel;
    synchronized (lock) {
      handshake = future;
      cancel = aborted;
    }
    if (cancel) {
      future.cancel(true);
      return;
    }
    future.whenComplete((ws, error) -> {
      if (error != null) {
        handshakeFailed(error);
      }
    });
  }

  private void handshakeFailed(Throwable error) {
    Throwable cause = Loggable.failure(unwrap(error)); // the JDK's messages quote header values
    PendingHandshakes.Entry registered;
    boolean abort;
    synchronized (lock) {
      registered = entry;
      abort = aborted;
    }
    handshakes.release(registered);
    if (abort) {
      return; // the abort was reported already
    }
    HandshakeResponse response = null;
    if (cause instanceof WebSocketHandshakeException) {
      HttpResponse<?> http = ((WebSocketHandshakeException) cause).getResponse();
      if (http != null) {
        response = HandshakeResponse.of(http.statusCode(), utf8(http.headers().map()));
      }
    }
    log.debug("jdk handshake to {} failed: {}", request,
        response != null ? "status " + response.status() : cause.getClass().getName());
    HandshakeResponse answer = response;
    events.postTerminal(() -> listener.onFailure(cause, answer));
  }

  // --- WebSocket.Listener: called by the JDK sequentially, never concurrently ---

  @Override
  public void onOpen(WebSocket ws) {
    PendingHandshakes.Entry registered;
    boolean abort;
    synchronized (lock) {
      registered = entry;
      abort = aborted;
      if (!abort) {
        webSocket = ws;
      }
      entry = null; // the handshake's bookkeeping is done: do not keep it for the connection's life
      handshake = null;
    }
    // The JDK called CookieHandler.put with the 101 headers before it built this WebSocket: the
    // response filters run before the response future completes, and onOpen follows that completion.
    Map<String, List<String>> headers = registered == null ? null : registered.captured();
    handshakes.release(registered);
    if (abort) {
      ws.abort(); // aborted while the handshake was in flight: drop it, the abort was reported
      return;
    }
    if (headers == null) {
      log.debug("jdk handshake to {} opened, but its response headers were not captured", request);
      headers = Map.of();
    } else {
      log.debug("jdk handshake to {} opened", request);
    }
    HandshakeResponse response = HandshakeResponse.of(101, utf8(headers));
    events.post(() -> listener.onOpen(response));
    ws.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    if (last && textParts == null) {
      String text = data.toString();
      events.post(() -> listener.onText(text));
    } else {
      if (textParts == null) {
        textParts = new StringBuilder();
      }
      textParts.append(data);
      if (last) {
        String text = textParts.toString();
        textParts = null;
        events.post(() -> listener.onText(text));
      }
    }
    ws.request(1);
    return null; // data was copied: the JDK may reuse it at once
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    if (last && binaryParts == null) {
      ByteBuffer whole = copy(data);
      events.post(() -> listener.onBinary(whole));
    } else {
      if (binaryParts == null) {
        binaryParts = new ArrayList<>();
      }
      binaryParts.add(copy(data));
      if (last) {
        int size = 0;
        for (ByteBuffer part : binaryParts) {
          size += part.remaining();
        }
        ByteBuffer whole = ByteBuffer.allocate(size);
        for (ByteBuffer part : binaryParts) {
          whole.put(part);
        }
        whole.flip();
        binaryParts = null;
        events.post(() -> listener.onBinary(whole));
      }
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
    ws.request(1); // the JDK answers the ping with a pong itself
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
    ByteBuffer payload = copy(message);
    events.post(() -> listener.onPong(payload));
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    if (statusCode == WebSocket.NORMAL_CLOSURE + 6) {
      // 1006 never travels in a close frame: the JDK reports a connection that ended without one.
      log.debug("jdk connection to {} ended without a close frame", request);
      events.postTerminal(() -> listener.onFailure(
          new IOException("connection ended without a close frame (1006)"), null));
      return null;
    }
    boolean remote;
    int code;
    String why;
    synchronized (lock) {
      remote = !closing;
      closing = true;
      code = remote ? statusCode : closeCode;
      why = remote ? reason : closeReason;
    }
    log.debug("jdk connection to {} closed by the {} ({})", request,
        remote ? "server" : "client", code);
    events.postTerminal(() -> listener.onClosed(code, why, remote));
    // Returning a completed stage: the JDK now answers the server's close with the same code (if
    // we have not sent one already) and closes the TCP connection.
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
    ByteBuffer copy = copy(data);
    return send(copy.remaining(), ws -> ws.sendBinary(copy, true));
  }

  @Override
  public boolean sendPing(ByteBuffer payload) {
    if (payload.remaining() > 125) {
      return false;
    }
    ByteBuffer copy = copy(payload);
    return send(copy.remaining(), ws -> ws.sendPing(copy));
  }

  @Override
  public void close(int code, String reason) {
    WebSocket ws;
    boolean pendingHandshake;
    synchronized (lock) {
      if (closing || aborted || events.terminated()) {
        return;
      }
      closing = true;
      closeCode = code;
      closeReason = reason;
      ws = webSocket;
      pendingHandshake = ws == null;
    }
    if (pendingHandshake) {
      // Nothing to close yet: drop the handshake and end the attempt as the engine asked.
      stopHandshake();
      events.postTerminal(() -> listener.onClosed(code, reason, false));
      return;
    }
    log.debug("jdk connection to {}: sending close ({})", request, code);
    chain(ws, 0, w -> w.sendClose(code, reason));
  }

  @Override
  public void abort() {
    WebSocket ws;
    synchronized (lock) {
      if (aborted) {
        return;
      }
      aborted = true;
      ws = webSocket;
    }
    log.debug("jdk connection to {} aborted", request);
    if (ws != null) {
      ws.abort(); // the JDK calls no listener method after this: report the end ourselves
    } else {
      stopHandshake();
    }
    events.postTerminal(() -> listener.onFailure(new IOException("aborted"), null));
  }

  private void stopHandshake() {
    CompletableFuture<WebSocket> future;
    PendingHandshakes.Entry registered;
    synchronized (lock) {
      aborted = true;
      future = handshake;
      registered = entry;
    }
    if (future != null) {
      // Cancelling does not stop the JDK's exchange; if it still completes, onOpen aborts it.
      future.cancel(true);
    }
    handshakes.release(registered);
  }

  private interface Send {
    CompletableFuture<WebSocket> on(WebSocket ws);
  }

  private boolean send(long size, Send send) {
    WebSocket ws;
    synchronized (lock) {
      ws = webSocket;
      if (ws == null || closing || aborted || events.terminated()
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
    CompletableFuture<Void> previous;
    synchronized (lock) {
      previous = sendTail;
      sendTail = mine;
    }
    previous
        .thenCompose(ignored -> guarded(() -> send.on(ws)))
        .whenComplete((ignored, error) -> {
          synchronized (lock) {
            outboundBytes -= size;
          }
          if (error != null) {
            // The JDK reports the broken connection on onError; nothing to do here.
            log.trace("jdk send to {} failed: {}", request, unwrap(error).getClass().getName());
          }
          mine.complete(null);
        });
  }

  private static CompletableFuture<WebSocket> guarded(Supplier<CompletableFuture<WebSocket>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static ByteBuffer copy(ByteBuffer data) {
    ByteBuffer copy = ByteBuffer.allocate(data.remaining());
    copy.put(data.duplicate());
    copy.flip();
    return copy;
  }

  /** The JDK reads header octets as ISO-8859-1: values that are valid UTF-8 are decoded so. */
  private static Map<String, List<String>> utf8(Map<String, List<String>> headers) {
    Map<String, List<String>> decoded = new LinkedHashMap<>();
    headers.forEach((name, values) -> decoded.put(name,
        values.stream().map(ResponseHead::utf8IfValid).collect(Collectors.toList())));
    return decoded;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** ws → http, wss → https, the rest unchanged: the URI the JDK shows its CookieHandler. */
  static URI httpUri(URI uri) {
    String s = uri.toString();
    String scheme = uri.getScheme();
    String http = scheme.equalsIgnoreCase("wss") ? "https" : "http";
    try {
      return new URI(http + s.substring(scheme.length()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("uri cannot be mapped to http: " + e.getReason(), e);
    }
  }
}
