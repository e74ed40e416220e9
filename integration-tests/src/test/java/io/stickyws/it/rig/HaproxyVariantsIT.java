package io.stickyws.it.rig;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Certificates;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Landings;
import io.stickyws.testkit.RawWebSocket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HAProxy variants on one set of backends: TLS with a Secure cookie, JSESSIONID prefix, maxidle/maxlife. */
class HaproxyVariantsIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;

  @BeforeAll
  static void startBackends() {
    backends = RIG.rig().backends(3, id -> List.of("JSESSIONID=app-" + id + "; Path=/"));
  }

  @Test
  void tlsFrontendWithSecureCookieSticksForRawAndJdkClients() throws Exception {
    Certificates certificates = RIG.rig().certificates();
    try (Haproxy haproxy = RIG.rig().haproxy(backends, h -> h.tls(certificates).secureCookie(true))) {
      RawWebSocket first = RawWebSocket.probe(haproxy.wssUri("/ws"), Map.of(), certificates.sslContext());
      assertThat(first.status()).isEqualTo(101);
      assertThat(first.setCookie("SERVERID")).containsIgnoringCase("secure");
      String cookie = first.cookiePair("SERVERID");

      Landings sticky = Landings.of(20, haproxy.wssUri("/ws"), Map.of("Cookie", cookie), certificates.sslContext());
      assertThat(sticky.servers()).containsOnly(first.server());
      Landings spread = Landings.of(20, haproxy.wssUri("/ws"), Map.of(), certificates.sslContext());
      assertThat(spread.distinct()).as("%s", spread).isGreaterThanOrEqualTo(2);

      // a real client: the JDK WebSocket over wss, trusting only the generated certificate
      HttpClient client = HttpClient.newBuilder().sslContext(certificates.sslContext())
          .connectTimeout(Duration.ofSeconds(5)).build();
      CompletableFuture<String> greeting = new CompletableFuture<>();
      WebSocket webSocket = client.newWebSocketBuilder().header("Cookie", cookie)
          .buildAsync(haproxy.wssUri("/ws"), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
              greeting.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      try {
        assertThat(greeting.get(10, TimeUnit.SECONDS)).isEqualTo("{\"server\":\"" + first.server() + "\"}");
      } finally {
        webSocket.abort();
      }
    }
  }

  @Test
  void prefixModeStampsTheApplicationCookieAndRoutesOnIt() {
    try (Haproxy haproxy = RIG.rig().haproxy(backends, h -> h.cookiePrefix("JSESSIONID"))) {
      RawWebSocket first = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null);
      String cookie = first.cookiePair("JSESSIONID");
      assertThat(cookie).isEqualTo("JSESSIONID=" + first.server() + "~app-" + first.server());
      assertThat(first.setCookie("SERVERID")).isNull();

      assertThat(Landings.of(20, haproxy.wsUri("/ws"), Map.of("Cookie", cookie), null).servers())
          .containsOnly(first.server());
      assertThat(Landings.of(20, haproxy.wsUri("/ws"), Map.of(), null).distinct()).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void maxIdleAndMaxLifeStampDatesIntoTheCookieValue() {
    try (Haproxy haproxy = RIG.rig().haproxy(backends,
        h -> h.cookieMaxIdle(Duration.ofSeconds(30)).cookieMaxLife(Duration.ofMinutes(5)))) {
      RawWebSocket first = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null);
      String cookie = first.cookiePair("SERVERID");
      assertThat(cookie).startsWith("SERVERID=" + first.server() + "|");
      RawWebSocket again = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of("Cookie", cookie), null);
      assertThat(again.server()).isEqualTo(first.server());
      assertThat(Landings.of(20, haproxy.wsUri("/ws"), Map.of("Cookie", cookie), null).servers())
          .containsOnly(first.server());
    }
  }
}
