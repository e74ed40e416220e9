package io.stickyws.javawebsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.RecordingTransportListener;
import io.stickyws.spi.RecordingTransportListener.Event;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.java_websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives {@link JavaWebSocketTransport} against mockwebserver on loopback. */
class JavaWebSocketTransportHttpTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MockWebServer server = new MockWebServer();
  private final RecordingTransportListener listener = new RecordingTransportListener();
  private final List<WebSocketClient> clients = new CopyOnWriteArrayList<>();
  private final JavaWebSocketTransport transport =
      JavaWebSocketTransport.create(clients::add);
  private Set<Thread> threadsBefore;

  @BeforeEach
  void setUp() throws IOException {
    server.start(InetAddress.getLoopbackAddress(), 0);
    threadsBefore = Thread.getAllStackTraces().keySet();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private URI uri(String path) {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + path);
  }

  private HandshakeRequest request(String path) {
    return HandshakeRequest.of(uri(path), Map.of());
  }

  /** A server side that echoes messages and obeys a few commands. */
  private static final class ServerSide extends WebSocketListener {
    @Override
    public void onMessage(WebSocket webSocket, String text) {
      switch (text) {
        case "drop":
          webSocket.cancel(); // TCP connection closed, no close frame
          break;
        case "close-1012":
          webSocket.close(1012, "service restart");
          break;
        default:
          webSocket.send(text);
      }
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      webSocket.send(bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(code, reason);
    }
  }

  private void enqueueUpgrade(String... headers) {
    MockResponse.Builder response = new MockResponse.Builder().webSocketUpgrade(new ServerSide());
    for (String header : headers) {
      response.addHeader(header);
    }
    server.enqueue(response.build());
  }

  @Test
  void opensAndEchoesTextAndBinary() {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/echo"), listener);

    Event open = listener.take(TIMEOUT);
    assertThat(open.type).isEqualTo("open");
    assertThat(open.response.status()).isEqualTo(101);
    assertThat(open.response.header("Upgrade")).hasValue("websocket");

    assertThat(connection.sendText("hello")).isTrue();
    Event text = listener.take(TIMEOUT);
    assertThat(text.type).isEqualTo("text");
    assertThat(text.text).isEqualTo("hello");

    ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 0xff});
    assertThat(connection.sendBinary(data)).isTrue();
    assertThat(data.remaining()).as("the caller's buffer is left alone").isEqualTo(4);
    Event binary = listener.take(TIMEOUT);
    assertThat(binary.type).isEqualTo("binary");
    byte[] received = new byte[binary.data.remaining()];
    binary.data.duplicate().get(received);
    assertThat(received).containsExactly(1, 2, 3, (byte) 0xff);

    connection.close(1000, "done");
    assertThat(listener.take(TIMEOUT).type).isEqualTo("closed");
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsEachSetCookieOfThe101AsItsOwnValue() {
    enqueueUpgrade("Set-Cookie: srv=backend1; Path=/", "Set-Cookie: SERVERID=backend1; path=/");
    TransportConnection connection = transport.open(request("/"), listener);

    Event open = listener.take(TIMEOUT);
    assertThat(open.type).isEqualTo("open");
    List<String> setCookies = open.response.headers("Set-Cookie");
    assertThat(setCookies)
        .containsExactly("srv=backend1; Path=/", "SERVERID=backend1; path=/");

    List<Cookie> cookies = Cookie.parseAll(uri("/"), setCookies, Instant.now());
    MemoryCookieJar jar = MemoryCookieJar.create();
    jar.saveFromResponse(uri("/"), cookies);
    assertThat(jar.loadForRequest(uri("/"))).extracting(Cookie::name)
        .containsExactly("srv", "SERVERID");

    connection.close(1000, "");
    listener.takeUntil("closed", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void sendsTheRequestHeadersAsGivenAndNoCookieOfItsOwn() throws InterruptedException {
    enqueueUpgrade();
    JavaWebSocketTransport withCookieAddingCustomizer = JavaWebSocketTransport.create(client -> {
      client.addHeader("Cookie", "fromCustomizer=1");
      client.addHeader("X-From-Customizer", "kept");
    });
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Cookie", List.of("SERVERID=backend1", "session=abc"));
    headers.put("X-Custom", List.of("value 1"));
    headers.put("X-Multi", List.of("a", "b"));
    TransportConnection connection = withCookieAddingCustomizer.open(
        HandshakeRequest.of(uri("/path?q=1"), headers), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");

    RecordedRequest recorded = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(recorded).isNotNull();
    assertThat(recorded.getTarget()).isEqualTo("/path?q=1");
    assertThat(recorded.getHeaders().values("Cookie"))
        .containsExactly("SERVERID=backend1; session=abc");
    assertThat(recorded.getHeaders().values("X-Custom")).containsExactly("value 1");
    assertThat(recorded.getHeaders().values("X-Multi")).containsExactly("a, b");
    assertThat(recorded.getHeaders().values("X-From-Customizer")).containsExactly("kept");

    connection.close(1000, "");
    listener.takeUntil("closed", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void sendsNoCookieWhenTheRequestHasNone() throws InterruptedException {
    enqueueUpgrade();
    TransportConnection connection = JavaWebSocketTransport
        .create(client -> client.addHeader("Cookie", "fromCustomizer=1"))
        .open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");
    RecordedRequest recorded = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(recorded.getHeaders().values("Cookie")).isEmpty();
    connection.abort();
    listener.takeUntil("failure", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsA503WithItsRetryAfterAndEverySetCookie() {
    server.enqueue(new MockResponse.Builder()
        .code(503)
        .addHeader("Retry-After", "1")
        .addHeader("Set-Cookie", "srv=backend2; Path=/")
        .addHeader("Set-Cookie", "SERVERID=backend2; path=/")
        .body("busy")
        .build());
    transport.open(request("/"), listener);

    Event failure = listener.take(TIMEOUT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.cause).isInstanceOf(ProtocolException.class).hasMessageContaining("503");
    HandshakeResponse response = failure.response;
    assertThat(response).isNotNull();
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.header("Retry-After")).hasValue("1");
    assertThat(response.headers("Set-Cookie"))
        .containsExactly("srv=backend2; Path=/", "SERVERID=backend2; path=/");
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsA401AsAFailureWithItsStatus() {
    server.enqueue(new MockResponse.Builder().code(401)
        .addHeader("WWW-Authenticate", "Bearer").build());
    transport.open(request("/"), listener);

    Event failure = listener.take(TIMEOUT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response.status()).isEqualTo(401);
    assertThat(failure.response.header("WWW-Authenticate")).hasValue("Bearer");
    assertEndedWithOneTerminal();
  }

  @Test
  void readsAFailedHandshakeSentInPieces() throws Exception {
    try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      URI uri = URI.create("ws://127.0.0.1:" + raw.getLocalPort() + "/");
      transport.open(HandshakeRequest.of(uri, Map.of()), listener);
      try (Socket socket = raw.accept()) {
        socket.setTcpNoDelay(true);
        readRequestHead(socket);
        // in pieces: when the client reads the status line alone, the library would give up on it
        // before the headers come (CapturingDraftTest checks that case deterministically)
        write(socket, "HTTP/1.1 503 Service Unavailable\r\n");
        write(socket, "Retry-After: 7\r\nSet-Cookie: a=1\r\n");
        write(socket, "Set-Cookie: b=2\r\nContent-Length: 0\r\n\r\n");
        Event failure = listener.take(TIMEOUT);
        assertThat(failure.type).isEqualTo("failure");
        assertThat(failure.response.status()).isEqualTo(503);
        assertThat(failure.response.header("Retry-After")).hasValue("7");
        assertThat(failure.response.headers("Set-Cookie")).containsExactly("a=1", "b=2");
      }
    }
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsAServerCloseAsRemote() {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");

    connection.sendText("close-1012");
    Event closed = listener.take(TIMEOUT);
    assertThat(closed.type).isEqualTo("closed");
    assertThat(closed.code).isEqualTo(1012);
    assertThat(closed.reason).isEqualTo("service restart");
    assertThat(closed.remote).isTrue();
    assertThat(connection.sendText("too late")).isFalse();
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsADroppedConnectionAsOneFailure() {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");

    connection.sendText("drop");
    Event failure = listener.take(TIMEOUT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.cause).isInstanceOf(IOException.class);
    assertThat(failure.response).isNull();
    assertThat(connection.sendText("too late")).isFalse();
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsAClientCloseAsLocal() {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");

    connection.close(1000, "bye");
    Event closed = listener.take(TIMEOUT);
    assertThat(closed.type).isEqualTo("closed");
    assertThat(closed.code).isEqualTo(1000);
    assertThat(closed.reason).isEqualTo("bye");
    assertThat(closed.remote).isFalse();
    connection.close(1000, "again");
    connection.abort();
    assertEndedWithOneTerminal();
  }

  @Test
  void abortsAnOpenConnectionWithOneFailure() {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");

    connection.abort();
    Event failure = listener.take(TIMEOUT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response).isNull();
    connection.abort();
    connection.close(1000, "");
    assertEndedWithOneTerminal();
  }

  @Test
  void abortsAHandshakeThatGetsNoAnswer() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/");
      TransportConnection connection = transport.open(HandshakeRequest.of(uri, Map.of()), listener);
      try (Socket accepted = silent.accept()) {
        readRequestHead(accepted);
        connection.abort();
        Event failure = listener.take(TIMEOUT);
        assertThat(failure.type).isEqualTo("failure");
        assertThat(failure.response).isNull();
      }
    }
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsACloseBeforeTheHandshakeCompletedAsLocal() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/");
      TransportConnection connection = transport.open(HandshakeRequest.of(uri, Map.of()), listener);
      try (Socket accepted = silent.accept()) {
        readRequestHead(accepted);
        connection.close(1001, "going away");
        Event closed = listener.take(TIMEOUT);
        assertThat(closed.type).isEqualTo("closed");
        assertThat(closed.code).isEqualTo(1001);
        assertThat(closed.remote).isFalse();
      }
    }
    assertEndedWithOneTerminal();
  }

  @Test
  void abortRightAfterOpenAlwaysEndsWithOneTerminal() {
    for (int i = 0; i < 20; i++) {
      enqueueUpgrade();
    }
    for (int i = 0; i < 20; i++) {
      RecordingTransportListener recorder = new RecordingTransportListener();
      TransportConnection connection = transport.open(request("/" + i), recorder);
      connection.abort();
      Event terminal = recorder.takeUntil("failure", TIMEOUT);
      assertThat(terminal.response).isNull();
      awaitAdapterThreadsEnded();
      assertThat(recorder.terminalCount()).as("attempt %s: %s", i, recorder.all()).isEqualTo(1);
    }
  }

  @Test
  void reportsARefusedConnectionAsAFailure() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    transport.open(HandshakeRequest.of(URI.create("ws://127.0.0.1:" + port + "/"), Map.of()),
        listener);
    Event failure = listener.take(TIMEOUT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.cause).isInstanceOf(IOException.class);
    assertThat(failure.response).isNull();
    assertEndedWithOneTerminal();
  }

  @Test
  void answersAPingWithAPongCarryingItsPayload() {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");

    assertThat(connection.sendPing(ByteBuffer.wrap("hb-1".getBytes(StandardCharsets.UTF_8))))
        .isTrue();
    Event pong = listener.take(TIMEOUT);
    assertThat(pong.type).isEqualTo("pong");
    assertThat(RecordingTransportListener.utf8(pong.data)).isEqualTo("hb-1");
    assertThat(connection.sendPing(ByteBuffer.allocate(126))).isFalse();

    connection.close(1000, "");
    listener.takeUntil("closed", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void enablesTcpNoDelayByDefault() throws Exception {
    enqueueUpgrade();
    TransportConnection connection = transport.open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");
    assertThat(clients).hasSize(1);
    assertThat(clients.get(0).getSocket().getTcpNoDelay()).isTrue();
    connection.abort();
    listener.takeUntil("failure", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void leavesTcpNoDelayOffWhenAskedTo() throws Exception {
    enqueueUpgrade();
    List<WebSocketClient> seen = new CopyOnWriteArrayList<>();
    TransportConnection connection = JavaWebSocketTransport.builder()
        .tcpNoDelay(false)
        .customizer(seen::add)
        .build()
        .open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");
    assertThat(seen.get(0).getSocket().getTcpNoDelay()).isFalse();
    connection.abort();
    listener.takeUntil("failure", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void turnsOffTheLibrarysOwnPingsBeforeTheCustomizerRuns() {
    enqueueUpgrade();
    AtomicInteger lostTimeout = new AtomicInteger(-1);
    AtomicReference<Boolean> noDelay = new AtomicReference<>();
    TransportConnection connection = JavaWebSocketTransport.create(client -> {
      lostTimeout.set(client.getConnectionLostTimeout());
      noDelay.set(client.isTcpNoDelay());
    }).open(request("/"), listener);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");
    assertThat(lostTimeout.get()).isZero();
    assertThat(noDelay.get()).isTrue();
    connection.close(1000, "");
    listener.takeUntil("closed", TIMEOUT);
    assertEndedWithOneTerminal();
  }

  @Test
  void usesANewClientForEveryAttempt() {
    enqueueUpgrade();
    enqueueUpgrade();
    TransportConnection first = transport.open(request("/"), listener);
    listener.takeUntil("open", TIMEOUT);
    first.close(1000, "");
    listener.takeUntil("closed", TIMEOUT);
    RecordingTransportListener second = new RecordingTransportListener();
    TransportConnection next = transport.open(request("/"), second);
    second.takeUntil("open", TIMEOUT);
    next.close(1000, "");
    second.takeUntil("closed", TIMEOUT);
    assertThat(clients).hasSize(2);
    assertThat(clients.get(0)).isNotSameAs(clients.get(1));
    assertEndedWithOneTerminal();
  }

  @Test
  void reportsAFailingCustomizerAsAFailure() {
    IllegalStateException boom = new IllegalStateException("bad customizer");
    TransportConnection connection = JavaWebSocketTransport.create(client -> {
      throw boom;
    }).open(request("/"), listener);
    Event failure = listener.take(TIMEOUT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.cause).isSameAs(boom);
    assertThat(connection.sendText("x")).isFalse();
    assertEndedWithOneTerminal();
  }

  @Test
  void keepsDeliveringWhenTheListenerThrows() {
    enqueueUpgrade();
    TransportListener throwing = new TransportListener() {
      @Override
      public void onOpen(HandshakeResponse response) {
        listener.onOpen(response);
      }

      @Override
      public void onText(String text) {
        listener.onText(text);
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onBinary(ByteBuffer data) {
        listener.onBinary(data);
      }

      @Override
      public void onPong(ByteBuffer payload) {
        listener.onPong(payload);
      }

      @Override
      public void onClosed(int code, String reason, boolean remote) {
        listener.onClosed(code, reason, remote);
      }

      @Override
      public void onFailure(Throwable cause, HandshakeResponse response) {
        listener.onFailure(cause, response);
      }
    };
    TransportConnection connection = transport.open(request("/"), throwing);
    assertThat(listener.take(TIMEOUT).type).isEqualTo("open");
    connection.sendText("one");
    connection.sendText("two");
    assertThat(listener.take(TIMEOUT).text).isEqualTo("one");
    assertThat(listener.take(TIMEOUT).text).isEqualTo("two");
    connection.close(1000, "");
    assertThat(listener.take(TIMEOUT).type).isEqualTo("closed");
    assertEndedWithOneTerminal();
  }

  // ---- helpers ----

  /**
   * Waits (bounded) until every thread Java-WebSocket or the adapter started since the test began
   * has ended, then checks that the attempt reported exactly one terminal event: once the threads
   * are gone, no later event can come.
   */
  private void assertEndedWithOneTerminal() {
    awaitAdapterThreadsEnded();
    assertThat(listener.terminalCount()).as("events: %s", listener.all()).isEqualTo(1);
  }

  private void awaitAdapterThreadsEnded() {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<Thread> left;
    do {
      left = adapterThreads();
      if (left.isEmpty()) {
        return;
      }
      for (Thread thread : left) {
        try {
          thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    } while (System.nanoTime() < deadline);
    assertThat(adapterThreads()).as("threads still alive").isEmpty();
  }

  /**
   * Threads started since the test began that are still alive, except mockwebserver's and OkHttp's
   * (the server side). Java-WebSocket has no shared pool: every thread it starts belongs to one
   * client (connect/read thread, renamed {@code stickyws-java-websocket-read-N}; write thread
   * {@code WebSocketWriteThread-N}; {@code connectionLostChecker}, which the adapter turns off).
   */
  private List<Thread> adapterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !threadsBefore.contains(t))
        .filter(Thread::isAlive)
        .filter(t -> !t.getName().startsWith("MockWebServer")
            && !t.getName().startsWith("OkHttp")
            && !t.getName().contains("TaskRunner"))
        .collect(Collectors.toList());
  }

  private static void readRequestHead(Socket socket) throws IOException {
    var in = socket.getInputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended early");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  private static void write(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }
}
