package io.stickyws.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.testing.RecordingListener;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.WebSocketContainer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import javax.net.ssl.SSLContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The application's endpoint configuration survives the adapter (Tomcat's container). */
class JakartaTransportHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockWebServer server = new MockWebServer();
  private final WsWebSocketContainer container = new WsWebSocketContainer();
  private final RecordingListener listener = new RecordingListener();
  private StickySession session;

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    if (session != null) {
      session.close();
    }
    server.close();
    container.destroy();
  }

  @Test
  void everyAttemptGetsACopyOfTheApplicationsEndpointConfig() throws Exception {
    List<ClientEndpointConfig> seen = new CopyOnWriteArrayList<>();
    WebSocketContainer recording = (WebSocketContainer) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {WebSocketContainer.class}, (proxy, method, args) -> {
          if (method.getName().equals("connectToServer") && args.length == 3
              && args[1] instanceof ClientEndpointConfig) {
            seen.add((ClientEndpointConfig) args[1]);
          }
          try {
            return method.invoke(container, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    SSLContext tls = SSLContext.getDefault();
    ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
        .preferredSubprotocols(List.of("v12.stomp"))
        .sslContext(tls)
        .build();
    config.getUserProperties().put("org.apache.tomcat.websocket.IO_TIMEOUT_MS", "4000");
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
      @Override
      public void onOpen(WebSocket webSocket, okhttp3.Response response) {
        webSocket.close(1011, "again");
      }
    }).build());
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
      @Override
      public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code, null);
      }
    }).build());
    session = StickySession.builder(
            JakartaTransport.builder(recording).endpointConfig(config).build())
        .reconnectPolicy(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(50))
            .jitter(ReconnectPolicy.Jitter.NONE).build())
        .build();
    session.connect(URI.create("ws://" + server.getHostName() + ":" + server.getPort() + "/ws"),
        listener);
    listener.await(e -> e.startsWith("open"), 2, WAIT);

    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).isNotSameAs(seen.get(1)).isNotSameAs(config);
    for (ClientEndpointConfig attempt : seen) {
      assertThat(attempt.getPreferredSubprotocols()).containsExactly("v12.stomp");
      assertThat(attempt.getSSLContext()).isSameAs(tls);
      assertThat(attempt.getUserProperties())
          .containsEntry("org.apache.tomcat.websocket.IO_TIMEOUT_MS", "4000");
    }
  }

  @Test
  void keepsTheApplicationsSubprotocolsAndConfiguratorButNotItsCookie() throws Exception {
    List<String> seenByApplication = new CopyOnWriteArrayList<>();
    ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
        .preferredSubprotocols(List.of("v12.stomp"))
        .configurator(new ClientEndpointConfig.Configurator() {
          @Override
          public void beforeRequest(Map<String, List<String>> headers) {
            headers.put("X-App", List.of("1"));
            headers.put("cookie", List.of("mine=1"));
          }

          @Override
          public void afterResponse(HandshakeResponse response) {
            seenByApplication.add(String.valueOf(response.getHeaders().get("set-cookie")));
          }
        })
        .build();
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
      @Override
      public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code, null);
      }
    }).addHeader("Sec-WebSocket-Protocol", "v12.stomp")
        .addHeader("Set-Cookie", "SERVERID=b1; path=/").build());
    MemoryCookieJar jar = MemoryCookieJar.create();
    URI origin = URI.create("http://" + server.getHostName() + ":" + server.getPort() + "/");
    jar.saveFromResponse(origin, Cookie.parseAll(origin, List.of("SERVERID=b0; path=/"),
        Instant.now()));
    session = StickySession.builder(
            JakartaTransport.builder(container).endpointConfig(config).build())
        .cookieJar(jar)
        .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(1).build())
        .build();
    session.connect(URI.create("ws://" + server.getHostName() + ":" + server.getPort() + "/ws"),
        listener);
    listener.await("open", WAIT);

    RecordedRequest request = server.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(request.getHeaders().values("Sec-WebSocket-Protocol")).containsExactly("v12.stomp");
    assertThat(request.getHeaders().values("X-App")).containsExactly("1");
    assertThat(request.getHeaders().values("Cookie")).containsExactly("SERVERID=b0");
    assertThat(seenByApplication).containsExactly("[SERVERID=b1; path=/]");
  }
}
