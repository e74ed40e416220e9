package io.stickyws.spi;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound on the pongs a peer that pings and never reads makes a library queue, for adapters whose
 * library queues a pong for every ping it reads, without a bound and out of sight, but counts the
 * pings it read (OkHttp). Seen through a {@link WatchedSocketFactory}: each read first compares the
 * pings read with the writes completed on the socket (a pong is one write); once more than the
 * bound of pings are ahead of the writes, counted from the lowest difference seen, that read and
 * every later one fail, so the library fails the connection with that cause and closes the socket.
 *
 * <p>Instances are thread-safe: {@link #wrote()} runs on the writing thread, {@link #check} on the
 * one reading thread of the socket.
 */
public final class PongBacklog {
  private final int max;
  private final AtomicLong writes = new AtomicLong();
  /** The lowest (pings read - writes completed) seen: the baseline. Reading thread only. */
  private long lowest = Long.MAX_VALUE;
  private volatile IOException flood;

  /**
   * Creates a bound.
   *
   * @param max how many pings the peer may send ahead of the writes; positive
   * @throws IllegalArgumentException if {@code max} is not positive
   */
  public PongBacklog(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("max (" + max + ") must be > 0");
    }
    this.max = max;
  }

  /**
   * Counts one completed write on the socket ({@link WatchedSocketFactory.Observer#afterWrite}).
   */
  public void wrote() {
    writes.incrementAndGet();
  }

  /**
   * Checks the backlog before a read ({@link WatchedSocketFactory.Observer#beforeRead}).
   *
   * @param pingsRead the pings the library has read on this connection so far
   * @throws IOException once the peer is more than the bound of pings ahead of the writes, on
   *     this read and every later one
   */
  public void check(long pingsRead) throws IOException {
    if (flood != null) {
      throw flood;
    }
    long backlog = pingsRead - writes.get();
    lowest = Math.min(lowest, backlog);
    if (backlog - lowest > max) {
      flood = new IOException("the peer pings but does not read: " + (backlog - lowest)
          + " pongs wait to be written; connection dropped");
      throw flood;
    }
  }

  @Override
  public String toString() {
    return "PongBacklog{max=" + max + (flood == null ? "" : ", flooded") + "}";
  }
}
