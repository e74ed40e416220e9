package io.stickyws.javawebsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HeaderLines;
import io.stickyws.spi.RecordingTransportListener;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class JavaWebSocketTransportTest {
  @Test
  void defaults() {
    JavaWebSocketTransport transport = JavaWebSocketTransport.create();
    assertThat(transport.name()).isEqualTo("java-websocket");
    assertThat(transport.tcpNoDelay()).isTrue();
    assertThat(transport.connectTimeout()).isEqualTo(Duration.ZERO);
    assertThat(transport.supportsPing()).isTrue();
  }

  @Test
  void newBuilderKeepsTheSettings() {
    JavaWebSocketTransport transport = JavaWebSocketTransport.builder()
        .tcpNoDelay(false).connectTimeout(Duration.ofSeconds(3)).build();
    JavaWebSocketTransport copy = transport.newBuilder().build();
    assertThat(copy.tcpNoDelay()).isFalse();
    assertThat(copy.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(copy.customizer()).isSameAs(transport.customizer());
  }

  @Test
  void validatesAtBuild() {
    assertThatThrownBy(() -> JavaWebSocketTransport.builder().customizer(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("customizer == null");
    assertThatThrownBy(() -> JavaWebSocketTransport.builder().connectTimeout(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("connectTimeout == null");
    assertThatThrownBy(() -> JavaWebSocketTransport.builder()
        .connectTimeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout (PT-1S) must be zero or positive");
    assertThatThrownBy(() -> JavaWebSocketTransport.builder()
        .connectTimeout(Duration.ofDays(30)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("connectTimeout (PT720H) must be at most");
  }

  @Test
  void rejectsHeadersTheLibraryWouldWriteUnchecked() {
    AtomicBoolean customized = new AtomicBoolean();
    JavaWebSocketTransport transport = JavaWebSocketTransport.create(c -> customized.set(true));
    URI uri = URI.create("ws://127.0.0.1:9/");
    RecordingTransportListener listener = new RecordingTransportListener();
    assertThatThrownBy(() -> transport.open(
        HandshakeRequest.of(uri, Map.of("X-Evil", List.of("a\r\nHost: other"))), listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header X-Evil must not contain CR, LF or NUL in its value");
    assertThatThrownBy(() -> transport.open(
        HandshakeRequest.of(uri, Map.of("Bad Name", List.of("v"))), listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name (Bad Name) must be an HTTP token");
    assertThat(customized).isFalse();
    assertThat(listener.all()).isEmpty();
  }

  @Test
  void joinsRepeatedValuesIntoOneLine() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Cookie", List.of("a=1", "b=2"));
    headers.put("cookie", List.of("c=3"));
    headers.put("Accept-Language", List.of("en", "fr"));
    Map<String, String> joined = HeaderLines.join(headers);
    assertThat(joined).hasSize(2);
    assertThat(joined.get("Cookie")).isEqualTo("a=1; b=2; c=3");
    assertThat(joined.get("Accept-Language")).isEqualTo("en, fr");
  }

  @Test
  void closeRejectsCodesThatCannotBeSent() {
    JavaWebSocketConnection connection = new JavaWebSocketConnection(
        HandshakeRequest.of(URI.create("ws://127.0.0.1:9/"), Map.of()),
        new RecordingTransportListener(), 0);
    assertThatThrownBy(() -> connection.close(1006, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("code (1006) must be 1000-1003, 1007-1014 or 3000-4999");
    assertThatThrownBy(() -> connection.close(1000, "x".repeat(124)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reason (124 bytes) must be at most 123 bytes in UTF-8");
  }

  @Test
  void logsNoQuery() {
    assertThat(io.stickyws.spi.Loggable.uri(URI.create("wss://h.test:8443/p?token=s3cret")))
        .isEqualTo("wss://h.test:8443/p");
  }
}
