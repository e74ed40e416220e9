package io.stickyws.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stickyws.cookie.Cookie;
import io.stickyws.shaded.mockwebserver3.MockResponse;
import io.stickyws.shaded.mockwebserver3.MockWebServer;
import io.stickyws.shaded.mockwebserver3.RecordedRequest;
import io.stickyws.shaded.mockwebserver3.SocketEffect;
import io.stickyws.shaded.okhttp3.internal.ws.RealWebSocket;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.RecordingTransportListener.Event;
import io.stickyws.spi.RecordingTransportListener;
import io.stickyws.spi.TransportConnection;
import io.stickyws.testkit.Certificates;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.io.TempDir;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpTransportHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final MockWebServer server = new MockWebServer();
  private final EchoServerListener backend = new EchoServerListener();
  private final RecordingTransportListener events = new RecordingTransportListener();
  private final RecordingSocketFactory socketFactory = new RecordingSocketFactory();
  private final RecordingOkHttpCookieJar applicationJar = new RecordingOkHttpCookieJar();
  private OkHttpClient client;

  @BeforeEach
  void setUp() throws IOException {
    server.start();
    // The application's own client, with a cookie jar and socket factory of its own.
    client = new OkHttpClient.Builder()
        .socketFactory(socketFactory)
        .cookieJar(applicationJar)
        .build();
  }

  @AfterEach
  void tearDown() {
    server.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private URI wsUri(String path) {
    return URI.create(server.url(path).toString().replaceFirst("^http", "ws"));
  }

  private void enqueueUpgrade(String... headers) {
    MockResponse.Builder response = new MockResponse.Builder().webSocketUpgrade(backend);
    for (String header : headers) {
      response.addHeader(header);
    }
    server.enqueue(response.build());
  }

  private TransportConnection open(OkHttpTransport transport, HandshakeRequest request) {
    return transport.open(request, events);
  }

  private TransportConnection openEcho() throws InterruptedException {
    enqueueUpgrade();
    TransportConnection connection =
        open(OkHttpTransport.create(client), HandshakeRequest.of(wsUri("/ws"), Map.of()));
    assertThat(events.take(WAIT).type).isEqualTo("open");
    backend.await("open");
    return connection;
  }

  private void assertExactlyOneTerminalEventStays() {
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> events.terminalCount() == 1);
  }

  @Test
  void neverFollowsARedirectFromWssToPlainHttp(@TempDir Path dir) throws Exception {
    Certificates certificates = Certificates.generate(dir);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(certificates.certPem().resolveSibling("server.p12"))) {
      keys.load(in, certificates.trustStorePassword().toCharArray());
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, certificates.trustStorePassword().toCharArray());
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keyManagers.getKeyManagers(), null, null);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(certificates.trustStore())) {
      trusted.load(in, certificates.trustStorePassword().toCharArray());
    }
    trust.init(trusted);
    X509TrustManager trustManager = (X509TrustManager) trust.getTrustManagers()[0];
    OkHttpClient tlsClient = client.newBuilder()
        .sslSocketFactory(certificates.sslContext().getSocketFactory(), trustManager).build();

    try (MockWebServer secure = new MockWebServer(); MockWebServer plain = new MockWebServer()) {
      secure.useHttps(serverTls.getSocketFactory());
      secure.start();
      plain.start();
      plain.enqueue(new MockResponse.Builder().webSocketUpgrade(backend)
          .addHeader("Set-Cookie", "stolen=plain; path=/").build());
      for (int status : new int[] {302, 307}) {
        secure.enqueue(new MockResponse.Builder().code(status)
            .addHeader("Location", "http://localhost:" + plain.getPort() + "/other").build());
        URI uri = URI.create("wss://localhost:" + secure.getPort() + "/ws");
        RecordingTransportListener listener = new RecordingTransportListener();
        OkHttpTransport.create(tlsClient)
            .open(HandshakeRequest.of(uri, Map.of("Cookie", List.of("secure=s3cret"))), listener);

        Event failure = listener.take(WAIT);
        assertThat(failure.type).isEqualTo("failure");
        assertThat(failure.response.status()).isEqualTo(status);
        assertThat(failure.response.header("Location")).isPresent();
        assertThat(secure.takeRequest().getHeaders().get("Cookie")).isEqualTo("secure=s3cret");
      }
      assertThat(plain.getRequestCount()).as("requests sent in clear text").isZero();
    }
  }

  @Test
  void opensAndEchoesTextAndBinary() throws Exception {
    TransportConnection connection = openEcho();

    assertThat(connection.sendText("hello")).isTrue();
    Event text = events.take(WAIT);
    assertThat(text.type).isEqualTo("text");
    assertThat(text.text).isEqualTo("hello");

    ByteBuffer payload = ByteBuffer.wrap("bin\u0000ary".getBytes(StandardCharsets.UTF_8));
    assertThat(connection.sendBinary(payload)).isTrue();
    assertThat(payload.remaining()).as("caller's buffer untouched").isEqualTo(7);
    Event binary = events.take(WAIT);
    assertThat(binary.type).isEqualTo("binary");
    assertThat(RecordingTransportListener.utf8(binary.data)).isEqualTo("bin\u0000ary");
  }

  @Test
  void reportsBothSetCookieHeadersOfThe101AsTwoCookies() throws Exception {
    enqueueUpgrade("Set-Cookie: SERVERID=backend1; Path=/", "Set-Cookie: session=s3cr3t; HttpOnly");
    URI uri = wsUri("/ws");
    open(OkHttpTransport.create(client), HandshakeRequest.of(uri, Map.of()));

    Event open = events.take(WAIT);
    assertThat(open.type).isEqualTo("open");
    assertThat(open.response.status()).isEqualTo(101);
    List<String> setCookies = open.response.headers("Set-Cookie");
    assertThat(setCookies).containsExactly("SERVERID=backend1; Path=/", "session=s3cr3t; HttpOnly");
    assertThat(applicationJar.saved).as("the application's OkHttp jar is not consulted").isEmpty();

    FakeCookieJar jar = new FakeCookieJar();
    jar.saveFromResponse(uri, Cookie.parseAll(uri, setCookies, Instant.now()));
    assertThat(jar.all()).extracting(Cookie::name).containsExactly("SERVERID", "session");
    assertThat(jar.all()).extracting(Cookie::value).containsExactly("backend1", "s3cr3t");
  }

  @Test
  void sendsRequestHeadersAsGivenAndNoCookiesOfItsOwn() throws Exception {
    enqueueUpgrade();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Cookie", List.of("SERVERID=backend1; lb=x"));
    headers.put("X-Backend-Id", List.of("b1", "b2"));
    open(OkHttpTransport.create(client), HandshakeRequest.of(wsUri("/ws?token=t"), headers));
    assertThat(events.take(WAIT).type).isEqualTo("open");

    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().values("Cookie")).containsExactly("SERVERID=backend1; lb=x");
    assertThat(request.getHeaders().values("X-Backend-Id")).containsExactly("b1", "b2");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/ws");
    assertThat(request.getUrl().queryParameter("token")).isEqualTo("t");
    assertThat(applicationJar.loaded).as("the application's OkHttp jar is not consulted").isEmpty();
  }

  @Test
  void eachHandshakeGoesToItsOwnUriWhicheverCameBefore() throws Exception {
    // the transport keeps OkHttp's parse of the last URI: a URI that differs only in the case of a
    // percent-escape, or in the case of its scheme, is still sent exactly as given
    OkHttpTransport transport = OkHttpTransport.create(client);
    String base = wsUri("/").toString().replaceFirst("/$", "");
    List<String> targets = List.of("/a?x=%2f", "/b", "/a?x=%2F", "/a?x=%2f");
    for (int i = 0; i < targets.size(); i++) {
      enqueueUpgrade();
      String scheme = i == 1 ? "WS" : "ws";
      URI uri = URI.create(base.replaceFirst("^ws", scheme) + targets.get(i));
      RecordingTransportListener listener = new RecordingTransportListener();
      TransportConnection connection = transport.open(HandshakeRequest.of(uri, Map.of()), listener);
      assertThat(listener.take(WAIT).type).isEqualTo("open");

      RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
      String query = sent.getUrl().encodedQuery();
      assertThat(sent.getUrl().encodedPath() + (query == null ? "" : "?" + query))
          .isEqualTo(targets.get(i));
      connection.abort();
    }
  }

  @Test
  void sendsNoCookieHeaderWhenTheEngineGivesNone() throws Exception {
    // The application's jar has a cookie for this host: it must not leak into the handshake.
    applicationJar.toLoad = List.of(new okhttp3.Cookie.Builder()
        .name("app").value("1").domain(server.getHostName()).build());
    openEcho();

    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getHeaders().values("Cookie")).isEmpty();
  }

  @Test
  void reportsA503WithItsRetryAfterAndSetCookie() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503)
        .addHeader("Retry-After", "1").addHeader("Set-Cookie", "SERVERID=backend2").build());
    open(OkHttpTransport.create(client), HandshakeRequest.of(wsUri("/ws"), Map.of()));

    Event failure = events.take(WAIT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response.status()).isEqualTo(503);
    assertThat(failure.response.header("Retry-After")).contains("1");
    assertThat(failure.response.headers("Set-Cookie")).containsExactly("SERVERID=backend2");
    assertExactlyOneTerminalEventStays();
  }

  @Test
  void reportsA401() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).build());
    open(OkHttpTransport.create(client), HandshakeRequest.of(wsUri("/ws"), Map.of()));

    Event failure = events.take(WAIT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response.status()).isEqualTo(401);
    assertExactlyOneTerminalEventStays();
  }

  @Test
  void reportsAServerCloseAsRemoteAndAnswersIt() throws Exception {
    TransportConnection connection = openEcho();
    connection.sendText("restart");

    Event closed = events.takeUntil("closed", WAIT);
    assertThat(closed.code).isEqualTo(1012);
    assertThat(closed.reason).isEqualTo("restart");
    assertThat(closed.remote).isTrue();
    assertThat(backend.await("closing")).as("client echoed the close frame")
        .isEqualTo("closing 1012 ");
    assertThat(connection.sendText("late")).isFalse();
    assertExactlyOneTerminalEventStays();
  }

  @Test
  void reportsAClientCloseAsLocal() throws Exception {
    TransportConnection connection = openEcho();
    connection.close(1000, "bye");

    assertThat(backend.await("closing")).isEqualTo("closing 1000 bye");
    Event closed = events.takeUntil("closed", WAIT);
    assertThat(closed.code).isEqualTo(1000);
    assertThat(closed.remote).isFalse();
    assertThat(connection.sendText("late")).isFalse();
    assertExactlyOneTerminalEventStays();
  }

  @Test
  void reportsOneFailureWhenTheServerDropsTheConnection() throws Exception {
    try (RawWebSocketServer raw = new RawWebSocketServer(RawWebSocketServer.Then.DROP)) {
      open(OkHttpTransport.create(client), HandshakeRequest.of(raw.uri(), Map.of()));
      assertThat(events.take(WAIT).type).isEqualTo("open");
      Event failure = events.take(WAIT);
      assertThat(failure.type).isEqualTo("failure");
      assertThat(failure.response).isNull();
      assertExactlyOneTerminalEventStays();
    }
  }

  @Test
  void reportsTheServersCloseCodeWhenItDropsTheConnectionRightAfterItsCloseFrame()
      throws Exception {
    try (RawWebSocketServer raw = new RawWebSocketServer(RawWebSocketServer.Then.CLOSE_THEN_DROP)) {
      open(OkHttpTransport.create(client), HandshakeRequest.of(raw.uri(), Map.of()));
      assertThat(events.take(WAIT).type).isEqualTo("open");
      Event closed = events.take(WAIT);
      assertThat(closed.type).isEqualTo("closed");
      assertThat(closed.code).isEqualTo(1012);
      assertThat(closed.reason).isEqualTo("restart");
      assertThat(closed.remote).isTrue();
      assertExactlyOneTerminalEventStays();
    }
  }

  @Test
  void abortAfterOpenReportsOneFailureAndDropsTheSocket() throws Exception {
    TransportConnection connection = openEcho();
    connection.abort();

    Event failure = events.take(WAIT);
    assertThat(failure.type).isEqualTo("failure");
    assertThat(failure.response).isNull();
    backend.await("failure"); // the backend saw the TCP connection go
    assertThat(connection.sendText("late")).isFalse();
    assertExactlyOneTerminalEventStays();
  }

  @Test
  void abortDuringTheHandshakeReportsOneFailure() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(backend)
        .onResponseStart(SocketEffect.Stall.INSTANCE).build());
    TransportConnection connection =
        open(OkHttpTransport.create(client), HandshakeRequest.of(wsUri("/ws"), Map.of()));
    server.takeRequest(5, TimeUnit.SECONDS);
    connection.abort();

    Event failure = events.take(WAIT);
    assertThat(failure.type).isEqualTo("failure");
    assertExactlyOneTerminalEventStays();
    assertThat(events.all()).extracting(e -> e.type).containsExactly("failure");
  }

  @Test
  void answersAConfirmingPingOnceOkHttpsOwnPingAfterTheMessagesGotItsPong() throws Exception {
    OkHttpTransport transport = OkHttpTransport.create(client);
    assertThat(transport.supportsPing()).isFalse();
    assertThat(transport.confirmsDelivery()).isTrue();
    enqueueUpgrade();
    TransportConnection connection = open(transport,
        HandshakeRequest.of(wsUri("/ws"), Map.of(), Duration.ofMillis(200)));
    assertThat(events.take(WAIT).type).isEqualTo("open");
    backend.await("open");
    RealWebSocket serverSide = (RealWebSocket) backend.webSocket;

    assertThat(connection.sendText("one")).isTrue();
    assertThat(connection.sendText("two")).isTrue();
    int pingsBefore = serverSide.receivedPingCount();
    ByteBuffer payload = ByteBuffer.allocate(Long.BYTES).putLong(0, 42);
    assertThat(connection.sendPing(payload)).isTrue();
    Event pong = events.takeUntil("pong", WAIT);

    assertThat(pong.data.getLong(0)).isEqualTo(42);
    assertThat(backend.received).as("read by the server before the pong").contains("one", "two");
    assertThat(serverSide.receivedPingCount()).as("OkHttp's own ping, after the messages")
        .isGreaterThan(pingsBefore);
    assertThat(events.terminalCount()).isZero();
  }

  @Test
  void answersNoConfirmingPingWhileOkHttpsPingsGetNoPong() throws Exception {
    try (RawWebSocketServer raw = new RawWebSocketServer(RawWebSocketServer.Then.SILENT)) {
      TransportConnection connection = open(OkHttpTransport.create(client),
          HandshakeRequest.of(raw.uri(), Map.of(), Duration.ofMillis(200)));
      assertThat(events.take(WAIT).type).isEqualTo("open");
      assertThat(connection.sendText("unread")).isTrue();
      assertThat(connection.sendPing(ByteBuffer.allocate(Long.BYTES))).isTrue();

      Event end = events.take(WAIT);
      assertThat(end.type).as("the missing pong fails the socket; no answer before").isEqualTo("failure");
      assertThat(end.cause).isInstanceOf(SocketTimeoutException.class);
      assertExactlyOneTerminalEventStays();
      assertThat(events.all()).extracting(e -> e.type).doesNotContain("pong");
    }
  }

  @Test
  void refusesAConfirmingPingWhenOkHttpDoesNotPing() throws Exception {
    TransportConnection connection = openEcho(); // no heartbeat, no pingInterval on the client

    assertThat(connection.sendPing(ByteBuffer.allocate(Long.BYTES))).isFalse();
  }

  @Test
  void dropsAPeerThatPingsAndNeverReadsWithAClearFailure() throws Exception {
    try (RawWebSocketServer raw = new RawWebSocketServer(RawWebSocketServer.Then.PING_FLOOD)) {
      Runtime runtime = Runtime.getRuntime();
      open(OkHttpTransport.create(client), HandshakeRequest.of(raw.uri(), Map.of()));
      assertThat(events.take(WAIT).type).isEqualTo("open");

      Event end = events.take(Duration.ofSeconds(60));
      assertThat(end.type).isEqualTo("failure");
      assertThat(end.cause).isInstanceOf(IOException.class)
          .hasMessageContaining("the peer pings but does not read");
      assertExactlyOneTerminalEventStays();
      System.out.printf("PINGFLOOD okhttp: dropped after %d pings sent by the peer, bound %d pongs;"
          + " heap used %d MB of %d MB%n", raw.pingsSent.get(), OkHttpPings.MAX_PENDING_PONGS,
          (runtime.totalMemory() - runtime.freeMemory()) >> 20, runtime.maxMemory() >> 20);
    }
  }

  @Test
  void failsWhenPongsStop() throws Exception {
    try (RawWebSocketServer raw = new RawWebSocketServer(RawWebSocketServer.Then.SILENT)) {
      open(OkHttpTransport.create(client),
          HandshakeRequest.of(raw.uri(), Map.of(), Duration.ofMillis(100)));
      assertThat(events.take(WAIT).type).isEqualTo("open");
      Event failure = events.take(WAIT);
      assertThat(failure.type).isEqualTo("failure");
      assertThat(failure.cause).isInstanceOf(SocketTimeoutException.class);
      assertExactlyOneTerminalEventStays();
    }
  }

  @Test
  void enablesTcpNoDelayOnTheApplicationsSockets() throws Exception {
    openEcho();
    assertThat(socketFactory.sockets).isNotEmpty();
    for (Socket socket : socketFactory.sockets) {
      assertThat(socket.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void leavesTcpNoDelayAloneWhenTurnedOff() throws Exception {
    enqueueUpgrade();
    open(OkHttpTransport.builder(client).tcpNoDelay(false).build(),
        HandshakeRequest.of(wsUri("/ws"), Map.of()));
    assertThat(events.take(WAIT).type).isEqualTo("open");
    assertThat(socketFactory.sockets).isNotEmpty();
    for (Socket socket : socketFactory.sockets) {
      assertThat(socket.getTcpNoDelay()).isFalse();
    }
  }

  @Test
  void leavesNoThreadOfItsOwnBehind() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    TransportConnection connection = openEcho();
    connection.sendText("hello");
    events.takeUntil("text", WAIT);
    connection.close(1000, "bye");
    events.takeUntil("closed", WAIT);
    server.close();

    // Threads that may remain are OkHttp's own, owned by the application: the client's dispatcher
    // ("OkHttp Dispatcher", renamed "OkHttp <url>" while a call runs), and the global daemons
    // "OkHttp TaskRunner" and "Okio Watchdog". Nothing else may survive; MockWebServer's threads
    // end with it.
    await().pollInSameThread().atMost(WAIT).untilAsserted(() ->
        assertThat(newThreads(before)).allMatch(t -> t.getName().startsWith("OkHttp")
            || t.getName().equals("Okio Watchdog") && t.isDaemon()));
    // Once the application shuts its dispatcher down, no new non-daemon thread remains at all.
    client.dispatcher().executorService().shutdown();
    await().pollInSameThread().atMost(WAIT).untilAsserted(() ->
        assertThat(newThreads(before)).allMatch(Thread::isDaemon));
  }

  private static Set<Thread> newThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .collect(Collectors.toSet());
  }

  /** An OkHttp cookie jar of the application's, recording whether anything asked it. */
  static final class RecordingOkHttpCookieJar implements okhttp3.CookieJar {
    final List<HttpUrl> saved = new CopyOnWriteArrayList<>();
    final List<HttpUrl> loaded = new CopyOnWriteArrayList<>();
    volatile List<okhttp3.Cookie> toLoad = List.of();

    @Override
    public void saveFromResponse(HttpUrl url, List<okhttp3.Cookie> cookies) {
      saved.add(url);
    }

    @Override
    public List<okhttp3.Cookie> loadForRequest(HttpUrl url) {
      loaded.add(url);
      return toLoad;
    }
  }
}
