package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {
  private static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void keepsRepeatedHeadersAsSeparateValuesInOrder() {
    ResponseHead head = ResponseHead.parse(bytes("HTTP/1.1 101 Switching Protocols\r\n"
        + "Upgrade: websocket\r\nSet-Cookie: srv=backend1; Path=/\r\nConnection: Upgrade\r\n"
        + "set-cookie:SERVERID=backend1; path=/  \r\n\r\n"));
    assertThat(head.status()).isEqualTo(101);
    assertThat(head.headers().keySet()).containsExactly("Upgrade", "Set-Cookie", "Connection");
    assertThat(head.headers().get("Set-Cookie"))
        .containsExactly("srv=backend1; Path=/", "SERVERID=backend1; path=/");
  }

  @Test
  void doesNotMoveTheBufferAndIgnoresTheBody() {
    ByteBuffer buf = bytes("HTTP/1.1 503 Busy\r\nRetry-After: 1\r\n\r\nbody\r\n\r\n");
    ResponseHead head = ResponseHead.parse(buf);
    assertThat(buf.position()).isZero();
    assertThat(head.status()).isEqualTo(503);
    assertThat(head.headers()).containsOnlyKeys("Retry-After");
  }

  @Test
  void waitsForTheEmptyLine() {
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 503 Busy\r\nRetry-After: 1\r\n"))).isNull();
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 503 Bu"))).isNull();
  }

  @Test
  void refusesAnEndlessHead() {
    String huge = "HTTP/1.1 200 OK\r\nX: " + "y".repeat(ResponseHead.MAX_HEAD_BYTES) + "\r\n";
    assertThatThrownBy(() -> ResponseHead.parse(bytes(huge)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void joinsFoldedLinesAndSkipsGarbage() {
    ResponseHead head = ResponseHead.parse(bytes(
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n realm=\"x\"\r\nnot a header\r\n"
            + ": empty name\r\n\r\n"));
    assertThat(head.status()).isEqualTo(401);
    assertThat(head.headers()).containsOnlyKeys("WWW-Authenticate");
    assertThat(head.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"x\"");
  }

  @Test
  void reportsNoStatusForANonHttpStatusLine() {
    assertThat(ResponseHead.parse(bytes("SSH-2.0-OpenSSH\r\n\r\n")).status()).isZero();
    assertThat(ResponseHead.parse(bytes("HTTP/1.1 abc x\r\n\r\n")).status()).isZero();
  }

  @Test
  void toStringShowsNoValues() {
    ResponseHead head = ResponseHead.parse(bytes("HTTP/1.1 101 OK\r\nSet-Cookie: secret=42\r\n\r\n"));
    assertThat(head.toString()).contains("Set-Cookie").doesNotContain("secret", "42");
  }

  @Test
  void headerOctetsThatAreValidUtf8AreDecodedAsUtf8AndOthersByteForByte() {
    byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(200);
    buf.put("HTTP/1.1 101 Switching Protocols\r\nSet-Cookie: eur=".getBytes(StandardCharsets.US_ASCII))
        .put(euro).put("\r\nSet-Cookie: bad=".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 0xE9).put("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).flip();

    ResponseHead head = ResponseHead.parse(buf);

    assertThat(head.headers().get("Set-Cookie")).containsExactly("eur=\u20ac", "bad=\u00e9");
    assertThat(ResponseHead.utf8IfValid("plain")).isEqualTo("plain");
  }
}
