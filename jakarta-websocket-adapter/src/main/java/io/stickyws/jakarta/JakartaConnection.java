package io.stickyws.jakarta;

import io.stickyws.spi.Buffers;
import io.stickyws.spi.CloseArguments;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt on a Jakarta container: its thread connects, writes the queued messages in order and
 * closes; the container's callbacks become listener events through the SPI's {@link SerialEvents}.
 *
 * <p>Thread-safe.
 */
final class JakartaConnection extends Endpoint implements TransportConnection {
  private static final Logger log = LoggerFactory.getLogger(JakartaConnection.class);
  private static final String TOMCAT_MAX_REDIRECTIONS =
      "org.apache.tomcat.websocket.MAX_REDIRECTIONS";

  /** A write for the attempt's thread; {@code STOP} ends its loop. */
  private interface Write {
    void run(Session session) throws IOException;
  }

  private static final Write STOP = session -> { };
  private static final long MAX_QUEUED_BYTES = 16L * 1024 * 1024;

  private final WebSocketContainer container;
  private final ClientEndpointConfig userConfig;
  private final HandshakeRequest request;
  private final TransportListener listener;
  private final String safeUri;
  private final SerialEvents events;
  private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Object lock = new Object();

  // guarded by lock
  private Thread thread;
  private boolean connecting = true;
  private boolean closeRequested;
  private boolean ended; // aborted or closed by the engine before the handshake completed
  private volatile Session session;
  private volatile HandshakeResponse answered; // what afterResponse saw, as if a 101
  private volatile Throwable firstError;

  JakartaConnection(WebSocketContainer container, ClientEndpointConfig userConfig,
      HandshakeRequest request, TransportListener listener) {
    this.container = container;
    this.userConfig = userConfig;
    this.request = request;
    this.listener = listener;
    this.safeUri = Loggable.uri(request.uri());
    this.events = new SerialEvents("jakarta " + safeUri);
  }

  void start(ThreadFactory threads) {
    synchronized (lock) {
      thread = threads.newThread(this::runAttempt);
    }
    thread.start(); // only written here, before the attempt can be ended
  }

  // ---- the attempt's thread ----

  private void runAttempt() {
    Session connected;
    try {
      connected = container.connectToServer(this, configForThisAttempt(), request.uri());
    } catch (Throwable t) {
      Thread.interrupted(); // an abort may have interrupted the handshake; the thread ends here
      HandshakeResponse refusal = FailedHandshake.responseOf(t, answered);
      log.debug("jakarta: handshake with {} failed: {} {}", safeUri, refusal, t.getClass().getName());
      events.postTerminal(() -> listener.onFailure(
          refusal == null ? t : new ProtocolException(
              "WebSocket handshake failed: HTTP " + refusal.status()), refusal));
      return;
    }
    boolean dropNow;
    synchronized (lock) {
      connecting = false;
      dropNow = ended;
    }
    Thread.interrupted();
    if (dropNow) {
      closeQuietly(connected, CloseReason.CloseCodes.GOING_AWAY, "");
      return;
    }
    writeUntilStopped(connected);
  }

  private void writeUntilStopped(Session connected) {
    for (Write write = nextWrite(); write != STOP; write = nextWrite()) {
      try {
        write.run(connected);
      } catch (IOException | RuntimeException e) { // the container reports the end on its own
        log.trace("jakarta: write to {} failed: {}", safeUri, e.toString());
        firstError = firstError == null ? e : firstError;
      }
    }
  }

  private Write nextWrite() {
    try {
      return writes.take();
    } catch (InterruptedException e) {
      return STOP; // interrupted by the owner of the thread factory: stop writing
    }
  }

  private ClientEndpointConfig configForThisAttempt() {
    ClientEndpointConfig.Configurator users = userConfig.getConfigurator();
    ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
        .preferredSubprotocols(userConfig.getPreferredSubprotocols())
        .extensions(userConfig.getExtensions())
        .encoders(userConfig.getEncoders())
        .decoders(userConfig.getDecoders())
        .sslContext(userConfig.getSSLContext())
        .configurator(new ClientEndpointConfig.Configurator() {
          @Override
          public void beforeRequest(Map<String, List<String>> headers) {
            if (users != null) {
              users.beforeRequest(headers);
            }
            headers.keySet().removeIf(name -> name.equalsIgnoreCase("Cookie"));
            request.headers().forEach((name, values) -> {
              headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
              String joiner = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
              headers.put(name, List.of(String.join(joiner, values)));
            });
          }

          @Override
          public void afterResponse(jakarta.websocket.HandshakeResponse response) {
            // header octets the container decoded as ISO-8859-1, as UTF-8 where valid UTF-8
            answered = HandshakeResponse.ofLatin1(101, response.getHeaders());
            if (users != null) {
              users.afterResponse(response);
            }
          }
        })
        .build();
    config.getUserProperties().putAll(userConfig.getUserProperties());
    // Tomcat follows handshake redirects (with our Cookie header) unless told not to: a handshake
    // is never redirected (see the README for Jetty's HttpClient setting)
    config.getUserProperties().put(TOMCAT_MAX_REDIRECTIONS, "0");
    return config;
  }

  // ---- the container's callbacks ----

  @Override
  public void onOpen(Session opened, EndpointConfig config) {
    session = opened;
    HandshakeResponse response = answered != null ? answered : HandshakeResponse.of(101, Map.of());
    log.debug("jakarta: opened {}", safeUri);
    events.post(() -> listener.onOpen(response));
    opened.addMessageHandler(String.class,
        (MessageHandler.Whole<String>) text -> events.post(() -> listener.onText(text)));
    opened.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> {
      ByteBuffer copy = Buffers.copy(data);
      events.post(() -> listener.onBinary(copy));
    });
    opened.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> {
      ByteBuffer copy = Buffers.copy(pong.getApplicationData());
      events.post(() -> listener.onPong(copy));
    });
  }

  @Override
  public void onError(Session failed, Throwable error) {
    firstError = firstError == null ? error : firstError;
    log.trace("jakarta: error on {}: {}", safeUri, error.toString());
  }

  @Override
  public void onClose(Session closed, CloseReason reason) {
    int code = reason.getCloseCode().getCode();
    String why = reason.getReasonPhrase() == null ? "" : reason.getReasonPhrase();
    boolean requested;
    synchronized (lock) {
      requested = closeRequested;
    }
    Throwable error = firstError;
    log.debug("jakarta: {} ended ({} {}, requested={})", safeUri, code, why, requested);
    if (code == CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode()) {
      terminate(() -> listener.onFailure(error != null ? error
          : new IOException("connection lost without a close frame"), null));
    } else if (!requested && error != null) {
      terminate(() -> listener.onFailure(error, null)); // the container closed on a protocol error
    } else {
      terminate(() -> listener.onClosed(code, why, !requested));
    }
  }

  // ---- TransportConnection ----

  @Override
  public boolean sendText(String text) {
    return enqueue(text.length() * 2L, s -> s.getBasicRemote().sendText(text));
  }

  @Override
  public boolean sendBinary(ByteBuffer data) {
    ByteBuffer copy = Buffers.copy(data);
    return enqueue(copy.remaining(), s -> s.getBasicRemote().sendBinary(copy));
  }

  @Override
  public boolean sendPing(ByteBuffer payload) {
    if (payload.remaining() > 125) {
      return false;
    }
    ByteBuffer copy = Buffers.copy(payload);
    return enqueue(0, s -> s.getBasicRemote().sendPing(copy));
  }

  private boolean enqueue(long bytes, Write write) {
    if (session == null || events.terminated()) {
      return false;
    }
    if (queuedBytes.addAndGet(bytes) > MAX_QUEUED_BYTES) {
      queuedBytes.addAndGet(-bytes);
      return false;
    }
    return writes.add(s -> {
      queuedBytes.addAndGet(-bytes);
      write.run(s);
    });
  }

  @Override
  public void close(int code, String reason) {
    String why = CloseArguments.check(code, reason);
    boolean beforeOpen;
    synchronized (lock) {
      if (closeRequested || ended || events.terminated()) {
        return;
      }
      closeRequested = true;
      beforeOpen = session == null;
    }
    log.debug("jakarta: closing {} with {}", safeUri, code);
    if (beforeOpen) {
      endBeforeOpen(() -> listener.onClosed(code, why, false));
      return;
    }
    writes.add(s -> s.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), why)));
  }

  @Override
  public void abort() {
    boolean beforeOpen;
    synchronized (lock) {
      if (ended || events.terminated()) {
        return;
      }
      beforeOpen = session == null;
    }
    log.debug("jakarta: aborting {}", safeUri);
    if (beforeOpen) {
      endBeforeOpen(() -> listener.onFailure(new IOException("connection aborted"), null));
      return;
    }
    // the Jakarta API cannot drop a connection: end the attempt now, close it in the background
    writes.add(s -> closeQuietly(s, CloseReason.CloseCodes.GOING_AWAY, "aborted"));
    terminate(() -> listener.onFailure(new IOException("connection aborted"), null));
  }

  /** Ends an attempt whose handshake has not completed; a session that still comes is closed. */
  private void endBeforeOpen(Runnable terminal) {
    Thread connectingThread;
    synchronized (lock) {
      ended = true;
      connectingThread = connecting ? thread : null;
    }
    terminate(terminal);
    if (connectingThread != null) {
      connectingThread.interrupt(); // our own thread, blocked in connectToServer
    }
  }

  private void terminate(Runnable terminal) {
    if (events.postTerminal(terminal)) {
      writes.add(STOP);
    }
  }

  // ---- helpers ----

  private void closeQuietly(Session s, CloseReason.CloseCode code, String reason) {
    try {
      s.close(new CloseReason(code, reason));
    } catch (IOException | RuntimeException e) {
      log.trace("jakarta: closing {} failed: {}", safeUri, e.toString());
    }
  }

  @Override
  public String toString() {
    return "JakartaConnection{" + safeUri + "}";
  }
}
