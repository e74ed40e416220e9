package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.spi.Transport;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.SilentWebSocketServer;
import io.stickyws.testing.Threads;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every adapter must show, driven through the real engine against OkHttp's
 * mockwebserver3 (real upgrades on loopback). Each adapter module subclasses it in a few lines.
 *
 * <p>Not thread-safe; one instance per test, as JUnit does.
 */
public abstract class TransportContract {
  private static final Duration WAIT = Duration.ofSeconds(10);

  protected MockWebServer server;
  protected MemoryCookieJar jar;
  protected StickySession session;
  protected RecordingListener listener;

  /**
   * The adapter under test, built on a fresh client of its library.
   *
   * @return the transport
   */
  protected abstract Transport newTransport();

  @BeforeEach
  void startServer() throws Exception {
    server = new MockWebServer();
    server.start();
    jar = MemoryCookieJar.create();
    listener = new RecordingListener();
  }

  @AfterEach
  void stopEverything() {
    if (session != null) {
      session.close();
    }
    server.close();
  }

  /**
   * Whether the library tells the adapter the status of a redirect it refused to follow (Tomcat's
   * client names none): then the failure must carry it. Not following is required of every adapter.
   *
   * @return {@code true} unless the subclass says so
   */
  protected boolean reportsRedirectStatus() {
    return true;
  }

  /**
   * Whether the adapter's library sends a cookie value's UTF-8 bytes ({@code eur=€}); one that
   * writes header values as ASCII leaves such a cookie out instead.
   *
   * @return {@code false} unless the subclass says so
   */
  protected boolean sendsUtf8Cookies() {
    return false;
  }

  protected StickySession.Builder sessionBuilder() {
    return StickySession.builder(newTransport())
        .cookieJar(jar)
        .reconnectPolicy(ReconnectPolicy.builder()
            .initialDelay(Duration.ofMillis(50))
            .maxDelay(Duration.ofMillis(200))
            .jitter(ReconnectPolicy.Jitter.NONE)
            .build())
        .handshakeTimeout(Duration.ofSeconds(5));
  }

  protected URI wsUri() {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + "/ws");
  }

  protected StickyWebSocket connect() {
    session = sessionBuilder().build();
    return session.connect(wsUri(), listener);
  }

  protected static MockResponse.Builder upgrade(WebSocketListener serverListener) {
    return new MockResponse.Builder().webSocketUpgrade(serverListener);
  }

  protected RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest request = server.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(request).as("a handshake within " + WAIT).isNotNull();
    return request;
  }

  /** Echoes text; can close or drop on command. */
  protected static class EchoServer extends WebSocketListener {
    private final CountDownLatch opened = new CountDownLatch(1);
    private volatile WebSocket socket;
    final String greeting;

    EchoServer(String greeting) {
      this.greeting = greeting;
    }

    /** The server side of the connection, once the server saw it open (bounded wait). */
    WebSocket socket() throws InterruptedException {
      assertThat(opened.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("server side open within " + WAIT).isTrue();
      return socket;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      opened.countDown();
      if (greeting != null) {
        webSocket.send(greeting);
      }
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      webSocket.send(text);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(code, null);
    }
  }

  @Test
  void opensAndEchoes() throws Exception {
    server.enqueue(upgrade(new EchoServer("hello from server")).build());
    StickyWebSocket ws = connect();
    listener.await("open", WAIT);
    listener.await("text hello from server", WAIT);

    assertThat(ws.send("ping-1")).isTrue();
    listener.await("text ping-1", WAIT);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.OPEN);
  }

  @Test
  void sendsTheStickyCookieSetOnThe101OnTheNextHandshake() throws Exception {
    EchoServer first = new EchoServer(null);
    server.enqueue(upgrade(first).addHeader("Set-Cookie", "SERVERID=backend1; path=/").build());
    server.enqueue(upgrade(new EchoServer(null)).build());
    connect();
    listener.await("open", WAIT);
    assertThat(takeRequest().getHeaders().get("Cookie")).isNull();

    first.socket().close(1011, "server error");
    listener.await(e -> e.startsWith("open"), 2, WAIT);

    assertThat(takeRequest().getHeaders().values("Cookie")).containsExactly("SERVERID=backend1");
    assertThat(listener.events("open")).containsExactly("open 1 UNKNOWN", "open 1 SAME");
  }

  @Test
  void storesBothSetCookieHeadersOfOne101() throws Exception {
    server.enqueue(upgrade(new EchoServer(null))
        .addHeader("Set-Cookie", "srv=backend1; Path=/")
        .addHeader("Set-Cookie", "SERVERID=backend1; path=/")
        .build());
    connect();
    listener.await("open", WAIT);

    assertThat(jar.loadForRequest(wsUri()))
        .extracting(Cookie::name)
        .containsExactlyInAnyOrder("srv", "SERVERID");
  }

  @Test
  void replacesAnUpdatedCookie() throws Exception {
    EchoServer first = new EchoServer(null);
    EchoServer second = new EchoServer(null);
    server.enqueue(upgrade(first).addHeader("Set-Cookie", "SERVERID=backend1; path=/").build());
    server.enqueue(upgrade(second).addHeader("Set-Cookie", "SERVERID=backend2; path=/").build());
    server.enqueue(upgrade(new EchoServer(null)).build());
    connect();
    listener.await("open", WAIT);
    first.socket().close(1011, "");
    listener.await(e -> e.startsWith("open"), 2, WAIT);
    second.socket().close(1011, "");
    listener.await(e -> e.startsWith("open"), 3, WAIT);

    takeRequest();
    assertThat(takeRequest().getHeaders().values("Cookie")).containsExactly("SERVERID=backend1");
    assertThat(takeRequest().getHeaders().values("Cookie")).containsExactly("SERVERID=backend2");
    assertThat(listener.events()).contains("affinityChanged");
  }

  @Test
  void neverSendsASecureCookieOverWs() throws Exception {
    EchoServer first = new EchoServer(null);
    server.enqueue(upgrade(first)
        .addHeader("Set-Cookie", "secret=s1; Secure; path=/")
        .addHeader("Set-Cookie", "plain=p1; path=/")
        .build());
    server.enqueue(upgrade(new EchoServer(null)).build());
    connect();
    listener.await("open", WAIT);
    first.socket().close(1011, "");
    listener.await(e -> e.startsWith("open"), 2, WAIT);

    takeRequest();
    assertThat(takeRequest().getHeaders().values("Cookie")).containsExactly("plain=p1");
  }

  @Test
  void honoursRetryAfterOn503() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "1").build());
    server.enqueue(upgrade(new EchoServer(null)).build());
    connect();
    listener.await("disconnected", WAIT);
    long refusedAt = System.nanoTime();
    listener.await("open", WAIT);
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - refusedAt);

    assertThat(listener.events()).contains("reconnecting 2 1000ms");
    assertThat(waitedMillis).as("wait before the second attempt").isGreaterThanOrEqualTo(900);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void givesUpOn401() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).build());
    StickyWebSocket ws = connect();
    listener.await("gaveUp", WAIT);

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).containsExactly("disconnected 1006 final", "gaveUp 1");
    assertThat(((HandshakeException) listener.lastDetail("gaveUp")).status()).isEqualTo(401);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void neverFollowsA302HandshakeRedirectToAnotherHost() throws Exception {
    refusesHandshakeRedirect(302);
  }

  @Test
  void neverFollowsA307HandshakeRedirectToAnotherHost() throws Exception {
    refusesHandshakeRedirect(307);
  }

  /**
   * Rule for every adapter: a handshake is never redirected. The 3xx reaches the engine as a
   * failed handshake carrying its status; the target (another host) sees no request, so no cookie
   * of the first host leaves for it and nothing it sets enters the jar.
   */
  private void refusesHandshakeRedirect(int status) throws Exception {
    try (MockWebServer target = new MockWebServer()) {
      target.start();
      for (int i = 0; i < 5; i++) {
        target.enqueue(upgrade(new EchoServer(null))
            .addHeader("Set-Cookie", "stolen=target; path=/").build());
      }
      String elsewhere = "localhost".equals(server.getHostName()) ? "127.0.0.1" : "localhost";
      for (int i = 0; i < 5; i++) {
        server.enqueue(new MockResponse.Builder().code(status)
            .addHeader("Location", "http://" + elsewhere + ":" + target.getPort() + "/other")
            .build());
      }
      jar.receive(wsUri(), List.of("SERVERID=host-only-secret; path=/"));
      connect();
      listener.await("disconnected", WAIT);

      assertThat(takeRequest().getHeaders().values("Cookie"))
          .containsExactly("SERVERID=host-only-secret");
      if (reportsRedirectStatus()) {
        assertThat(((HandshakeException) listener.lastDetail("disconnected")).status())
            .isEqualTo(status);
      }
      session.close();
      session = null;
      assertThat(target.getRequestCount()).as("requests that reached the redirect target")
          .isZero();
      assertThat(jar.cookies()).extracting(Cookie::name).containsExactly("SERVERID");
      assertThat(listener.events()).noneMatch(e -> e.startsWith("open"));
    }
  }

  @Test
  void aNonAsciiCookieValueIsStoredAsUtf8AndSentAsUtf8OrLeftOut() throws Exception {
    EchoServer first = new EchoServer(null);
    server.enqueue(upgrade(first)
        .addHeaderLenient("Set-Cookie", "eur=\u20ac; Path=/")
        .addHeader("Set-Cookie", "plain=p1; Path=/").build());
    server.enqueue(upgrade(new EchoServer(null)).build());
    connect();
    listener.await("open", WAIT);
    assertThat(jar.cookies()).extracting(c -> c.name() + "=" + c.value())
        .containsExactlyInAnyOrder("eur=\u20ac", "plain=p1");

    first.socket().close(1011, "");
    listener.await(e -> e.startsWith("open"), 2, WAIT);
    takeRequest();
    assertThat(takeRequest().getHeaders().values("Cookie")).as("the handshake after the 101")
        .containsExactly(sendsUtf8Cookies() ? "eur=\u20ac; plain=p1" : "plain=p1");
  }

  @Test
  void reconnectsAndDropsAffinityOnServiceRestart() throws Exception {
    EchoServer first = new EchoServer(null);
    server.enqueue(upgrade(first).addHeader("Set-Cookie", "SERVERID=backend1; path=/").build());
    server.enqueue(upgrade(new EchoServer(null)).build());
    connect();
    listener.await("open", WAIT);
    first.socket().close(1012, "service restart");
    listener.await(e -> e.startsWith("open"), 2, WAIT);

    takeRequest();
    assertThat(takeRequest().getHeaders().get("Cookie")).isNull();
    assertThat(listener.events()).contains("disconnected 1012 retry 50ms");
  }

  @Test
  void reconnectsAfterTheTcpConnectionDropsWithoutACloseFrame() throws Exception {
    try (SilentWebSocketServer raw =
        new SilentWebSocketServer("Set-Cookie: SERVERID=backend1; path=/\r\n")) {
      session = sessionBuilder().noHeartbeat().build();
      session.connect(raw.uri(), listener);
      listener.await("open", WAIT);
      raw.dropAll();
      listener.await(e -> e.startsWith("open"), 2, WAIT);

      assertThat(listener.events("disconnected")).containsExactly("disconnected 1006 retry 50ms");
      assertThat(raw.requestHeads().get(0)).doesNotContainIgnoringCase("cookie:");
      assertThat(raw.requestHeads().get(1)).containsIgnoringCase("cookie: SERVERID=backend1\r\n");
    }
  }

  @Test
  void detectsADeadConnectionByHeartbeat() throws Exception {
    try (SilentWebSocketServer silent = new SilentWebSocketServer()) {
      session = sessionBuilder()
          .heartbeat(Duration.ofMillis(300), Duration.ofMillis(300))
          .build();
      session.connect(silent.uri(), listener);
      listener.await("open", WAIT);
      listener.await("disconnected", WAIT);
      listener.await(e -> e.startsWith("open"), 2, WAIT);

      assertThat(silent.handshakes()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void flushesQueuedMessagesInOrderOnOpen() throws Exception {
    server.enqueue(upgrade(new EchoServer(null))
        .headersDelay(300, TimeUnit.MILLISECONDS).build());
    StickyWebSocket ws = connect();
    for (int i = 1; i <= 5; i++) {
      assertThat(ws.send("m" + i)).isTrue();
    }
    assertThat(ws.queuedMessages()).isEqualTo(5);
    listener.await(e -> e.startsWith("text"), 5, WAIT);

    assertThat(listener.events("text").stream().collect(Collectors.toList()))
        .containsExactly("text m1", "text m2", "text m3", "text m4", "text m5");
  }

  @Test
  void closeByTheApplicationStopsReconnecting() throws Exception {
    server.enqueue(upgrade(new EchoServer(null)).build());
    StickyWebSocket ws = connect();
    listener.await("open", WAIT);
    ws.close(1000, "bye");
    listener.await("closed", WAIT);
    takeRequest();

    assertThat(server.takeRequest(500, TimeUnit.MILLISECONDS)).isNull();
    assertThat(listener.events()).containsExactly("open 1 UNKNOWN", "closed 1000");
  }

  @Test
  void leavesNoThreadOfOursAfterClose() throws Exception {
    server.enqueue(upgrade(new EchoServer(null)).build());
    StickyWebSocket ws = connect();
    listener.await("open", WAIT);
    ws.close();
    listener.await("closed", WAIT);
    session.close();
    session = null;

    Threads.assertNoStickywsThreads(WAIT);
  }

  /** The events so far, for failure messages. */
  protected List<String> events() {
    return listener.events();
  }
}
