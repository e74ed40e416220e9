package io.stickyws;

/**
 * What happens to the messages queued while a connection was not open when it opens on another
 * backend ({@link io.stickyws.affinity.SameBackend#CHANGED}): the backend they were meant for, and
 * its state, is gone. Set per session with
 * {@link StickySession.Builder#queuedOnBackendChange(QueuedOnBackendChange)}.
 *
 * <p>In every case the application speaks first on a changed backend: the queued messages wait
 * until {@link StickyWebSocketListener#onOpen} and {@link StickyWebSocketListener#onAffinityChanged}
 * returned, and what those callbacks send goes out before them.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum QueuedOnBackendChange {
  /** Sent, in order, after the open callbacks (the default). */
  FLUSH,
  /**
   * Never sent: handed back on {@link StickyWebSocketListener#onReturned}, after the open callbacks,
   * so that the application can rebuild and send them again.
   */
  HAND_BACK,
  /**
   * Kept, unsent, until the application takes them with {@link StickyWebSocket#takeHeldMessages()};
   * reported on {@link StickyWebSocketListener#onDropped} if the connection ends first.
   */
  HOLD
}
