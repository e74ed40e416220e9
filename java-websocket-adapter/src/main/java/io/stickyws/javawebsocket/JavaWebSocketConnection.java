package io.stickyws.javawebsocket;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.ResponseHead;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
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
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final HandshakeRequest request;
  private final TransportListener listener;
  private final Client client;
  private final String safeUri;

  /** Guards the hand-over between {@link #abort()} and the read thread sending the handshake. */
  private final Object lifecycleLock = new Object();
  private boolean aborted; // guarded by lifecycleLock
  private boolean closeRequested; // guarded by lifecycleLock
  private boolean closedBeforeOpen; // guarded by lifecycleLock
  private int requestedCode; // guarded by lifecycleLock
  private String requestedReason = ""; // guarded by lifecycleLock
  private boolean handshakeSent; // guarded by lifecycleLock

  private volatile boolean opened;
  private volatile ResponseHead head;
  private volatile Throwable firstError;
  /** Frames the library may hold for a peer that does not read before a ping drops the link. */
  static final int MAX_QUEUED_FRAMES = 16_384;

  private final SerialEvents events;

  JavaWebSocketConnection(HandshakeRequest request, TransportListener listener,
      int connectTimeoutMillis) {
    this.request = request;
    this.listener = listener;
    this.safeUri = Loggable.uri(request.uri());
    this.events = new SerialEvents("java-websocket " + safeUri);
    this.client = new Client(request.uri(), new CapturingDraft(this::onResponseHead),
        connectTimeoutMillis, "stickyws-java-websocket-read-" + SEQUENCE.incrementAndGet());
  }

  /** Configures the client, lets the application customize it, sets the headers, connects. */
  void start(boolean tcpNoDelay, Consumer<? super WebSocketClient> customizer) {
    client.setTcpNoDelay(tcpNoDelay);
    // the engine's heartbeat detects dead connections; the library's own pinger would duplicate it
    client.setConnectionLostTimeout(0);
    try {
      customizer.accept(client);
    } catch (RuntimeException e) {
      log.warn("Java-WebSocket client customizer failed for {}", safeUri, e);
      terminate(Terminal.failure(e, null));
      return;
    }
    // the request's headers are sent as given: no Cookie of the customizer's own
    client.removeHeader("Cookie");
    joinHeaders(request.headers()).forEach(client::addHeader);
    log.debug("java-websocket: connecting to {}", safeUri);
    client.connect();
  }

  /**
   * Java-WebSocket sends one line per header name: repeated values are joined, {@code Cookie} with
   * {@code "; "} (RFC 6265 §5.4), every other header with {@code ", "} (RFC 9110 §5.3).
   */
  static Map<String, String> joinHeaders(Map<String, List<String>> headers) {
    Map<String, String> joined = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> {
      String separator = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
      for (String value : values) {
        if (value != null) {
          joined.merge(name, value, (a, b) -> a + separator + b);
        }
      }
    });
    return joined;
  }

  /**
   * Rejects what Java-WebSocket would write into the request unchecked: header names that are not
   * HTTP tokens and values with line breaks.
   */
  static void checkHeaders(Map<String, List<String>> headers) {
    headers.forEach((name, values) -> {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name must not be empty");
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
          throw new IllegalArgumentException("header name (" + name + ") must be an HTTP token");
        }
      }
      for (String value : values) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0
            || value.indexOf('\0') >= 0)) {
          throw new IllegalArgumentException(
              "header " + name + " must not contain CR, LF or NUL in its value");
        }
      }
    });
  }

  WebSocketClient client() {
    return client;
  }

  // ---- TransportConnection ----

  @Override
  public boolean sendText(String text) {
    if (events.terminated() || !client.isOpen()) {
      return false;
    }
    try {
      client.send(text);
      return true;
    } catch (RuntimeException e) { // WebsocketNotConnectedException when it closed meanwhile
      log.trace("java-websocket: text not sent to {}: {}", safeUri, e.toString());
      return false;
    }
  }

  @Override
  public boolean sendBinary(ByteBuffer data) {
    if (events.terminated() || !client.isOpen()) {
      return false;
    }
    try {
      client.send(data.duplicate()); // framed and copied before send returns
      return true;
    } catch (RuntimeException e) {
      log.trace("java-websocket: binary not sent to {}: {}", safeUri, e.toString());
      return false;
    }
  }

  @Override
  public boolean sendPing(ByteBuffer payload) {
    if (payload.remaining() > 125 || events.terminated() || !client.isOpen()) {
      return false;
    }
    PingFrame ping = new PingFrame();
    ping.setPayload(copy(payload));
    try {
      client.sendFrame(ping);
      return true;
    } catch (RuntimeException e) {
      log.trace("java-websocket: ping not sent to {}: {}", safeUri, e.toString());
      return false;
    }
  }

  @Override
  public void close(int code, String reason) {
    String why = reason == null ? "" : reason;
    if (!sendableCloseCode(code)) {
      throw new IllegalArgumentException(
          "code (" + code + ") must be 1000-1003, 1007-1014 or 3000-4999");
    }
    int reasonBytes = why.getBytes(StandardCharsets.UTF_8).length;
    if (reasonBytes > 123) {
      throw new IllegalArgumentException(
          "reason (" + reasonBytes + " bytes) must be at most 123 bytes in UTF-8");
    }
    boolean open;
    synchronized (lifecycleLock) {
      if (events.terminated() || aborted || closeRequested) {
        return;
      }
      if (opened && !client.isOpen()) {
        return; // the server's closing handshake is under way; its terminal event follows
      }
      closeRequested = true;
      requestedCode = code;
      requestedReason = why;
      open = client.isOpen();
      closedBeforeOpen = !open;
    }
    log.debug("java-websocket: closing {} with {}", safeUri, code);
    if (open) {
      try {
        client.close(code, why);
      } catch (RuntimeException e) {
        log.trace("java-websocket: close of {} failed, dropping it: {}", safeUri, e.toString());
        dropSocket();
      }
    } else {
      // no closing handshake before the opening one completed: drop the attempt; the library
      // then ends it on its own threads and the terminal event reports this close
      dropSocket();
    }
  }

  @Override
  public void abort() {
    synchronized (lifecycleLock) {
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
    synchronized (lifecycleLock) {
      socket = client.getSocket(); // set by the read thread before it takes this lock
    }
    closeQuietly(socket);
  }

  // ---- library callbacks ----

  private void onResponseHead(ResponseHead received) {
    head = received;
    log.trace("java-websocket: {} answered {}", safeUri, received);
  }

  private void beforeHandshakeSent() throws InvalidDataException {
    synchronized (lifecycleLock) {
      if (aborted || closedBeforeOpen) {
        throw new InvalidDataException(CloseFrame.NEVER_CONNECTED, "attempt ended by the engine");
      }
      handshakeSent = true;
    }
  }

  private void afterReadThread() {
    boolean writeThreadStarted;
    synchronized (lifecycleLock) {
      writeThreadStarted = handshakeSent;
    }
    if (!writeThreadStarted) {
      // the library leaves the socket open when it fails before the handshake is sent
      closeQuietly(client.getSocket());
    }
    if (!events.terminated()) {
      // the library always calls onClose first; this only covers a crash of its read thread
      terminate(Terminal.failure(new IOException("Java-WebSocket read thread ended"), null));
    }
  }

  private void onOpened(ServerHandshake handshake) {
    opened = true;
    ResponseHead received = head;
    HandshakeResponse response = received != null
        ? HandshakeResponse.of(101, received.headers())
        : foldedHeaders(handshake);
    head = null; // only a failed handshake needs it later: do not keep it for the connection's life
    log.debug("java-websocket: opened {}", safeUri);
    dispatch(() -> listener.onOpen(response));
  }

  private void onClosedByLibrary(int code, String reason, boolean remote) {
    Terminal terminal;
    synchronized (lifecycleLock) {
      terminal = Terminal.of(opened, aborted, closedBeforeOpen, closeRequested, requestedCode,
          requestedReason, head, firstError, code, reason, remote);
    }
    log.debug("java-websocket: {} ended ({} {}, remote={}): {}", safeUri, code,
        reason == null ? "" : reason, remote, terminal);
    terminate(terminal);
  }

  private void onLibraryError(Exception error) {
    if (firstError == null) {
      firstError = error;
    }
    log.trace("java-websocket: error on {}: {}", safeUri, error.toString());
  }

  // ---- serial delivery ----

  private void terminate(Terminal terminal) {
    if (!events.postTerminal(() -> terminal.deliverTo(listener))) {
      log.trace("java-websocket: second end of {} ignored: {}", safeUri, terminal);
    }
  }

  private void dispatch(Runnable event) {
    events.post(event);
  }

  // ---- helpers ----

  private static boolean sendableCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  private static HandshakeResponse foldedHeaders(ServerHandshake handshake) {
    HandshakeResponse.Builder response = HandshakeResponse.builder(101);
    handshake.iterateHttpFields().forEachRemaining(
        name -> response.add(name, handshake.getFieldValue(name)));
    return response.build();
  }

  private static ByteBuffer copy(ByteBuffer data) {
    ByteBuffer copy = ByteBuffer.allocate(data.remaining());
    copy.put(data.duplicate());
    copy.flip();
    return copy;
  }

  private static void closeQuietly(Socket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException | RuntimeException e) {
        log.trace("java-websocket: closing a socket failed: {}", e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "JavaWebSocketConnection{" + safeUri + "}";
  }

  /** The library's client for this one attempt, wired to the enclosing connection. */
  private final class Client extends WebSocketClient {
    private final String readThreadName;

    Client(URI uri, CapturingDraft draft, int connectTimeoutMillis, String readThreadName) {
      super(uri, draft, null, connectTimeoutMillis);
      this.readThreadName = readThreadName;
    }

    /** The library's connect-and-read thread: named for stickyws, and cleaned up after. */
    @Override
    public void run() {
      Thread.currentThread().setName(readThreadName);
      try {
        super.run();
      } catch (Throwable t) {
        log.trace("java-websocket: read thread of {} failed: {}", safeUri, t.toString());
        onLibraryError(t instanceof Exception ? (Exception) t : new IOException(t));
      } finally {
        afterReadThread();
      }
    }

    @Override
    public void onWebsocketHandshakeSentAsClient(WebSocket conn, ClientHandshake request)
        throws InvalidDataException {
      beforeHandshakeSent();
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
      onOpened(handshake);
    }

    @Override
    public void onMessage(String message) {
      dispatch(() -> listener.onText(message));
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
      dispatch(() -> listener.onBinary(bytes));
    }

    /**
     * Answers a ping only while the peer reads: a peer that pings without pause and never reads
     * would make the library queue pongs without end (its write queue is unbounded).
     */
    @Override
    public void onWebsocketPing(WebSocket conn, Framedata frame) {
      if (conn instanceof WebSocketImpl
          && ((WebSocketImpl) conn).outQueue.size() >= MAX_QUEUED_FRAMES) {
        onLibraryError(new IOException("the peer pings but does not read: " + MAX_QUEUED_FRAMES
            + " frames wait to be written; connection dropped"));
        dropSocket();
        return;
      }
      super.onWebsocketPing(conn, frame);
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata frame) {
      ByteBuffer payload = copy(frame.getPayloadData());
      dispatch(() -> listener.onPong(payload));
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
      onClosedByLibrary(code, reason, remote);
    }

    @Override
    public void onError(Exception error) {
      onLibraryError(error);
    }
  }
}
