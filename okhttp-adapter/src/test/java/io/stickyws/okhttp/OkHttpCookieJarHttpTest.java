package io.stickyws.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.Cookie;
import io.stickyws.shaded.mockwebserver3.MockResponse;
import io.stickyws.shaded.mockwebserver3.MockWebServer;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.RecordingTransportListener;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpCookieJarHttpTest {
  private final MockWebServer server = new MockWebServer();
  private final FakeCookieJar jar = new FakeCookieJar();
  private final OkHttpClient client = new OkHttpClient();

  @BeforeEach
  void setUp() throws IOException {
    server.start();
  }

  @AfterEach
  void tearDown() {
    server.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private void get(OkHttpClient rest, String path) throws IOException {
    try (Response response = rest.newCall(new Request.Builder().url(server.url(path).toString()).build())
        .execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
  }

  @Test
  void restCallStoresTheAffinityCookieTheHandshakeThenSends() throws Exception {
    OkHttpClient rest = OkHttpTransport.withCookieJar(client, jar);
    server.enqueue(new MockResponse.Builder()
        .addHeader("Set-Cookie", "SERVERID=backend2; Path=/")
        .addHeader("Set-Cookie", "theme=dark; Path=/; Max-Age=3600")
        .body("ok").build());
    get(rest, "/login");
    server.takeRequest(5, TimeUnit.SECONDS);

    // The REST call stored both cookies in the stickyws jar...
    URI wsUri = URI.create(server.url("/ws").toString().replaceFirst("^http", "ws"));
    List<Cookie> forHandshake = jar.loadForRequest(wsUri);
    assertThat(forHandshake).extracting(Cookie::name).containsExactly("SERVERID", "theme");
    assertThat(forHandshake.get(0).value()).isEqualTo("backend2");
    assertThat(forHandshake.get(0).hostOnly()).isTrue();
    assertThat(forHandshake.get(1).persistent()).isTrue();

    // ...the next REST call sends them...
    server.enqueue(new MockResponse.Builder().body("ok").build());
    get(rest, "/api");
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Cookie"))
        .isEqualTo("SERVERID=backend2; theme=dark");

    // ...and the WebSocket handshake carries them as the engine formats them.
    server.enqueue(new MockResponse.Builder().webSocketUpgrade(new EchoServerListener()).build());
    String cookieHeader = forHandshake.stream().map(c -> c.name() + "=" + c.value())
        .collect(Collectors.joining("; "));
    RecordingTransportListener events = new RecordingTransportListener();
    OkHttpTransport.create(client).open(
        HandshakeRequest.of(wsUri, Map.of("Cookie", List.of(cookieHeader))), events);
    assertThat(events.take(Duration.ofSeconds(5)).type).isEqualTo("open");
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().values("Cookie"))
        .containsExactly("SERVERID=backend2; theme=dark");
  }

  @Test
  void anExpiredCookieFromARestCallDeletesTheStoredOne() throws Exception {
    OkHttpClient rest = OkHttpTransport.withCookieJar(client, jar);
    server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "lb=b1; Path=/").build());
    get(rest, "/");
    assertThat(jar.all()).extracting(Cookie::name).containsExactly("lb");

    server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "lb=; Path=/; Max-Age=0")
        .build());
    get(rest, "/");
    assertThat(jar.all()).isEmpty();
  }

  @Test
  void restCallSendsWhatTheJarHolds() throws Exception {
    // Loading needs no parser: this direction is a field-by-field conversion.
    jar.saveFromResponse(URI.create(server.url("/").toString()), List.of(
        Cookie.builder().name("AWSALB").value("abc").domain(server.getHostName())
            .hostOnly(true).build()));
    server.enqueue(new MockResponse.Builder().body("ok").build());
    get(OkHttpTransport.withCookieJar(client, jar), "/api");

    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("Cookie"))
        .isEqualTo("AWSALB=abc");
  }
}
