package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MessagePartsTest {
  private final MessageParts parts = new MessageParts();

  @Test
  void assemblesTextPartsAndStartsAfreshAfterTheLast() {
    StringBuilder reused = new StringBuilder("hel");
    assertThat(parts.text(reused, false)).isNull();
    reused.setLength(0);
    reused.append("lo");
    assertThat(parts.text(reused, true)).isEqualTo("hello");

    assertThat(parts.text("one part", true)).isEqualTo("one part");
    assertThat(parts.text("a", false)).isNull();
    assertThat(parts.text("", true)).isEqualTo("a");
  }

  @Test
  void assemblesBinaryPartsFromBuffersTheLibraryReuses() {
    ByteBuffer reused = ByteBuffer.wrap(new byte[] {1, 2});
    assertThat(parts.binary(reused, false)).isNull();
    assertThat(reused.position()).isZero();
    reused.put(0, (byte) 3).put(1, (byte) 4);
    ByteBuffer whole = parts.binary(reused, true);

    assertThat(whole).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
    assertThat(whole.position()).isZero();
  }

  @Test
  void aBinaryMessageInOnePartIsACopy() {
    ByteBuffer part = ByteBuffer.wrap(new byte[] {5, 6, 7});
    part.position(1);
    ByteBuffer whole = parts.binary(part, true);
    part.put(1, (byte) 0);

    assertThat(whole).isEqualTo(ByteBuffer.wrap(new byte[] {6, 7}));
    assertThat(parts.binary(ByteBuffer.allocate(0), true).remaining()).isZero();
  }

  @Test
  void textAndBinaryPartsDoNotMix() {
    assertThat(parts.text("t", false)).isNull();
    assertThat(parts.binary(ByteBuffer.wrap(new byte[] {1}), true))
        .isEqualTo(ByteBuffer.wrap(new byte[] {1}));
    assertThat(parts.text("u", true)).isEqualTo("tu");
  }
}
