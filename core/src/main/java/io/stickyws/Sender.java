package io.stickyws;

import io.stickyws.spi.TransportConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way out of one connection: a message goes straight to the transport when the connection is
 * open and no flush is running, otherwise into the {@link OutboundQueue}; the queue is flushed in
 * order on open; every message handed over is tracked in the {@link UnconfirmedWindow} until a pong
 * confirms it, and settled when the connection ends.
 *
 * <p>Thread-safe: its state is guarded by the connection's lock; the transport is called outside it.
 */
final class Sender {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  private final StickyWebSocket engine;
  private final Object lock;
  private final Mailbox mailbox;
  private final Heartbeat heartbeat;
  private final String logName;
  private final boolean resendUnconfirmed;
  private final QueuedOnBackendChange onChange;
  private final boolean applicationFirst;
  // Guarded by lock.
  private final OutboundQueue queue;
  private final UnconfirmedWindow window;
  private boolean flushing;
  /** Queued messages set aside while the open callbacks run, or held under HOLD. */
  private final List<Message> parked = new ArrayList<>(0);
  private boolean holding;

  Sender(StickyWebSocket engine, Object lock, Mailbox mailbox, Heartbeat heartbeat,
      OutboundQueue queue, UnconfirmedWindow window, StickySession session, String logName) {
    this.engine = engine;
    this.lock = lock;
    this.mailbox = mailbox;
    this.heartbeat = heartbeat;
    this.queue = queue;
    this.window = window;
    this.resendUnconfirmed = session.resendUnconfirmed();
    this.onChange = session.queuedOnBackendChange();
    this.applicationFirst = session.applicationSendsFirst();
    this.logName = logName;
  }

  /** Checks a close code and reason; returns the reason, never {@code null}. */
  static String checkClose(int code, String reason) {
    if (code != 1000 && code != 1001 && (code < 3000 || code > 4999)) {
      throw new IllegalArgumentException(
          "close code (" + code + ") must be 1000, 1001 or 3000-4999");
    }
    String why = reason == null ? "" : reason;
    if (why.getBytes(StandardCharsets.UTF_8).length > 123) {
      throw new IllegalArgumentException(
          "close reason (" + why.length() + " chars) must be at most 123 bytes in UTF-8");
    }
    return why;
  }

  /**
   * Under lock: the connection opened. On a changed backend (or on every open when the application
   * sends first) the queue is set aside until the open callbacks returned, and {@code null} is
   * returned; otherwise the queued messages to flush now, or {@code null}.
   */
  List<UnconfirmedWindow.Sent> startOpen(Attempt attempt, boolean changed) {
    if (holding && changed) {
      parked.addAll(queue.takeAll()); // meant for the old backend too: held with the others
      return null;
    }
    if (holding || (!changed && !applicationFirst)) {
      return startFlush(attempt);
    }
    parked.addAll(queue.takeAll());
    return null;
  }

  /** Under lock: after the open callbacks in the mailbox, what happens to the set-aside queue. */
  void afterOpenCallbacks(Attempt attempt, boolean changed) {
    if (!parked.isEmpty() && !holding) {
      mailbox.add((l, ws) -> resume(attempt, changed ? onChange : QueuedOnBackendChange.FLUSH));
    }
  }

  /** Not under lock, in the mailbox after the open callbacks: flush, hand back or hold. */
  private void resume(Attempt attempt, QueuedOnBackendChange what) {
    List<UnconfirmedWindow.Sent> batch = null;
    synchronized (lock) {
      if (engine.openAttempt() != attempt || parked.isEmpty() || holding) {
        return; // the connection ended meanwhile: settle() queued them again
      }
      List<Message> messages = new ArrayList<>(parked);
      if (what == QueuedOnBackendChange.HOLD) {
        holding = true;
        log.debug("{}: {} messages held for the application", logName, messages.size());
        return;
      }
      parked.clear();
      if (what == QueuedOnBackendChange.HAND_BACK) {
        log.debug("{}: {} messages handed back unsent", logName, messages.size());
        mailbox.add((l, ws) -> l.onReturned(ws, messages));
      } else {
        queue.pushFront(messages);
        batch = flushing ? null : startFlush(attempt);
      }
    }
    if (batch != null) {
      flush(attempt, batch);
    }
    mailbox.drain();
  }

  /** Under lock: the messages held under HOLD, handed to the application. */
  List<Message> takeHeld() {
    if (!holding) {
      return List.of();
    }
    holding = false;
    List<Message> held = new ArrayList<>(parked);
    parked.clear();
    return held;
  }

  /** Not under lock: the application's send. */
  boolean send(Message message) {
    TransportConnection connection = null;
    UnconfirmedWindow.Sent sent = null;
    boolean queued = false;
    synchronized (lock) {
      if (engine.closing()) {
        return false;
      }
      Attempt attempt = flushing ? null : engine.openAttempt();
      if (attempt == null) {
        queued = enqueue(message);
      } else {
        connection = attempt.connection;
        sent = track(attempt, List.of(message)).get(0);
      }
    }
    if (connection == null) {
      mailbox.drain(); // messages pushed out of the queue
      return queued;
    }
    if (sendNow(connection, message)) {
      return true;
    }
    synchronized (lock) {
      window.untrack(sent);
      queued = !engine.closing() && enqueue(message);
    }
    mailbox.drain();
    return queued;
  }

  /** Under lock: the connection opened; the queued messages to flush, or {@code null}. */
  List<UnconfirmedWindow.Sent> startFlush(Attempt attempt) {
    if (queue.isEmpty()) {
      return null;
    }
    flushing = true;
    return track(attempt, queue.takeAll());
  }

  /** Not under lock: hands queued messages to the transport in order, then opens the gate. */
  void flush(Attempt attempt, List<UnconfirmedWindow.Sent> batch) {
    List<UnconfirmedWindow.Sent> next = batch;
    while (true) {
      int sent = 0;
      while (sent < next.size() && sendNow(attempt.connection, next.get(sent).message)) {
        sent++;
      }
      synchronized (lock) {
        if (sent < next.size()) {
          List<Message> unsent = new ArrayList<>(next.size() - sent);
          for (UnconfirmedWindow.Sent message : next.subList(sent, next.size())) {
            window.untrack(message);
            unsent.add(message.message);
          }
          queue.pushFront(unsent);
          flushing = false;
          return;
        }
        if (queue.isEmpty() || engine.openAttempt() != attempt) {
          flushing = false;
          return;
        }
        next = track(attempt, queue.takeAll());
      }
    }
  }

  /**
   * Under lock: the connection ended without the application closing it. Messages no pong
   * confirmed may or may not have reached the server: queued again in front, or reported.
   */
  void settle() {
    flushing = false;
    if (!holding && !parked.isEmpty()) { // set aside for open callbacks that never finished
      queue.pushFront(parked);
      parked.clear();
    }
    List<Message> messages = window.takeAll();
    if (messages.isEmpty()) {
      return;
    }
    if (resendUnconfirmed) {
      queue.pushFront(messages);
      log.debug("{}: {} unconfirmed messages queued again", logName, messages.size());
    } else {
      log.debug("{}: {} messages unconfirmed when the connection ended", logName, messages.size());
      mailbox.add((l, ws) -> l.onUnconfirmed(ws, messages));
    }
    engine.observer.unconfirmed(messages.size(), resendUnconfirmed);
  }

  /** Under lock: the application's close completed: the server read all we sent before it. */
  void forgetSent() {
    flushing = false;
    window.takeAll();
  }

  /** Under lock: the connection is over for good; reports what was never sent. */
  void dropQueued() {
    flushing = false;
    holding = false;
    List<Message> unsent = new ArrayList<>(parked);
    parked.clear();
    unsent.addAll(queue.takeAll());
    for (Message message : unsent) {
      mailbox.add((l, ws) -> l.onDropped(ws, message));
    }
  }

  /** Under lock. */
  int queued() {
    return queue.size() + parked.size();
  }

  /** Under lock: queues a message, reporting those the overflow policy pushed out. */
  private boolean enqueue(Message message) {
    List<Message> dropped = new ArrayList<>(0);
    boolean queued = queue.offer(message, dropped);
    engine.observer.queueOverflow(OverflowPolicy.DROP_OLDEST, dropped.size());
    engine.observer.queueOverflow(OverflowPolicy.REJECT, queued ? 0 : 1);
    for (Message old : dropped) {
      mailbox.add((l, ws) -> l.onDropped(ws, old));
    }
    return queued;
  }

  /** Under lock: numbers messages handed to the connection and asks for a confirming pong soon. */
  private List<UnconfirmedWindow.Sent> track(Attempt attempt, List<Message> messages) {
    List<UnconfirmedWindow.Sent> sent = new ArrayList<>(messages.size());
    for (Message message : messages) {
      sent.add(window.track(message));
    }
    heartbeat.confirmSoon(attempt);
    return sent;
  }

  private boolean sendNow(TransportConnection connection, Message message) {
    try {
      return message.isText()
          ? connection.sendText(message.text())
          : connection.sendBinary(message.binary());
    } catch (RuntimeException e) {
      log.warn("{}: transport threw from send; message queued for the next open", logName, e);
      return false;
    }
  }
}
