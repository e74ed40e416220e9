package io.stickyws.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.NoDelaySocketFactory;
import io.stickyws.spi.RecordingTransportListener;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.CookieJar;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class OkHttpTransportTest {
  private final Interceptor interceptor = chain -> chain.proceed(chain.request());
  private final RecordingSocketFactory socketFactory = new RecordingSocketFactory();
  private final OkHttpClient client = new OkHttpClient.Builder()
      .addInterceptor(interceptor)
      .socketFactory(socketFactory)
      .connectTimeout(Duration.ofSeconds(7))
      .pingInterval(Duration.ofSeconds(30))
      .build();

  @Test
  void derivesItsClientFromTheApplicationsClient() {
    OkHttpClient derived = OkHttpTransport.create(client).webSocketClient(Optional.empty());

    assertThat(derived.cookieJar()).isSameAs(CookieJar.NO_COOKIES);
    assertThat(derived.interceptors()).containsExactly(interceptor);
    assertThat(derived.connectTimeoutMillis()).isEqualTo(7_000);
    assertThat(derived.dispatcher()).isSameAs(client.dispatcher());
    assertThat(derived.connectionPool()).isSameAs(client.connectionPool());
    assertThat(derived.pingIntervalMillis()).as("the application's own").isEqualTo(30_000);
    assertThat(derived.socketFactory()).isInstanceOf(NoDelaySocketFactory.class);
  }

  @Test
  void keepsTheApplicationsSocketFactoryWhenTcpNoDelayIsOff() {
    OkHttpTransport transport = OkHttpTransport.builder(client).tcpNoDelay(false).build();

    assertThat(transport.tcpNoDelay()).isFalse();
    assertThat(transport.webSocketClient(Optional.empty()).socketFactory()).isSameAs(socketFactory);
  }

  @Test
  void pingsAtTheHeartbeatIntervalWithOneClientPerInterval() {
    OkHttpTransport transport = OkHttpTransport.create(client);

    OkHttpClient fast = transport.webSocketClient(Optional.of(Duration.ofSeconds(5)));
    assertThat(fast.pingIntervalMillis()).isEqualTo(5_000);
    assertThat(transport.webSocketClient(Optional.of(Duration.ofSeconds(5)))).isSameAs(fast);
    assertThat(transport.webSocketClient(Optional.of(Duration.ofSeconds(9))).pingIntervalMillis())
        .isEqualTo(9_000);
    assertThat(fast.dispatcher()).isSameAs(client.dispatcher());
    assertThat(fast.cookieJar()).isSameAs(CookieJar.NO_COOKIES);
  }

  @Test
  void namesItselfAndCannotPingOnDemand() {
    OkHttpTransport transport = OkHttpTransport.create(client);

    assertThat(transport.name()).isEqualTo("okhttp");
    assertThat(transport.supportsPing()).isFalse();
    assertThat(transport.tcpNoDelay()).isTrue();
  }

  @Test
  void rejectsAHeaderOkHttpCannotSendWithoutShowingItsValue() {
    HandshakeRequest request = HandshakeRequest.of(URI.create("ws://localhost:1/ws"),
        Map.of("Authorization", List.of("Bearer s3cr3t\n")));

    assertThatThrownBy(() ->
        OkHttpTransport.create(client).open(request, new RecordingTransportListener()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Authorization")
        .hasMessageNotContaining("s3cr3t");
  }

  @Test
  void rejectsAUriOkHttpCannotParseWithoutShowingItsQuery() {
    HandshakeRequest request =
        HandshakeRequest.of(URI.create("ws://localhost:0/ws?token=s3cr3t"), Map.of());

    assertThatThrownBy(() ->
        OkHttpTransport.create(client).open(request, new RecordingTransportListener()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri (ws://localhost:0/ws) is not a URL OkHttp accepts");
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> OkHttpTransport.create(null))
        .isInstanceOf(NullPointerException.class).hasMessage("client == null");
    assertThatThrownBy(() -> OkHttpCookieJar.of(null))
        .isInstanceOf(NullPointerException.class).hasMessage("jar == null");
  }
}
