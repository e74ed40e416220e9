package io.stickyws.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.spi.HandshakeRequest;

import io.stickyws.spi.RecordingTransportListener;
import io.stickyws.spi.RecordingTransportListener.Event;
import io.stickyws.spi.TransportConnection;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
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
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdkTransportHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private MockWebServer server;
  private JdkTransport transport;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.start(InetAddress.getLoopbackAddress(), 0);
    transport = JdkTransport.create(HttpClient.newBuilder());
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private URI wsUri(String path) {
    return URI.create("ws://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
        + server.getPort() + path);
  }

  private static MockResponse upgrade(ServerSocketRecorder serverSide) {
    return new MockResponse.Builder().webSocketUpgrade(serverSide).build();
  }

  private TransportConnection open(RecordingTransportListener listener) {
    return transport.open(HandshakeRequest.of(wsUri("/ws"), Map.of()), listener);
  }

  private static void assertSingleTerminalStays(RecordingTransportListener listener) {
    await().during(Duration.ofMillis(200)).atMost(WAIT)
        .until(() -> listener.terminalCount() == 1);
  }

  @Test
  void opensAndEchoesTextAndBinary() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder()));
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);

    assertThat(listener.take(WAIT).type).isEqualTo("open");
    assertThat(connection.sendText("hello")).isTrue();
    assertThat(connection.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isTrue();
    assertThat(listener.takeUntil("text", WAIT).text).isEqualTo("hello");
    Event binary = listener.takeUntil("binary", WAIT);
    assertThat(binary.data).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
  }

  @Test
  void assemblesLargeMessagesTheJdkDeliversInParts() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder()));
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");

    String big = "x".repeat(700_000) + "é";
    byte[] bigBytes = new byte[900_000];
    for (int i = 0; i < bigBytes.length; i++) {
      bigBytes[i] = (byte) i;
    }
    // Many sends in a row: the adapter chains them, the JDK alone would refuse the second.
    for (int i = 0; i < 20; i++) {
      assertThat(connection.sendText("m" + i)).isTrue();
    }
    assertThat(connection.sendText(big)).isTrue();
    assertThat(connection.sendBinary(ByteBuffer.wrap(bigBytes))).isTrue();

    for (int i = 0; i < 20; i++) {
      assertThat(listener.takeUntil("text", WAIT).text).isEqualTo("m" + i);
    }
    assertThat(listener.takeUntil("text", WAIT).text).isEqualTo(big);
    assertThat(listener.takeUntil("binary", WAIT).data).isEqualTo(ByteBuffer.wrap(bigBytes));
  }

  @Test
  void deliversBothSetCookieHeadersOfThe101() throws Exception {
    server.enqueue(new MockResponse.Builder()
        .addHeader("Set-Cookie", "SERVERID=backend1; Path=/")
        .addHeader("Set-Cookie", "session=abc; Path=/; HttpOnly")
        .webSocketUpgrade(new ServerSocketRecorder())
        .build());
    RecordingTransportListener listener = new RecordingTransportListener();
    open(listener);

    Event open = listener.take(WAIT);
    assertThat(open.type).isEqualTo("open");
    assertThat(open.response.status()).isEqualTo(101);
    List<String> setCookies = open.response.headers("Set-Cookie");
    assertThat(setCookies)
        .containsExactly("SERVERID=backend1; Path=/", "session=abc; Path=/; HttpOnly");
    assertThat(open.response.header("Upgrade")).hasValue("websocket");

    ListJar jar = new ListJar();
    jar.saveFromResponse(wsUri("/ws"), Cookie.parseAll(wsUri("/ws"), setCookies, Instant.now()));
    assertThat(jar.cookies).extracting(Cookie::name).containsExactly("SERVERID", "session");
  }

  @Test
  void deliversThe101HeadersForAUriWithPercentEncodedCharacters() throws Exception {
    // The JDK shows its CookieHandler the ws URI with http for ws, byte for byte: no re-encoding.
    server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "SERVERID=backend1")
        .webSocketUpgrade(new ServerSocketRecorder()).build());
    RecordingTransportListener listener = new RecordingTransportListener();
    transport.open(HandshakeRequest.of(wsUri("/w%7Es?token=a%2Bb%3D&x=%41"), Map.of()), listener);

    Event open = listener.take(WAIT);
    assertThat(open.type).isEqualTo("open");
    assertThat(open.response.headers("Set-Cookie")).containsExactly("SERVERID=backend1");
    assertThat(transport.cookieHandler().handshakes.size()).isZero();
  }

  @Test
  void sendsRequestHeadersExactlyAsGivenAndNoOtherCookie() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder()));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Cookie", List.of("SERVERID=backend1; session=abc"));
    headers.put("X-Backend-Id", List.of("b-7"));
    RecordingTransportListener listener = new RecordingTransportListener();
    transport.open(HandshakeRequest.of(wsUri("/ws?token=secret"), headers), listener);

    assertThat(listener.take(WAIT).type).isEqualTo("open");
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().values("Cookie"))
        .containsExactly("SERVERID=backend1; session=abc");
    assertThat(request.getHeaders().values("X-Backend-Id")).containsExactly("b-7");
    assertThat(request.getTarget()).isEqualTo("/ws?token=secret");
  }

  @Test
  void reportsStatusAndRetryAfterOfA503() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "1")
        .addHeader("Set-Cookie", "SERVERID=backend2").body("busy").build());
    RecordingTransportListener listener = new RecordingTransportListener();
    open(listener);

    Event failure = listener.take(WAIT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response.status()).isEqualTo(503);
    assertThat(failure.response.header("Retry-After")).hasValue("1");
    assertThat(failure.response.headers("Set-Cookie")).containsExactly("SERVERID=backend2");
    assertSingleTerminalStays(listener);
  }

  @Test
  void reportsA401() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).build());
    RecordingTransportListener listener = new RecordingTransportListener();
    open(listener);

    Event failure = listener.take(WAIT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response.status()).isEqualTo(401);
    assertSingleTerminalStays(listener);
  }

  @Test
  void reportsServerCloseAsRemoteAndAnswersIt() throws Exception {
    ServerSocketRecorder serverSide = new ServerSocketRecorder(ws -> ws.close(1012, "restart"));
    server.enqueue(upgrade(serverSide));
    RecordingTransportListener listener = new RecordingTransportListener();
    open(listener);

    assertThat(listener.take(WAIT).type).isEqualTo("open");
    Event closed = listener.take(WAIT);
    assertThat(closed.type).isEqualTo("closed");
    assertThat(closed.code).isEqualTo(1012);
    assertThat(closed.reason).isEqualTo("restart");
    assertThat(closed.remote).isTrue();
    // The JDK answered the close frame (with the same code, an empty reason): the server's
    // closing handshake completed.
    assertThat(serverSide.await("closed")).startsWith("closed 1012");
    assertSingleTerminalStays(listener);
  }

  @Test
  void reportsADroppedConnectionOnce() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder(okhttp3.WebSocket::cancel)));
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);

    assertThat(listener.take(WAIT).type).isEqualTo("open");
    Event terminal = listener.take(WAIT);
    assertThat(terminal.type).isEqualTo("failure");
    assertThat(terminal.response).isNull();
    assertSingleTerminalStays(listener);
    assertThat(connection.sendText("late")).isFalse();
  }

  @Test
  void reportsClientCloseAsLocal() throws Exception {
    ServerSocketRecorder serverSide = new ServerSocketRecorder();
    server.enqueue(upgrade(serverSide));
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");

    connection.sendText("before");
    connection.close(1000, "bye");
    assertThat(connection.sendText("after")).isFalse();

    Event closed = listener.takeUntil("closed", WAIT);
    assertThat(closed.code).isEqualTo(1000);
    assertThat(closed.reason).isEqualTo("bye");
    assertThat(closed.remote).isFalse();
    assertThat(serverSide.await("closing")).isEqualTo("closing 1000 bye");
    assertSingleTerminalStays(listener);
  }

  @Test
  void abortAfterOpenReportsOneFailure() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder()));
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");

    connection.abort();
    connection.abort();
    assertThat(listener.take(WAIT).type).isEqualTo("failure");
    assertSingleTerminalStays(listener);
    assertThat(connection.sendText("late")).isFalse();
  }

  @Test
  void abortDuringHandshakeReportsOneFailureAndNeverOpens() throws Exception {
    ServerSocketRecorder serverSide = new ServerSocketRecorder();
    server.enqueue(new MockResponse.Builder().headersDelay(500, TimeUnit.MILLISECONDS)
        .webSocketUpgrade(serverSide).build());
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);
    server.takeRequest(5, TimeUnit.SECONDS);

    connection.abort();
    assertThat(listener.take(WAIT).type).isEqualTo("failure");
    // The JDK still completes the handshake it was not told to stop; the adapter drops it.
    assertThat(serverSide.await("failure")).startsWith("failure");
    assertThat(listener.all()).extracting(e -> e.type).containsExactly("failure");
    assertThat(transport.cookieHandler().handshakes.size()).isZero();
  }

  @Test
  void answersPingWithPong() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder()));
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection = open(listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");

    assertThat(connection.sendPing(ByteBuffer.wrap("p1".getBytes(StandardCharsets.UTF_8))))
        .isTrue();
    Event pong = listener.takeUntil("pong", WAIT);
    assertThat(RecordingTransportListener.utf8(pong.data)).isEqualTo("p1");
  }

  @Test
  void concurrentHandshakesToTheSameUriEachGetTheirOwnResponseHeaders() throws Exception {
    AtomicInteger backends = new AtomicInteger();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String id = "b" + backends.incrementAndGet();
        return new MockResponse.Builder()
            .addHeader("Set-Cookie", "SERVERID=" + id)
            .webSocketUpgrade(new ServerSocketRecorder(ws -> ws.send(id)))
            .build();
      }
    });
    List<RecordingTransportListener> listeners = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      RecordingTransportListener listener = new RecordingTransportListener();
      listeners.add(listener);
      // Identical requests half of the time, distinct headers the other half.
      Map<String, List<String>> headers = i % 2 == 0 ? Map.of() : Map.of("X-N", List.of("" + i));
      transport.open(HandshakeRequest.of(wsUri("/ws"), headers), listener);
    }
    for (RecordingTransportListener listener : listeners) {
      Event open = listener.take(WAIT);
      assertThat(open.type).isEqualTo("open");
      String landedOn = listener.takeUntil("text", WAIT).text;
      assertThat(open.response.headers("Set-Cookie")).containsExactly("SERVERID=" + landedOn);
    }
    assertThat(transport.cookieHandler().handshakes.size()).isZero();
  }

  @Test
  void plainRequestsOnTheSameClientShareTheJar() throws Exception {
    ListJar jar = new ListJar();
    JdkTransport shared = JdkTransport.builder(HttpClient.newBuilder()).cookieJar(jar).build();
    server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "SERVERID=backend3; Path=/")
        .body("ok").build());
    server.enqueue(upgrade(new ServerSocketRecorder()));
    URI http = URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
        + server.getPort() + "/login");

    shared.httpClient().send(HttpRequest.newBuilder(http).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(jar.cookies).extracting(Cookie::name).containsExactly("SERVERID");

    RecordingTransportListener listener = new RecordingTransportListener();
    shared.open(HandshakeRequest.of(wsUri("/ws"), Map.of("Cookie", List.of("mine=1"))), listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");
    server.takeRequest(5, TimeUnit.SECONDS);
    // The handshake carries the engine's header only: the handler adds nothing to handshakes.
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().values("Cookie"))
        .containsExactly("mine=1");
  }

  @Test
  void jdkSocketsHaveTcpNoDelay() throws Exception {
    server.enqueue(upgrade(new ServerSocketRecorder()));
    AtomicReference<java.net.http.WebSocket> jdkSocket = new AtomicReference<>();
    RecordingTransportListener listener = new RecordingTransportListener();
    JdkConnection connection = (JdkConnection) open(listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");
    jdkSocket.set(webSocketOf(connection));

    // WebSocketImpl.transport -> TransportImpl.channel -> RawChannelTube.connection -> channel()
    Object transportImpl = field(jdkSocket.get(), "transport");
    Object rawChannel = field(transportImpl, "channel");
    Object httpConnection = field(rawChannel, "connection");
    Method channel = Class.forName("jdk.internal.net.http.HttpConnection")
        .getDeclaredMethod("channel");
    channel.setAccessible(true);
    SocketChannel socket = (SocketChannel) channel.invoke(httpConnection);
    assertThat(socket.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
  }

  @Test
  void leavesNoThreadOfItsOwnBehind() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    server.enqueue(upgrade(new ServerSocketRecorder()));
    JdkTransport local = JdkTransport.create(HttpClient.newBuilder());
    RecordingTransportListener listener = new RecordingTransportListener();
    TransportConnection connection =
        local.open(HandshakeRequest.of(wsUri("/ws"), Map.of()), listener);
    assertThat(listener.take(WAIT).type).isEqualTo("open");
    connection.close(1000, "bye");
    listener.takeUntil("closed", WAIT);

    // The JDK's own threads (HttpClient-N-SelectorManager, HttpClient-N-Worker-M) belong to the
    // client and are daemons; mockwebserver's belong to the server. Anything else would be ours.
    await().pollInSameThread().atMost(WAIT).untilAsserted(() -> {
      List<Thread> added = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !before.contains(t) && t.isAlive())
          .filter(t -> !t.getName().startsWith("MockWebServer")
              && !t.getName().startsWith("OkHttp"))
          .collect(Collectors.toList());
      assertThat(added).allMatch(t -> t.getName().startsWith("HttpClient-"), "the client's")
          .allMatch(Thread::isDaemon, "daemon");
    });
  }

  private static java.net.http.WebSocket webSocketOf(JdkConnection connection) throws Exception {
    Field field = JdkConnection.class.getDeclaredField("webSocket");
    field.setAccessible(true);
    synchronized (field(connection, "lock")) {
      return (java.net.http.WebSocket) field.get(connection);
    }
  }

  private static Object field(Object target, String name) throws Exception {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }

  /** A jar that keeps every cookie saved, in order, and loads them all. */
  static final class ListJar implements CookieJar {
    final List<Cookie> cookies = new CopyOnWriteArrayList<>();

    @Override
    public void saveFromResponse(URI uri, List<Cookie> saved) {
      cookies.addAll(saved);
    }

    @Override
    public List<Cookie> loadForRequest(URI uri) {
      return List.copyOf(cookies);
    }
  }

}
