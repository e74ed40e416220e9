package io.stickyws.testing;

import io.stickyws.SessionEvent;
import io.stickyws.SessionObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Records every {@link SessionObserver} call, in order, with bounded waits for tests that run on
 * real threads. Each method records the event it received, so a test can check that the engine
 * called the method made for the event (the event's own kind names the method).
 *
 * <p>Thread-safe.
 */
public class RecordingObserver implements SessionObserver {
  private final List<SessionEvent> events = new ArrayList<>();
  private final List<String> methods = new ArrayList<>();

  @Override
  public void onAttemptStarted(SessionEvent.AttemptStarted event) {
    add("onAttemptStarted", event);
  }

  @Override
  public void onAttemptFailed(SessionEvent.AttemptFailed event) {
    add("onAttemptFailed", event);
  }

  @Override
  public void onOpened(SessionEvent.Opened event) {
    add("onOpened", event);
  }

  @Override
  public void onDisconnected(SessionEvent.Disconnected event) {
    add("onDisconnected", event);
  }

  @Override
  public void onAffinityDropped(SessionEvent.AffinityDropped event) {
    add("onAffinityDropped", event);
  }

  @Override
  public void onGaveUp(SessionEvent.GaveUp event) {
    add("onGaveUp", event);
  }

  @Override
  public void onClosed(SessionEvent.Closed event) {
    add("onClosed", event);
  }

  @Override
  public void onQueueOverflow(SessionEvent.QueueOverflow event) {
    add("onQueueOverflow", event);
  }

  @Override
  public void onUnconfirmed(SessionEvent.Unconfirmed event) {
    add("onUnconfirmed", event);
  }

  @Override
  public void onHeartbeat(SessionEvent.Heartbeat event) {
    add("onHeartbeat", event);
  }

  @Override
  public void onCookieStorageFailed(SessionEvent.CookieStorageFailed event) {
    add("onCookieStorageFailed", event);
  }

  @Override
  public void onCookieStorageRecovered(SessionEvent.CookieStorageRecovered event) {
    add("onCookieStorageRecovered", event);
  }

  private synchronized void add(String method, SessionEvent event) {
    methods.add(method);
    events.add(event);
    notifyAll();
  }

  /** @return a copy of the events received so far, in order */
  public synchronized List<SessionEvent> events() {
    return new ArrayList<>(events);
  }

  /** @return the names of the methods called so far, in order */
  public synchronized List<String> methods() {
    return new ArrayList<>(methods);
  }

  /**
   * Waits until an event matches, at most {@code timeoutMillis}.
   *
   * @return the first matching event
   * @throws AssertionError if none arrives in time
   */
  public synchronized SessionEvent await(Predicate<SessionEvent> match, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      for (SessionEvent event : events) {
        if (match.test(event)) {
          return event;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching session event within " + timeoutMillis
            + " ms; got " + events);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
