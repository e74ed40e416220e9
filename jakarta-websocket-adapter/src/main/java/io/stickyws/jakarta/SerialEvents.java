package io.stickyws.jakarta;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The serial delivery of one attempt's events: events posted from any thread run one at a time,
 * in the order posted, on whichever thread posts while none is running (no thread waits for
 * another); exactly one terminal event is accepted and nothing runs after it. This is the only
 * place in the adapter that orders listener calls.
 *
 * <p>Thread-safe.
 */
final class SerialEvents {
  private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pendingCount = new AtomicInteger();
  private final AtomicBoolean terminated = new AtomicBoolean();
  private final Consumer<Throwable> onListenerFailure;
  private boolean terminalDelivered; // only read and written by the draining thread

  SerialEvents(Consumer<Throwable> onListenerFailure) {
    this.onListenerFailure = onListenerFailure;
  }

  /** Runs {@code event} now or after the events posted before it; dropped after the terminal. */
  void post(Runnable event) {
    pending.add(event);
    if (pendingCount.getAndIncrement() != 0) {
      return; // the thread draining the queue runs it
    }
    do {
      Runnable next = pending.poll();
      if (next != null && !terminalDelivered) {
        try {
          next.run();
        } catch (Throwable t) { // never into the container's threads
          onListenerFailure.accept(t);
        }
      }
    } while (pendingCount.decrementAndGet() != 0);
  }

  /**
   * Posts the terminal event if none was posted yet.
   *
   * @return {@code false} if a terminal event was already posted (this one is dropped)
   */
  boolean terminate(Runnable terminal) {
    if (!terminated.compareAndSet(false, true)) {
      return false;
    }
    post(() -> {
      terminalDelivered = true;
      terminal.run();
    });
    return true;
  }

  boolean terminated() {
    return terminated.get();
  }
}
