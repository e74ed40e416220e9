package io.stickyws.spi;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the events of one connection one at a time, in the order they were added, with exactly one
 * terminal event and nothing after it. There is no thread of its own: whichever thread drains first
 * runs every queued event, the others return at once (no thread ever waits for another). An event
 * that throws is logged at WARN and the next one runs: nothing is ever thrown into the thread that
 * drains, which is often a WebSocket library's own thread.
 *
 * <p>Adapters use {@link #post} and {@link #postTerminal} from the library's callbacks. The engine
 * adds events under its lock with {@link #add} / {@link #addTerminal} and drains them after
 * releasing it.
 *
 * <pre>{@code
 * SerialEvents events = new SerialEvents("okhttp " + Loggable.uri(uri));
 * events.post(() -> listener.onText(text));                  // from a reader thread
 * events.postTerminal(() -> listener.onClosed(code, reason, remote));
 * }</pre>
 *
 * <p>Instances are thread-safe.
 */
public final class SerialEvents {
  private static final Logger log = LoggerFactory.getLogger(SerialEvents.class);

  private final String owner;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean terminal = new AtomicBoolean();
  /** Set by the draining thread once the terminal event ran (published by {@link #draining}). */
  private boolean finished;

  /**
   * Creates an empty, not yet terminated sequence of events.
   *
   * @param owner what the events belong to, for the WARN log of an event that throws; no secrets
   */
  public SerialEvents(String owner) {
    if (owner == null) {
      throw new NullPointerException("owner == null");
    }
    this.owner = owner;
  }

  /**
   * Queues an event without running it; {@link #drain()} runs it.
   *
   * @param event the event
   * @return {@code false} if it was dropped because the terminal event was added already
   */
  public boolean add(Runnable event) {
    if (terminal.get()) {
      return false;
    }
    queue.add(event);
    return true;
  }

  /**
   * Queues the terminal event without running it. Only the first terminal event is kept; every
   * event added after it is dropped.
   *
   * @param event the terminal event
   * @return {@code true} if this was the terminal event, {@code false} if one was added before
   */
  public boolean addTerminal(Runnable event) {
    if (!terminal.compareAndSet(false, true)) {
      return false;
    }
    queue.add(new Terminal(event));
    return true;
  }

  /**
   * Queues an event and drains.
   *
   * @param event the event
   * @return {@code false} if it was dropped because the terminal event was added already
   */
  public boolean post(Runnable event) {
    boolean added = add(event);
    drain();
    return added;
  }

  /**
   * Queues the terminal event and drains.
   *
   * @param event the terminal event
   * @return {@code true} if this was the terminal event, {@code false} if one was added before
   */
  public boolean postTerminal(Runnable event) {
    boolean added = addTerminal(event);
    drain();
    return added;
  }

  /**
   * Whether the terminal event was added.
   *
   * @return {@code true} once {@link #addTerminal} or {@link #postTerminal} succeeded
   */
  public boolean terminated() {
    return terminal.get();
  }

  /**
   * Whether events wait to be run.
   *
   * @return {@code true} if the queue is not empty
   */
  public boolean pending() {
    return !queue.isEmpty();
  }

  /**
   * Runs the queued events on this thread, unless another thread is running them already (it then
   * runs them too, before it returns). Never throws.
   */
  public void drain() {
    while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        Runnable event;
        while ((event = queue.poll()) != null) {
          if (finished) {
            continue; // raced past the terminal check in add(): nothing runs after the terminal
          }
          finished = event instanceof Terminal;
          try {
            event.run();
          } catch (Throwable t) { // never into the draining thread, often a library's own
            log.warn("{}: an event handler threw; ignored", owner, t);
          }
        }
      } finally {
        draining.set(false);
      }
    }
  }

  /** Marks the terminal event in the queue. */
  private static final class Terminal implements Runnable {
    private final Runnable event;

    Terminal(Runnable event) {
      this.event = event;
    }

    @Override
    public void run() {
      event.run();
    }
  }

  @Override
  public String toString() {
    return "SerialEvents{" + owner + (terminal.get() ? ", terminated" : "") + "}";
  }
}
