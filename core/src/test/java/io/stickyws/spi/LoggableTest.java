package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class LoggableTest {
  @Test
  void removesQuotedValuesAndWhatFollowsASecretHeaderName() {
    assertThat(Loggable.message("Invalid header value \"Set-Cookie: bad=ctl\u0001SECRET\""))
        .isEqualTo("Invalid header value \"<redacted>\"");
    assertThat(Loggable.message("invalid header value: \"Bearer SECRET\u20ac\""))
        .isEqualTo("invalid header value: \"<redacted>\"");
    assertThat(Loggable.message("bad header Cookie: a=SECRET; b=SECRET"))
        .isEqualTo("bad header Cookie <redacted>");
    assertThat(Loggable.message("Authorization=Bearer SECRET")).isEqualTo("Authorization <redacted>");
    assertThat(Loggable.message("unterminated \"SECRET")).isEqualTo("unterminated \"<redacted>\"");
    assertThat(Loggable.message(null)).isNull();
  }

  @Test
  void keepsAMessageWithoutSecretsAndIsIdempotent() {
    String plain = "Expected HTTP 101 response but was '302 Found'";
    assertThat(Loggable.message(plain)).isEqualTo(plain);
    String once = Loggable.message("x \"SECRET\" Cookie: y");
    assertThat(Loggable.message(once)).isEqualTo(once);
  }

  @Test
  void aFailureWithoutSecretsIsReturnedAsItIs() {
    IOException clean = new SocketTimeoutException("connect timed out");
    assertThat(Loggable.failure(clean)).isSameAs(clean);
    assertThat(Loggable.failure(null)).isNull();
  }

  @Test
  void aFailureWithASecretAnywhereInItsChainIsCopiedRedacted() {
    ProtocolException inner = new ProtocolException("Invalid header value \"Set-Cookie: s=SECRET\"");
    RuntimeException outer = new RuntimeException("wrapped", inner);

    Throwable safe = Loggable.failure(outer);

    assertThat(safe).isInstanceOf(IOException.class)
        .hasMessage("java.lang.RuntimeException: wrapped");
    assertThat(safe.getStackTrace()).isEqualTo(outer.getStackTrace());
    assertThat(safe.getCause()).hasMessage(
        "java.net.ProtocolException: Invalid header value \"<redacted>\"");
    assertThat(safe.toString() + safe.getCause()).doesNotContain("SECRET");
  }
}
