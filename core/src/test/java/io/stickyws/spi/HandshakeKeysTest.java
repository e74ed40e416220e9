package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandshakeKeysTest {
  @Test
  void computesTheAcceptValueOfTheRfc6455Example() {
    assertThat(HandshakeKeys.accept("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void differentKeysGiveDifferentValues() {
    assertThat(HandshakeKeys.accept("keyA")).isNotEqualTo(HandshakeKeys.accept("keyB"));
  }
}
