package io.stickyws;

import io.stickyws.spi.TransportConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's close of one connection: the closing handshake of an open connection (dropped
 * after the session's close timeout), or the abort of a handshake in flight or a pending reconnect;
 * then the one terminal call, {@code onClosed}.
 *
 * <p>Thread-safe: its state is guarded by the connection's lock; the transport is called outside
 * it.
 */
final class Closing {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  private final StickyWebSocket engine;
  private final Object lock;
  private final Timers timers;
  private final Sender sender;
  private final Mailbox mailbox;
  private final Duration closeTimeout;
  private final String logName;
  // Guarded by lock.
  private int code;
  private String reason = "";

  Closing(StickyWebSocket engine, Object lock, Timers timers, Sender sender, Mailbox mailbox,
      Duration closeTimeout, String logName) {
    this.engine = engine;
    this.lock = lock;
    this.timers = timers;
    this.sender = sender;
    this.mailbox = mailbox;
    this.closeTimeout = closeTimeout;
    this.logName = logName;
  }

  /** Not under lock: the application's close (or its session's). */
  Void close(int closeCode, String why) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (engine.closing()) {
        return null;
      }
      Attempt attempt = engine.current;
      timers.cancelConnectionTimers(attempt);
      timers.cancel(timers.reconnect);
      timers.reconnect = null;
      code = closeCode;
      reason = why;
      if (engine.openAttempt() != null) {
        engine.setState(StickyWebSocket.State.CLOSING, () -> "closed by the application");
        TransportConnection connection = attempt.connection;
        io.add(() -> connection.close(closeCode, why));
        timers.closeTimeout = timers.schedule(() -> timedOut(attempt), closeTimeout);
      } else {
        if (attempt != null) {
          attempt.done = true;
          TransportConnection connection = attempt.connection;
          if (connection != null) {
            io.add(connection::abort);
          }
        }
        engine.current = null;
        engine.setState(StickyWebSocket.State.CLOSED, () -> "closed by the application");
        engine.terminate((l, ws) -> l.onClosed(ws, closeCode, why));
      }
    }
    Timers.run(io);
    mailbox.drain();
    return null;
  }

  /** Under lock: the close code the application gave, 0 before it closed. */
  int code() {
    return code;
  }

  /** Under lock: the closing handshake the application started is over. */
  void finish() {
    timers.cancel(timers.closeTimeout);
    timers.closeTimeout = null;
    sender.forgetSent();
    engine.setState(StickyWebSocket.State.CLOSED, () -> "close complete");
    int closeCode = code;
    String why = reason;
    engine.terminate((l, ws) -> l.onClosed(ws, closeCode, why));
  }

  private void timedOut(Attempt attempt) {
    TransportConnection connection;
    synchronized (lock) {
      if (engine.state != StickyWebSocket.State.CLOSING) {
        return;
      }
      attempt.done = true;
      engine.current = null;
      connection = attempt.connection;
      log.debug("{}: no close frame within {}; dropping the connection", logName, closeTimeout);
      finish();
    }
    connection.abort();
    mailbox.drain();
  }
}
