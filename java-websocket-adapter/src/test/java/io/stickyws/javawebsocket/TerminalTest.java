package io.stickyws.javawebsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.spi.ResponseHead;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the library's {@code onClose(code, reason, remote)} becomes the SPI's terminal event. */
class TerminalTest {
  private static ResponseHead head(String text) {
    return ResponseHead.parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static Terminal opened(boolean closeRequested, int code, String reason, boolean remote) {
    return Terminal.of(true, false, false, closeRequested, closeRequested ? 1000 : 0, "bye",
        head("HTTP/1.1 101 OK\r\n\r\n"), null, code, reason, remote);
  }

  @Test
  void aNon101AnswerIsAFailureCarryingTheResponse() {
    Terminal t = Terminal.of(false, false, false, false, 0, "",
        head("HTTP/1.1 503 Busy\r\nRetry-After: 1\r\n\r\n"), null, 1002,
        "Invalid status code received: 503", false);
    assertThat(t.isFailure()).isTrue();
    assertThat(t.cause()).isInstanceOf(ProtocolException.class);
    assertThat(t.response().status()).isEqualTo(503);
    assertThat(t.response().header("Retry-After")).hasValue("1");
  }

  @Test
  void aRejected101IsAFailureWithoutResponse() {
    Terminal t = Terminal.of(false, false, false, false, 0, "",
        head("HTTP/1.1 101 OK\r\n\r\n"), null, 1002, "draft refuses handshake", false);
    assertThat(t.isFailure()).isTrue();
    assertThat(t.cause()).isInstanceOf(ProtocolException.class);
    assertThat(t.response()).isNull();
  }

  @Test
  void aConnectErrorIsReportedAsItself() {
    ConnectException refused = new ConnectException("Connection refused");
    Terminal t = Terminal.of(false, false, false, false, 0, "", null, refused, -1,
        "Connection refused", false);
    assertThat(t.cause()).isSameAs(refused);
    assertThat(t.response()).isNull();
  }

  @Test
  void aRemoteCloseIsClosedRemote() {
    Terminal t = opened(false, 1012, "restart", true);
    assertThat(t.isFailure()).isFalse();
    assertThat(t.code()).isEqualTo(1012);
    assertThat(t.reason()).isEqualTo("restart");
    assertThat(t.remote()).isTrue();
  }

  @Test
  void aRequestedCloseIsLocalEvenWhenTheLibrarySaysRemote() {
    Terminal t = opened(true, 1000, "bye", true);
    assertThat(t.isFailure()).isFalse();
    assertThat(t.remote()).isFalse();
  }

  @Test
  void anAbnormalCloseIsAFailure() {
    Terminal t = opened(false, 1006, "", true);
    assertThat(t.isFailure()).isTrue();
    assertThat(t.cause()).isInstanceOf(IOException.class);
    assertThat(t.response()).isNull();
  }

  @Test
  void aCloseTheLibraryStartedOnItsOwnIsAFailure() {
    Terminal t = opened(false, 1009, "too big", false);
    assertThat(t.isFailure()).isTrue();
    assertThat(t.cause()).hasMessageContaining("1009");
  }

  @Test
  void anAbortIsAFailureWhateverTheLibrarySays() {
    Terminal t = Terminal.of(true, true, false, false, 0, "", null, null, 1000, "", true);
    assertThat(t.isFailure()).isTrue();
    assertThat(t.cause()).hasMessageContaining("aborted");
  }

  @Test
  void aCloseBeforeOpenIsClosedWithTheRequestedCode() {
    Terminal t = Terminal.of(false, false, true, true, 1001, "going away", null,
        new IOException("Socket closed"), -1, "", false);
    assertThat(t.isFailure()).isFalse();
    assertThat(t.code()).isEqualTo(1001);
    assertThat(t.reason()).isEqualTo("going away");
    assertThat(t.remote()).isFalse();
  }
}
