package io.stickyws.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that tests move by hand, for durations the engine measures (time open, time down,
 * heartbeat round trips).
 *
 * <p>Thread-safe.
 */
public final class ManualClock extends Clock {
  private volatile Instant now;

  /** A clock at 2026-01-01T00:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** @param start the time it shows until moved */
  public ManualClock(Instant start) {
    this.now = start;
  }

  /** @param d how far to move it forward */
  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("ManualClock is UTC only");
  }

  @Override
  public Instant instant() {
    return now;
  }
}
