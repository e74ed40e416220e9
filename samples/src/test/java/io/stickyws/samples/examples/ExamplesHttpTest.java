package io.stickyws.samples.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.affinity.SameBackend;
import java.net.URI;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** Every example runs against a local mockwebserver acting as a backend behind a cookie-inserting balancer. */
class ExamplesHttpTest {
  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI ws() {
    return URI.create(server.url("/ws").toString().replaceFirst("^http", "ws"));
  }

  /** Greets with {"server":"s1"} and echoes. */
  private static final class Backend extends WebSocketListener {
    private final boolean dropAtOnce;

    Backend(boolean dropAtOnce) {
      this.dropAtOnce = dropAtOnce;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      if (dropAtOnce) {
        webSocket.cancel();
      } else {
        webSocket.send("{\"server\":\"s1\"}");
      }
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      webSocket.send(text);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
    }
  }

  private void enqueueUpgrade(String... headers) {
    MockResponse.Builder response = new MockResponse.Builder().webSocketUpgrade(new Backend(false));
    for (String header : headers) {
      response.addHeader(header);
    }
    server.enqueue(response.build());
  }

  @Test
  void okHttpQuickStartExchangesMessages() throws Exception {
    enqueueUpgrade();
    assertThat(OkHttpQuickStart.exchange(ws())).containsExactly("{\"server\":\"s1\"}", "hello");
  }

  @Test
  void jdkQuickStartExchangesMessages() throws Exception {
    enqueueUpgrade();
    assertThat(JdkQuickStart.exchange(ws())).containsExactly("{\"server\":\"s1\"}", "hello");
  }

  @Test
  void javaWebSocketQuickStartExchangesMessages() throws Exception {
    enqueueUpgrade();
    assertThat(JavaWebSocketQuickStart.exchange(ws())).containsExactly("{\"server\":\"s1\"}", "hello");
  }

  @Test
  void persistentJarResendsTheBalancerCookieAfterARestart(@TempDir Path dir) throws Exception {
    Path cookies = dir.resolve("cookies.txt");
    enqueueUpgrade("Set-Cookie: SERVERID=s1; path=/");
    enqueueUpgrade();

    assertThat(PersistentJarExample.connectOnce(ws(), cookies)).isEqualTo("{\"server\":\"s1\"}");
    assertThat(PersistentJarExample.connectOnce(ws(), cookies)).isEqualTo("{\"server\":\"s1\"}");

    RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
    RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(first.getHeaders().values("Cookie")).isEmpty();
    assertThat(second.getHeaders().values("Cookie")).containsExactly("SERVERID=s1");
  }

  @Test
  void customPolicyRetriesA503AndOpensOnTheSecondAttempt() throws Exception {
    // no Retry-After: 0 here, OkHttp itself would retry that once before the engine sees it
    server.enqueue(new MockResponse.Builder().code(503).build());
    enqueueUpgrade();

    int attempt = CustomPolicyExample.openedOnAttempt(ws());
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(attempt).isEqualTo(2);
    assertThat(CustomPolicyExample.policy().retriesStatus(404)).isFalse();
  }

  @Test
  void affinityByHeaderReplaysTheBackendIdOnReconnect() throws Exception {
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new Backend(true))
        .addHeader(AffinityByHeaderExample.HEADER, "b7").build());
    enqueueUpgrade(AffinityByHeaderExample.HEADER + ": b7");

    assertThat(AffinityByHeaderExample.connectTwice(ws())).isEqualTo(SameBackend.SAME);

    RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
    RecordedRequest second = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(first.getHeaders().values(AffinityByHeaderExample.HEADER)).isEmpty();
    assertThat(second.getHeaders().values(AffinityByHeaderExample.HEADER)).containsExactly("b7");
  }
}
