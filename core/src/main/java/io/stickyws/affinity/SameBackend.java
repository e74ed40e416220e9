package io.stickyws.affinity;

/**
 * Whether a connection that just opened reached the same backend as the one before it, as far as
 * the affinity token can tell.
 *
 * <p>Constants are immutable and thread-safe.
 */
public enum SameBackend {
  /** The token names the same backend as the last known one. */
  SAME,
  /** The token names a different backend: the balancer moved this client. */
  CHANGED,
  /**
   * Cannot tell: the first connection, no affinity token, or a balancer whose values change on
   * every response (AWS) and differ.
   */
  UNKNOWN
}
