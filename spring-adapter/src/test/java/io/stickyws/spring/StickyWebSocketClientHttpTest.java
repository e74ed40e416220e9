package io.stickyws.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.HandshakeException;
import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.jdk.JdkTransport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/** {@link StickyWebSocketClient} against mockwebserver, on the JDK transport. */
class StickyWebSocketClientHttpTest {
  private static final long WAIT_SECONDS = 10;

  private final MockWebServer server = new MockWebServer();
  private final RecordingHandler handler = new RecordingHandler();
  private StickySession session;

  @BeforeEach
  void start() throws Exception {
    server.start();
    session = StickySession.builder(JdkTransport.create())
        .cookieJar(MemoryCookieJar.create())
        .reconnectPolicy(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(50))
            .maxDelay(Duration.ofMillis(100)).jitter(ReconnectPolicy.Jitter.NONE).build())
        .build();
  }

  @AfterEach
  void stop() {
    session.close();
    server.close();
  }

  private URI uri() {
    return URI.create("ws://" + server.getHostName() + ":" + server.getPort() + "/ws");
  }

  @Test
  void eachReconnectIsANewSessionForTheSameHandler() throws Exception {
    server.enqueue(upgrade(new ServerSide("hello", 1011))
        .addHeader("Set-Cookie", "SERVERID=b1; path=/").build());
    server.enqueue(upgrade(new ServerSide("again", 0)).build());

    WebSocketSession first = StickyWebSocketClient.create(session)
        .execute(handler, uri().toString()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(handler.next()).isEqualTo("established UNKNOWN");
    assertThat(handler.next()).isEqualTo("text hello");
    assertThat(handler.next()).isEqualTo("closed 1011");
    assertThat(handler.next()).isEqualTo("established SAME");
    assertThat(handler.next()).isEqualTo("text again");

    assertThat(first.isOpen()).isFalse();
    assertThat(handler.sessions).hasSize(2).doesNotHaveDuplicates();
    WebSocketSession second = handler.sessions.get(1);
    assertThat(second.isOpen()).isTrue();
    second.sendMessage(new TextMessage("echo me"));
    assertThat(handler.next()).isEqualTo("text echo me");
    takeRequest();
    assertThat(takeRequest().getHeaders().values("Cookie")).containsExactly("SERVERID=b1");
  }

  @Test
  void withoutReconnectTheApplicationReconnectsThroughTheJar() throws Exception {
    server.enqueue(upgrade(new ServerSide(null, 1011))
        .addHeader("Set-Cookie", "SERVERID=b1; path=/").build());
    server.enqueue(upgrade(new ServerSide(null, 0)).build());
    StickyWebSocketClient client = StickyWebSocketClient.builder(session).reconnect(false).build();
    WebSocketHttpHeaders headers = new WebSocketHttpHeaders();
    headers.add("X-App", "1");

    client.execute(handler, headers, uri()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(handler.next()).isEqualTo("established UNKNOWN");
    assertThat(handler.next()).isEqualTo("closed 1011");
    assertThat(takeRequest().getHeaders().get("Cookie")).isNull();
    assertThat(server.takeRequest(300, TimeUnit.MILLISECONDS)).as("no reconnect of its own").isNull();

    client.execute(handler, headers, uri()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(handler.next()).startsWith("established");
    RecordedRequest again = takeRequest();
    assertThat(again.getHeaders().values("Cookie")).containsExactly("SERVERID=b1");
    assertThat(again.getHeaders().values("X-App")).containsExactly("1");
  }

  @Test
  void aRefusedFirstHandshakeFailsTheFuture() {
    server.enqueue(new MockResponse.Builder().code(401).build());

    assertThatThrownBy(() -> StickyWebSocketClient.create(session)
        .execute(handler, uri().toString()).get(WAIT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(HandshakeException.class,
            e -> assertThat(e.status()).isEqualTo(401));
    assertThat(handler.events).isEmpty();
  }

  @Test
  void closingTheSessionEndsTheStickyConnection() throws Exception {
    server.enqueue(upgrade(new ServerSide(null, 0)).build());
    WebSocketSession first = StickyWebSocketClient.create(session)
        .execute(handler, uri().toString()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(handler.next()).isEqualTo("established UNKNOWN");

    first.close(CloseStatus.GOING_AWAY);
    assertThat(handler.next()).isEqualTo("closed 1001");
    takeRequest();
    assertThat(server.takeRequest(300, TimeUnit.MILLISECONDS)).isNull();
  }

  private RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest request = server.takeRequest(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(request).as("a handshake").isNotNull();
    return request;
  }

  private static MockResponse.Builder upgrade(WebSocketListener listener) {
    return new MockResponse.Builder().webSocketUpgrade(listener);
  }

  /** Greets, echoes, closes with {@code closeWith} after the greeting when not 0. */
  private static final class ServerSide extends WebSocketListener {
    private final String greeting;
    private final int closeWith;

    ServerSide(String greeting, int closeWith) {
      this.greeting = greeting;
      this.closeWith = closeWith;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      if (greeting != null) {
        webSocket.send(greeting);
      }
      if (closeWith != 0) {
        webSocket.close(closeWith, "bye");
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

  /** Records what Spring's handler contract delivers. */
  private static final class RecordingHandler extends AbstractWebSocketHandler {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    final List<WebSocketSession> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();

    String next() throws InterruptedException {
      String event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(event).as("a handler event").isNotNull();
      return event;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
      sessions.add(session);
      SameBackend same = (SameBackend) session.getAttributes().get(StickyWebSocketClient.SAME_BACKEND);
      events.add("established " + same);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
      events.add("text " + message.getPayload());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
      events.add("closed " + status.getCode());
    }

    @Override
    public void handleMessage(WebSocketSession session, WebSocketMessage<?> message)
        throws Exception {
      super.handleMessage(session, message);
    }
  }
}
