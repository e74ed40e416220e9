package io.stickyws;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of one connection on the session's scheduler: the next attempt, the heartbeat and its
 * pong timeout, the confirming ping, the close timeout. Tasks that throw are logged, never lost
 * silently; a scheduler that was shut down (session closed) is tolerated.
 *
 * <p>Not thread-safe: the handles are guarded by the connection's lock.
 */
final class Timers {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  /** Whether this thread is running an attempt that was due at once (see {@link #reconnect}). */
  private static final ThreadLocal<Boolean> RUNNING_NOW = ThreadLocal.withInitial(() -> false);

  private final ScheduledExecutorService scheduler;
  private final String logName;
  ScheduledFuture<?> reconnect;
  ScheduledFuture<?> heartbeat;
  ScheduledFuture<?> pongTimeout;
  ScheduledFuture<?> closeTimeout;
  ScheduledFuture<?> confirm;
  boolean awaitingPong;

  Timers(ScheduledExecutorService scheduler, String logName) {
    this.scheduler = scheduler;
    this.logName = logName;
  }

  /** Under lock: cancels the heartbeat, the pings' timers and the attempt's handshake timeout. */
  void cancelConnectionTimers(Attempt attempt) {
    cancel(heartbeat);
    cancel(pongTimeout);
    cancel(confirm);
    heartbeat = null;
    pongTimeout = null;
    confirm = null;
    awaitingPong = false;
    if (attempt != null) {
      cancel(attempt.handshakeTimeoutTask);
    }
  }

  /**
   * Under lock: schedules the next attempt, or, when it is due at once, hands it back to be run on
   * this thread as soon as the lock is released: a reconnect with no delay does not wait for the
   * scheduler to wake up. One level deep per thread: an attempt due at once that ends at once on the
   * same thread goes through the scheduler.
   */
  Runnable reconnect(Runnable attempt, Duration delay) {
    if (delay.isZero() && !RUNNING_NOW.get()) {
      return () -> {
        RUNNING_NOW.set(true);
        try {
          guarded(attempt);
        } finally {
          RUNNING_NOW.set(false);
        }
      };
    }
    reconnect = schedule(attempt, delay);
    return () -> { };
  }

  void cancel(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return scheduler.schedule(
          () -> guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("{}: scheduler rejected a task (session closed?)", logName);
      return null;
    }
  }

  void execute(Runnable task) {
    execute(scheduler, task);
  }

  void execute(Executor executor, Runnable task) {
    try {
      executor.execute(() -> guarded(task));
    } catch (RejectedExecutionException e) {
      log.debug("{}: executor rejected a task (session closed?)", logName);
    }
  }

  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("{}: internal task failed", logName, e);
    }
  }

  /** Not under lock: calls into the transport collected under it. */
  static void run(List<Runnable> io) {
    for (Runnable action : io) {
      action.run();
    }
  }
}
