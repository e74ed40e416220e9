package io.stickyws;

import io.stickyws.spi.TransportConnection;
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
  // Guarded by lock.
  private final OutboundQueue queue;
  private final UnconfirmedWindow window;
  private boolean flushing;

  Sender(StickyWebSocket engine, Object lock, Mailbox mailbox, Heartbeat heartbeat,
      OutboundQueue queue, UnconfirmedWindow window, boolean resendUnconfirmed, String logName) {
    this.engine = engine;
    this.lock = lock;
    this.mailbox = mailbox;
    this.heartbeat = heartbeat;
    this.queue = queue;
    this.window = window;
    this.resendUnconfirmed = resendUnconfirmed;
    this.logName = logName;
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
    for (Message message : queue.takeAll()) {
      mailbox.add((l, ws) -> l.onDropped(ws, message));
    }
  }

  /** Under lock. */
  int queued() {
    return queue.size();
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
