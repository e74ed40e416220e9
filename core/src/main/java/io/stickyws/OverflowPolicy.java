package io.stickyws;

/**
 * What {@link StickyWebSocket#send(String)} does when the outbound queue, which holds messages
 * while the connection is not open, is full.
 *
 * <p>Instances are immutable and thread-safe.
 */
public enum OverflowPolicy {
  /** Refuse the new message: {@code send} returns {@code false}. */
  REJECT,
  /**
   * Discard the oldest queued messages until the new one fits, reporting each on
   * {@link StickyWebSocketListener#onDropped}; {@code send} returns {@code true}.
   */
  DROP_OLDEST
}
