package io.stickyws.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.spi.HandshakeKeys;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingHandshakesTest {
  private static final URI HTTP = URI.create("http://lb.example/ws");
  private final PendingHandshakes handshakes = new PendingHandshakes();

  @Test
  void computesTheAcceptValueOfRfc6455() {
    assertThat(HandshakeKeys.accept("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void attributesThe101ByItsAcceptValue() {
    PendingHandshakes.Entry a = handshakes.newEntry(HTTP, Map.of("X-N", List.of("1")), () -> {});
    PendingHandshakes.Entry b = handshakes.newEntry(HTTP, Map.of("X-N", List.of("2")), () -> {});
    assertThat(handshakes.register(a)).isTrue();
    assertThat(handshakes.register(b)).isTrue();

    assertThat(handshakes.onRequest(HTTP, request("2", "keyB"))).isTrue();
    assertThat(handshakes.onRequest(HTTP, request("1", "keyA"))).isTrue();
    handshakes.onResponse(HTTP, Map.of("Sec-WebSocket-Accept",
        List.of(HandshakeKeys.accept("keyA")), "Set-Cookie", List.of("SERVERID=a")));

    assertThat(a.captured()).containsEntry("Set-Cookie", List.of("SERVERID=a"));
    assertThat(b.captured()).isNull();
  }

  @Test
  void startsAnIdenticalAttemptOnlyOnceTheFirstWasBound() {
    AtomicInteger started = new AtomicInteger();
    PendingHandshakes.Entry first = handshakes.newEntry(HTTP, Map.of(), () -> {});
    PendingHandshakes.Entry second = handshakes.newEntry(HTTP, Map.of(), started::incrementAndGet);
    assertThat(handshakes.register(first)).isTrue();
    assertThat(handshakes.register(second)).isFalse();
    assertThat(started).hasValue(0);

    handshakes.onRequest(HTTP, request(null, "k1"));
    assertThat(started).hasValue(1);
  }

  @Test
  void startsTheWaitingAttemptWhenTheFirstEndsUnbound() {
    AtomicInteger started = new AtomicInteger();
    PendingHandshakes.Entry first = handshakes.newEntry(HTTP, Map.of(), () -> {});
    PendingHandshakes.Entry second = handshakes.newEntry(HTTP, Map.of(), started::incrementAndGet);
    handshakes.register(first);
    handshakes.register(second);

    handshakes.release(first);
    assertThat(started).hasValue(1);
    handshakes.release(second);
    assertThat(handshakes.size()).isZero();
  }

  @Test
  void plainRequestsAreNotHandshakes() {
    assertThat(handshakes.onRequest(HTTP, Map.of("Accept", List.of("*/*")))).isFalse();
    assertThat(handshakes.onResponse(HTTP, Map.of("Set-Cookie", List.of("a=b")))).isFalse();
  }

  @Test
  void aFailedHandshakesResponseIsNotForTheJar() {
    PendingHandshakes.Entry entry = handshakes.newEntry(HTTP, Map.of(), () -> {});
    handshakes.register(entry);
    handshakes.onRequest(HTTP, request(null, "k1"));

    assertThat(handshakes.onResponse(HTTP, Map.of("Retry-After", List.of("1")))).isTrue();
    handshakes.release(entry);
    assertThat(handshakes.onResponse(HTTP, Map.of("Retry-After", List.of("1")))).isFalse();
  }

  private static Map<String, List<String>> request(String n, String key) {
    return n == null
        ? Map.of("Sec-WebSocket-Key", List.of(key), "Sec-WebSocket-Version", List.of("13"))
        : Map.of("X-N", List.of(n), "Sec-WebSocket-Key", List.of(key),
            "Sec-WebSocket-Version", List.of("13"));
  }
}
