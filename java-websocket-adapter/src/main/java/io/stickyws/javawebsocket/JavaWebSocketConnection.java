package io.stickyws.javawebsocket;

import io.stickyws.spi.Buffers;
import io.stickyws.spi.CloseArguments;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.HeaderLines;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.ResponseHead;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Consumer;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.framing.PingFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection attempt on a fresh Java-WebSocket {@link WebSocketClient}: translates the
 * library's callbacks into {@link TransportListener} events and the SPI's calls into the library's.
 *
 * <p>Listener calls go through {@link SerialEvents}: the library calls back on its read thread and,
 * when a write fails, on its write thread; events run one at a time on whichever thread arrives
 * first, and exactly one terminal event is reported.
 *
 * <p>Thread-safe.
 */
final class JavaWebSocketConnection implements TransportConnection {
  private static final Logger log = LoggerFactory.getLogger(JavaWebSocketConnection.class);
  /** Frames the library may hold for a peer that does not read before a ping drops the link. */
  static final int MAX_QUEUED_FRAMES = 16_384;

  private final Map<String, String> headers;
  private final TransportListener listener;
  private final Client client;
  private final String safeUri;
  private final SerialEvents events;

  /** Guards the engine's close or abort against the read thread sending the handshake. */
  private final Object lock = new Object();
  private boolean aborted; // guarded by lock
  private boolean closeRequested; // guarded by lock
  private boolean closedBeforeOpen; // guarded by lock
  private int requestedCode; // guarded by lock
  private String requestedReason = ""; // guarded by lock
  private boolean handshakeSent; // read thread only

  private volatile boolean opened;
  private volatile ResponseHead head;
  private volatile Throwable firstError;

  JavaWebSocketConnection(HandshakeRequest request, TransportListener listener,
      int connectTimeoutMillis) {
    this.headers = HeaderLines.join(request.headers());
    this.listener = listener;
    this.safeUri = Loggable.uri(request.uri());
    this.events = new SerialEvents("java-websocket " + safeUri);
    this.client = new Client(request.uri(), connectTimeoutMillis);
  }

  /** Configures the client, lets the application customize it, sets the headers, connects. */
  void start(boolean tcpNoDelay, Consumer<? super WebSocketClient> customizer) {
    client.setTcpNoDelay(tcpNoDelay);
    client.setConnectionLostTimeout(0); // the engine's heartbeat does this job
    try {
      customizer.accept(client);
    } catch (RuntimeException e) {
      log.warn("Java-WebSocket client customizer failed for {}", safeUri, e);
      terminate(Terminal.failure(e, null));
      return;
    }
    client.removeHeader("Cookie"); // the request's headers are sent as given
    headers.forEach(client::addHeader);
    log.debug("java-websocket: connecting to {}", safeUri);
    client.connect();
  }

  @Override
  public boolean sendText(String text) {
    return send("text", () -> client.send(text));
  }

  @Override
  public boolean sendBinary(ByteBuffer data) {
    return send("binary", () -> client.send(data.duplicate())); // copied into a frame at once
  }

  @Override
  public boolean sendPing(ByteBuffer payload) {
    PingFrame ping = new PingFrame();
    ping.setPayload(Buffers.copy(payload));
    return payload.remaining() <= 125 && send("ping", () -> client.sendFrame(ping));
  }

  private boolean send(String what, Runnable send) {
    if (events.terminated() || !client.isOpen()) {
      return false;
    }
    try {
      send.run();
      return true;
    } catch (RuntimeException e) { // WebsocketNotConnectedException when it closed meanwhile
      log.trace("java-websocket: {} not sent to {}: {}", what, safeUri, e.toString());
      return false;
    }
  }

  @Override
  public void close(int code, String reason) {
    String why = CloseArguments.check(code, reason);
    boolean open;
    synchronized (lock) {
      if (events.terminated() || aborted || closeRequested || (opened && !client.isOpen())) {
        return; // already ending; a closing handshake the server started reports its own end
      }
      closeRequested = true;
      requestedCode = code;
      requestedReason = why;
      open = client.isOpen();
      closedBeforeOpen = !open;
    }
    log.debug("java-websocket: closing {} with {}", safeUri, code);
    if (open) {
      client.close(code, why);
    } else {
      dropSocket(); // no closing handshake before the opening one: the terminal reports this close
    }
  }

  @Override
  public void abort() {
    synchronized (lock) {
      if (events.terminated() || aborted) {
        return;
      }
      aborted = true;
    }
    log.debug("java-websocket: aborting {}", safeUri);
    dropSocket();
  }

  /**
   * Closes the library's socket; its read thread then fails, reports the end through
   * {@code onClose} and stops its write thread. Before the socket exists, the read thread finds
   * {@link #aborted} or {@link #closedBeforeOpen} set when it is about to send the handshake.
   */
  private void dropSocket() {
    Socket socket;
    synchronized (lock) {
      socket = client.getSocket(); // set by the read thread before it takes this lock
    }
    try {
      if (socket != null) {
        socket.close();
      }
    } catch (IOException | RuntimeException e) {
      log.trace("java-websocket: closing the socket of {} failed: {}", safeUri, e.toString());
    }
  }

  private void terminate(Terminal terminal) {
    events.postTerminal(() -> terminal.deliverTo(listener)); // a second one is dropped
  }

  @Override
  public String toString() {
    return "JavaWebSocketConnection{" + safeUri + "}";
  }

  /** The library's client for this one attempt, wired to the enclosing connection. */
  private final class Client extends WebSocketClient {
    Client(URI uri, int connectTimeoutMillis) {
      super(uri, new CapturingDraft(received -> head = received), null, connectTimeoutMillis);
    }

    /** The library's connect-and-read thread: named for stickyws, and cleaned up after. */
    @Override
    public void run() {
      Thread self = Thread.currentThread();
      self.setName("stickyws-java-websocket-read-" + self.getId()); // as the library's writer
      try {
        super.run();
      } catch (Throwable t) { // every other end goes through onClose; an Error does not
        terminate(Terminal.failure(new IOException("Java-WebSocket read thread failed", t), null));
      } finally {
        if (!handshakeSent) {
          dropSocket(); // no write thread to close it: the library leaves it open
        }
      }
    }

    @Override
    public void onWebsocketHandshakeSentAsClient(WebSocket conn, ClientHandshake request)
        throws InvalidDataException {
      synchronized (lock) {
        if (aborted || closedBeforeOpen) {
          throw new InvalidDataException(CloseFrame.NEVER_CONNECTED, "attempt ended by the engine");
        }
        handshakeSent = true;
      }
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
      opened = true;
      HandshakeResponse response = HandshakeResponse.of(101, head.headers()); // CapturingDraft's
      head = null; // only a failed handshake needs it later
      log.debug("java-websocket: opened {}", safeUri);
      events.post(() -> listener.onOpen(response));
    }

    @Override
    public void onMessage(String message) {
      events.post(() -> listener.onText(message));
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
      events.post(() -> listener.onBinary(bytes));
    }

    /**
     * Answers a ping only while the peer reads: a peer that pings without pause and never reads
     * would make the library queue pongs without end (its write queue is unbounded).
     */
    @Override
    public void onWebsocketPing(WebSocket conn, Framedata frame) {
      if (((WebSocketImpl) conn).outQueue.size() >= MAX_QUEUED_FRAMES) {
        onError(new IOException("the peer pings but does not read: " + MAX_QUEUED_FRAMES
            + " frames wait to be written; connection dropped"));
        dropSocket();
        return;
      }
      super.onWebsocketPing(conn, frame);
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata frame) {
      events.post(() -> listener.onPong(frame.getPayloadData())); // a new buffer per frame
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
      Terminal terminal;
      synchronized (lock) {
        terminal = Terminal.of(opened, aborted, closedBeforeOpen, closeRequested, requestedCode,
            requestedReason, head, firstError, code, reason, remote);
      }
      log.debug("java-websocket: {} ended ({} {}, remote={}): {}", safeUri, code,
          reason == null ? "" : reason, remote, terminal);
      terminate(terminal);
    }

    @Override
    public void onError(Exception error) {
      if (firstError == null) {
        firstError = error;
      }
      log.trace("java-websocket: error on {}: {}", safeUri, error.toString());
    }
  }
}
