package io.stickyws.spi;

import java.nio.ByteBuffer;

/**
 * Copies of byte buffers, for adapters that keep bytes past a call: the payload of a ping or a
 * message the library writes later, or a buffer the library reuses after its callback returns.
 *
 * <p>Stateless and thread-safe.
 */
public final class Buffers {
  private Buffers() {}

  /**
   * Copies the remaining bytes without moving {@code data}'s position.
   *
   * @param data the bytes from position to limit
   * @return a new heap buffer holding them, positioned at 0, its limit their count
   */
  public static ByteBuffer copy(ByteBuffer data) {
    return ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
  }
}
