package io.stickyws.testing;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Thread checks for tests: no {@code stickyws-*} thread may survive a close. */
public final class Threads {
  private Threads() {}

  /** @return the names of live threads whose name starts with {@code stickyws-} */
  public static List<String> stickywsThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("stickyws-"))
        .sorted()
        .collect(Collectors.toList());
  }

  /** Waits (bounded) until no {@code stickyws-*} thread is alive, else fails naming them. */
  public static void assertNoStickywsThreads(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!stickywsThreads().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("stickyws threads still alive after " + timeout + ": "
            + stickywsThreads());
      }
      pause();
    }
  }

  /** Waits (bounded) until {@code condition} holds, else fails. */
  public static void awaitCondition(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
