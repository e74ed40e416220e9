package io.stickyws;

import io.stickyws.spi.TransportConnection;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pings of one connection: the heartbeat (a ping every interval, the connection aborted when its
 * pong does not come in time) and the confirming ping sent shortly after messages, whose pong
 * confirms them in the {@link UnconfirmedWindow}. Runs on the session's scheduler. A transport that
 * cannot ping on demand ({@code supportsPing() == false}) gets no heartbeat ping; it gets the
 * confirming ones if it {@code confirmsDelivery()} (OkHttp answers them late, after its own ping).
 * Only on-demand pings are reported to the observer: a late answer is no round trip.
 *
 * <p>Thread-safe: its state is guarded by the connection's lock; pings are sent outside it.
 */
final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);
  /** How soon after a send a ping asks the server to confirm it. */
  private static final Duration CONFIRM_DELAY = Duration.ofMillis(200);

  private final StickyWebSocket engine;
  private final Object lock;
  private final Timers timers;
  private final UnconfirmedWindow window;
  private final boolean pings;
  private final boolean confirms;
  private final Duration interval;
  private final Duration pongTimeout;
  private final String logName;

  Heartbeat(StickyWebSocket engine, Object lock, Timers timers, UnconfirmedWindow window,
      boolean pings, boolean confirms, Duration interval, Duration pongTimeout, String logName) {
    this.engine = engine;
    this.lock = lock;
    this.timers = timers;
    this.window = window;
    this.pings = pings;
    this.confirms = confirms;
    this.interval = interval;
    this.pongTimeout = pongTimeout;
    this.logName = logName;
  }

  /** Under lock: the connection opened. */
  void start(Attempt attempt) {
    if (interval != null && pings) {
      timers.heartbeat = timers.schedule(() -> ping(attempt), interval);
    }
  }

  /** Under lock: messages were handed to the connection; a ping soon will confirm them. */
  void confirmSoon(Attempt attempt) {
    if (timers.confirm == null && confirms) {
      timers.confirm = timers.schedule(() -> confirmPing(attempt), CONFIRM_DELAY);
    }
  }

  private void ping(Attempt attempt) {
    Runnable ping = null;
    synchronized (lock) {
      if (engine.openAttempt() != attempt || attempt.done) {
        return;
      }
      if (!timers.awaitingPong) {
        timers.awaitingPong = true;
        ping = pingAction(attempt);
        timers.pongTimeout = timers.schedule(
            () -> attempt.timedOut(ConnectionTimeoutException.Kind.PONG, pongTimeout),
            pongTimeout);
      }
      timers.heartbeat = timers.schedule(() -> ping(attempt), interval);
    }
    if (ping != null) {
      ping.run();
    }
  }

  private void confirmPing(Attempt attempt) {
    Runnable ping;
    synchronized (lock) {
      timers.confirm = null;
      if (engine.openAttempt() != attempt || attempt.done || window.isEmpty()) {
        return;
      }
      ping = pingAction(attempt);
    }
    ping.run();
  }

  /** Under lock: a ping that marks how many messages were sent before it. */
  private Runnable pingAction(Attempt attempt) {
    ByteBuffer payload = window.nextPing();
    if (pings) {
      engine.observer.pingSent(payload.getLong(0));
    }
    TransportConnection connection = attempt.connection;
    return () -> {
      try {
        connection.sendPing(payload);
      } catch (RuntimeException e) {
        log.warn("{}: transport threw from sendPing", logName, e);
      }
    };
  }

  /** Under lock: whether a heartbeat ping waits for its pong. */
  boolean awaitingPong() {
    return timers.awaitingPong;
  }

  /** Under lock, for the current attempt: a pong confirms messages and ends the wait for it. */
  void pong(ByteBuffer payload) {
    if (pings && payload != null && payload.remaining() == Long.BYTES) {
      engine.observer.pongReceived(payload.getLong(payload.position()));
    }
    window.onPong(payload);
    if (timers.awaitingPong) {
      timers.awaitingPong = false;
      timers.cancel(timers.pongTimeout);
      timers.pongTimeout = null;
    }
  }
}
