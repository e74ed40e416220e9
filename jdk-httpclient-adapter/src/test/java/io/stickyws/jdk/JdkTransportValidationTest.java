package io.stickyws.jdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/** Builder rules of {@link JdkTransport}: one rule per test. */
class JdkTransportValidationTest {
  @Test
  void keepsTheApplicationsRedirectPolicyForItsOwnRequestsAndOnItsBuilder() {
    HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL);
    JdkTransport transport = JdkTransport.create(builder);

    assertThat(transport.httpClient().followRedirects()).isEqualTo(HttpClient.Redirect.NORMAL);
    assertThat(builder.build().followRedirects()).isEqualTo(HttpClient.Redirect.NORMAL);
  }

  @Test
  void rejectsAZeroMaxOutboundBytes() {
    assertThatThrownBy(() -> JdkTransport.builder(HttpClient.newBuilder()).maxOutboundBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxOutboundBytes (0) must be > 0");
  }

  @Test
  void rejectsANegativeMaxOutboundBytes() {
    assertThatThrownBy(() -> JdkTransport.builder(HttpClient.newBuilder()).maxOutboundBytes(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxOutboundBytes (-1) must be > 0");
  }

  @Test
  void rejectsANullCookieJar() {
    assertThatThrownBy(() -> JdkTransport.builder(HttpClient.newBuilder()).cookieJar(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cookieJar == null");
  }

  @Test
  void rejectsANullHttpClientBuilder() {
    assertThatThrownBy(() -> JdkTransport.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("httpClientBuilder == null");
  }
}
