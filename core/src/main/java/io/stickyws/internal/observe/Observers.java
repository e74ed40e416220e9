package io.stickyws.internal.observe;

import io.stickyws.SessionEvent;
import io.stickyws.SessionObserver;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls every observer of a session, in the order they were registered. An observer that throws is
 * logged at WARN the first time (at DEBUG after that) and stays registered; the next observer is
 * still called.
 *
 * <p>The engine asks {@link #active()} before it builds an event: a session without observers
 * shares {@link #NONE}, and then no event is allocated and no call made.
 *
 * <p>Instances are thread-safe.
 */
public final class Observers implements SessionObserver {
  private static final Logger log = LoggerFactory.getLogger(Observers.class);

  /** The fan-out of a session without observers: inactive, calls nobody. */
  public static final Observers NONE = new Observers(List.of());

  private final List<SessionObserver> observers;
  private final SessionObserver[] array;
  /** 1 at index i once observer i threw and was logged at WARN. */
  private final AtomicIntegerArray warned;
  /** 1 at the ordinal of each storage operation now failing in this session. */
  private final AtomicIntegerArray storageFailing =
      new AtomicIntegerArray(SessionEvent.StorageOperation.values().length);

  private Observers(List<SessionObserver> observers) {
    this.observers = observers;
    this.array = observers.toArray(new SessionObserver[0]);
    this.warned = new AtomicIntegerArray(array.length);
  }

  /**
   * The fan-out over {@code observers}.
   *
   * @param observers the observers, in calling order
   * @return {@link #NONE} when the list is empty
   * @throws NullPointerException if the list or an element is null
   */
  public static Observers of(List<SessionObserver> observers) {
    List<SessionObserver> copy = List.copyOf(Objects.requireNonNull(observers, "observers == null"));
    return copy.isEmpty() ? NONE : new Observers(copy);
  }

  /**
   * Whether any observer is registered: when {@code false}, build no event.
   *
   * @return {@code true} if events are observed
   */
  public boolean active() {
    return array.length != 0;
  }

  /**
   * The observers, in calling order.
   *
   * @return an unmodifiable list
   */
  public List<SessionObserver> list() {
    return observers;
  }

  /**
   * Hands {@code event} to every observer; never throws (but rethrows a
   * {@link VirtualMachineError}).
   *
   * @param event the event
   */
  public void dispatch(SessionEvent event) {
    SessionObserver[] targets = array;
    for (int i = 0; i < targets.length; i++) {
      try {
        event.dispatchTo(targets[i]);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        failed(i, event, t);
      }
    }
  }

  /**
   * Records whether {@code operation} of the session's cookie storage is failing now.
   *
   * @return {@code true} if that changed: a spell of failures starts, or ends
   */
  boolean storageFailing(SessionEvent.StorageOperation operation, boolean failing) {
    int now = failing ? 1 : 0;
    return storageFailing.compareAndSet(operation.ordinal(), 1 - now, now);
  }

  private void failed(int index, SessionEvent event, Throwable t) {
    String observer = array[index].getClass().getName();
    String kind = event.getClass().getSimpleName();
    if (warned.compareAndSet(index, 0, 1)) {
      log.warn("session observer {} threw on {}; it stays registered, and its further failures are"
          + " logged at DEBUG", observer, kind, t);
    } else {
      log.debug("session observer {} threw on {} again", observer, kind, t);
    }
  }

  @Override
  public void onAttemptStarted(SessionEvent.AttemptStarted event) {
    dispatch(event);
  }

  @Override
  public void onAttemptFailed(SessionEvent.AttemptFailed event) {
    dispatch(event);
  }

  @Override
  public void onOpened(SessionEvent.Opened event) {
    dispatch(event);
  }

  @Override
  public void onDisconnected(SessionEvent.Disconnected event) {
    dispatch(event);
  }

  @Override
  public void onAffinityDropped(SessionEvent.AffinityDropped event) {
    dispatch(event);
  }

  @Override
  public void onGaveUp(SessionEvent.GaveUp event) {
    dispatch(event);
  }

  @Override
  public void onClosed(SessionEvent.Closed event) {
    dispatch(event);
  }

  @Override
  public void onQueueOverflow(SessionEvent.QueueOverflow event) {
    dispatch(event);
  }

  @Override
  public void onUnconfirmed(SessionEvent.Unconfirmed event) {
    dispatch(event);
  }

  @Override
  public void onHeartbeat(SessionEvent.Heartbeat event) {
    dispatch(event);
  }

  @Override
  public void onCookieStorageFailed(SessionEvent.CookieStorageFailed event) {
    dispatch(event);
  }

  @Override
  public void onCookieStorageRecovered(SessionEvent.CookieStorageRecovered event) {
    dispatch(event);
  }

  @Override
  public String toString() {
    return "Observers{" + array.length + "}";
  }
}
