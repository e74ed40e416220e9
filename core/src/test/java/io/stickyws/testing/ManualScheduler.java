package io.stickyws.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time moves only when the test says so, with the clock that goes with it.
 * Tasks run on the test's thread inside {@link #runDue()} and {@link #advance(Duration)}.
 *
 * <p>Not thread-safe: drive it from the test thread only.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.seq));
  private final Instant origin;
  private long now;
  private long seq;
  private boolean shutdown;
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return origin.plusNanos(now);
    }
  };

  /** @param origin the clock's time before any advance */
  public ManualScheduler(Instant origin) {
    this.origin = origin;
  }

  /** A scheduler starting at 2026-01-01T00:00:00Z. */
  public ManualScheduler() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** @return the clock that shows this scheduler's time */
  public Clock clock() {
    return clock;
  }

  /** @return time elapsed since the origin */
  public Duration elapsed() {
    return Duration.ofNanos(now);
  }

  /** Runs every task that is due now, including those they schedule for now. */
  public void runDue() {
    Task task;
    while ((task = tasks.peek()) != null && task.due <= now) {
      tasks.poll();
      if (!task.cancelled) {
        task.done = true;
        task.runnable.run();
      }
    }
  }

  /**
   * Moves time forward, running each task at its due time.
   *
   * @param duration how far
   */
  public void advance(Duration duration) {
    long target = now + duration.toNanos();
    runDue();
    Task task;
    while ((task = tasks.peek()) != null && task.due <= target) {
      now = Math.max(now, task.due);
      runDue();
    }
    now = target;
    runDue();
  }

  /** @return the delay until the next pending task, or null if none */
  public Duration nextDelay() {
    for (Task task : sortedPending()) {
      return Duration.ofNanos(task.due - now);
    }
    return null;
  }

  /** @return the delays of all pending (not cancelled) tasks, soonest first */
  public List<Duration> pendingDelays() {
    List<Duration> delays = new ArrayList<>();
    for (Task task : sortedPending()) {
      delays.add(Duration.ofNanos(task.due - now));
    }
    return delays;
  }

  private List<Task> sortedPending() {
    List<Task> pending = new ArrayList<>();
    for (Task task : tasks) {
      if (!task.cancelled) {
        pending.add(task);
      }
    }
    pending.sort(tasks.comparator());
    return pending;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Task task = new Task(command, now + Math.max(0, unit.toNanos(delay)), seq++);
    tasks.add(task);
    return task;
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }

  private final class Task implements ScheduledFuture<Object> {
    final Runnable runnable;
    final long due;
    final long seq;
    boolean cancelled;
    boolean done;

    Task(Runnable runnable, long due, long seq) {
      this.runnable = runnable;
      this.due = due;
      this.seq = seq;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }
}
