package io.stickyws.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling for the rig's own plumbing (process readiness, balancer state). Every wait has a deadline and fails
 * with an {@link AssertionError} naming what was awaited plus a diagnostic (usually a log tail).
 *
 * <p>Instances are not created; the class is thread-safe.
 */
public final class Wait {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

  private Wait() {}

  /** Polls {@code condition} until it holds or {@code timeout} passes; exceptions from it count as "not yet". */
  public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> diagnostics) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        AssertionError error = new AssertionError("timed out after " + timeout + " waiting for " + what
            + (diagnostics == null ? "" : "\n" + diagnostics.get()));
        if (last != null) {
          error.initCause(last);
        }
        throw error;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Same as {@link #until(Duration, String, BooleanSupplier, Supplier)} without diagnostics. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, what, condition, null);
  }
}
