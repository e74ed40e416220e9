package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BuffersTest {
  @Test
  void copiesTheRemainingBytesWithoutMovingTheOriginal() {
    ByteBuffer original = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
    original.position(1).limit(3);

    ByteBuffer copy = Buffers.copy(original);
    original.put(1, (byte) 9);

    assertThat(original.position()).isEqualTo(1);
    assertThat(copy.position()).isZero();
    assertThat(copy.remaining()).isEqualTo(2);
    assertThat(copy.get(0)).isEqualTo((byte) 2);
    assertThat(copy.get(1)).isEqualTo((byte) 3);
  }

  @Test
  void copiesADirectOrEmptyBuffer() {
    ByteBuffer direct = ByteBuffer.allocateDirect(2).put((byte) 7).put((byte) 8).flip();
    assertThat(Buffers.copy(direct)).isEqualTo(ByteBuffer.wrap(new byte[] {7, 8}));
    assertThat(Buffers.copy(ByteBuffer.allocate(0)).remaining()).isZero();
  }
}
