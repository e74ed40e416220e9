package io.stickyws;

import io.stickyws.spi.SerialEvents;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener mailbox of one connection: listener calls are added in order under the connection's
 * lock and delivered after it is released, one at a time, exactly one terminal call and nothing
 * after it. They are delivered on the thread that reported the event (a transport thread, a
 * scheduler task), unless that thread is inside an application call ({@code send}, {@code close}):
 * then on the scheduler, so those calls return before any callback they cause.
 *
 * <p>Thread-safe.
 */
final class Mailbox {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);
  /** How many application calls ({@code send}, {@code close}) this thread is inside. */
  private static final ThreadLocal<int[]> IN_APPLICATION_CALL =
      ThreadLocal.withInitial(() -> new int[1]);

  private final StickyWebSocket webSocket;
  private final StickyWebSocketListener listener;
  private final String logName;
  private final Executor scheduler;
  private final SerialEvents events;
  private final CountDownLatch terminalDelivered = new CountDownLatch(1);

  Mailbox(StickyWebSocket webSocket, StickyWebSocketListener listener, String logName,
      Executor scheduler) {
    this.webSocket = webSocket;
    this.listener = listener;
    this.logName = logName;
    this.scheduler = scheduler;
    this.events = new SerialEvents(logName);
  }

  /** A listener method, bound to a connection. */
  interface Call {
    void on(StickyWebSocketListener listener, StickyWebSocket webSocket);
  }

  /** Under lock: queues a listener call. */
  void add(Call call) {
    events.add(() -> deliver(call));
  }

  /** Under lock: queues the terminal listener call; no call is delivered after it. */
  void addTerminal(Call call) {
    events.addTerminal(() -> {
      deliver(call);
      terminalDelivered.countDown();
      webSocket.session().delivered(webSocket);
    });
  }

  /** Not under lock: queues a call and delivers it on the scheduler, never on this thread. */
  void post(Call call) {
    if (events.add(() -> deliver(call))) {
      applicationCall(() -> {
        drain();
        return null;
      });
    }
  }

  /** Waits until the terminal call returned; whether it did within the timeout. */
  boolean awaitTerminal(long timeoutNanos) throws InterruptedException {
    return terminalDelivered.await(timeoutNanos, TimeUnit.NANOSECONDS);
  }

  /** Not under lock: delivers the queued calls here, or on the scheduler inside an application call. */
  void drain() {
    if (!events.pending()) {
      return;
    }
    if (IN_APPLICATION_CALL.get()[0] == 0) {
      events.drain();
      return;
    }
    try {
      scheduler.execute(events::drain);
    } catch (RejectedExecutionException e) {
      log.debug("{}: scheduler rejected the delivery (session closed?); delivering here", logName);
      events.drain();
    }
  }

  /** Runs {@code action} as an application call: listener calls it causes wait for the scheduler. */
  static <T> T applicationCall(Supplier<T> action) {
    int[] depth = IN_APPLICATION_CALL.get();
    depth[0]++;
    try {
      return action.get();
    } finally {
      depth[0]--;
    }
  }

  private void deliver(Call call) {
    try {
      call.on(listener, webSocket);
    } catch (RuntimeException e) {
      log.warn("{}: listener {} threw; ignored", logName, listener.getClass().getName(), e);
    }
  }
}
