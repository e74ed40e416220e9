package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the observing transport strips and records: names only, never values. */
class ObservingTransportTest {
  private final List<HandshakeRequest> requests = new ArrayList<>();
  private final List<TransportListener> listeners = new ArrayList<>();
  private final Transport fake = new Transport() {
    @Override
    public TransportConnection open(HandshakeRequest request, TransportListener listener) {
      requests.add(request);
      listeners.add(listener);
      return null;
    }

    @Override
    public String name() {
      return "fake";
    }
  };
  private final TransportListener ignore = new TransportListener() {
    @Override
    public void onOpen(HandshakeResponse response) {}

    @Override
    public void onText(String text) {}

    @Override
    public void onBinary(ByteBuffer data) {}

    @Override
    public void onPong(ByteBuffer payload) {}

    @Override
    public void onClosed(int code, String reason, boolean remote) {}

    @Override
    public void onFailure(Throwable cause, HandshakeResponse response) {}
  };

  private static HandshakeRequest request() {
    return HandshakeRequest.of(URI.create("ws://127.0.0.1:1/ws"),
        Map.of("Cookie", List.of("SERVERID=s1; other=x"), "X-Trace", List.of("1")));
  }

  @Test
  void recordsTheNamesOfSentAndSetCookies() {
    ObservingTransport transport = new ObservingTransport(fake, false);

    transport.open(request(), ignore);
    listeners.get(0).onOpen(HandshakeResponse.of(101, Map.of("Set-Cookie",
        List.of("SERVERID=s2; Path=/", "lb=abc123; HttpOnly", "broken"))));

    assertThat(requests.get(0).headers("Cookie")).containsExactly("SERVERID=s1; other=x");
    assertThat(transport.sentOnLastOpen()).containsExactly("SERVERID", "other");
    assertThat(transport.setCookieNames()).containsExactly("SERVERID", "lb");
    assertThat(transport.setCookieNames().toString()).doesNotContain("s2", "abc123");
  }

  @Test
  void stripsEveryCookieWhenAsked() {
    ObservingTransport transport = new ObservingTransport(fake, true);

    transport.open(request(), ignore);
    listeners.get(0).onFailure(new java.io.IOException("x"), HandshakeResponse.of(503, Map.of("Set-Cookie",
        List.of("SERVERID=s3"))));

    assertThat(requests.get(0).headers("Cookie")).isEmpty();
    assertThat(requests.get(0).headers("X-Trace")).containsExactly("1");
    assertThat(transport.sentOnLastOpen()).isEmpty();
    assertThat(transport.setCookieNames()).containsExactly("SERVERID");
  }
}
