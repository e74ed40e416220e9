package io.stickyws;

import io.stickyws.cookie.Cookie;
import io.stickyws.internal.reconnect.Ending;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handshake attempt of a {@link StickyWebSocket} and, if it opens, the connection it becomes:
 * receives the transport's events for it and hands them to the engine, once, and only while it is
 * the engine's current attempt.
 *
 * <p>Thread-safe: its mutable fields are guarded by the engine's lock.
 */
final class Attempt implements TransportListener {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  private final StickyWebSocket engine;
  private final Object lock;
  private final Mailbox mailbox;
  private final Heartbeat heartbeat;
  final int number;
  final URI requestUri;
  final List<Cookie> sent;
  volatile TransportConnection connection;
  // Guarded by lock.
  HandshakeResponse pendingOpen;
  boolean opened;
  boolean done;
  boolean refused;
  int terminalReports;
  ScheduledFuture<?> handshakeTimeoutTask;

  Attempt(StickyWebSocket engine, Object lock, Mailbox mailbox, Heartbeat heartbeat, int number,
      URI requestUri, List<Cookie> sent) {
    this.engine = engine;
    this.lock = lock;
    this.mailbox = mailbox;
    this.heartbeat = heartbeat;
    this.number = number;
    this.requestUri = requestUri;
    this.sent = sent;
    engine.observer.attemptStarted(number); // attempts are created under the lock as they start
  }

  /**
   * Not under lock: starts the handshake (the transport may report on it before open returns), then
   * arms its timeout unless it already ended or opened.
   */
  void open(Transport transport, HandshakeRequest request, Supplier<ScheduledFuture<?>> timeout) {
    TransportConnection started;
    try {
      started = transport.open(request, this);
    } catch (IllegalArgumentException e) { // the library cannot express this request
      log.warn("{}: transport {} cannot open this request ({}); giving up",
          Loggable.uri(requestUri), transport.name(), e.getMessage());
      synchronized (lock) {
        refused = true;
      }
      onFailure(e, null);
      return;
    } catch (RuntimeException e) {
      log.warn("{}: transport {} threw from open(); counted as a failed attempt",
          Loggable.uri(requestUri), transport.name(), e);
      onFailure(e, null);
      return;
    }
    HandshakeResponse early = null;
    boolean abort;
    synchronized (lock) {
      connection = started;
      abort = done && !opened;
      if (!done && !opened) {
        handshakeTimeoutTask = timeout.get();
      }
      if (!done) {
        early = pendingOpen;
        pendingOpen = null;
      }
    }
    if (abort) {
      started.abort(); // ended (timed out, closed) while open() ran
    } else if (early != null) {
      engine.opened(this, early);
    }
  }

  @Override
  public void onOpen(HandshakeResponse response) {
    synchronized (lock) {
      if (done || opened || !engine.isCurrent(this)) {
        return;
      }
      if (connection == null) {
        pendingOpen = response; // open() has not returned yet: it finishes the open
        return;
      }
    }
    engine.opened(this, response);
  }

  @Override
  public void onText(String text) {
    received((l, ws) -> l.onText(ws, text));
  }

  @Override
  public void onBinary(ByteBuffer data) {
    received((l, ws) -> l.onBinary(ws, data));
  }

  private void received(Mailbox.Call call) {
    synchronized (lock) {
      if (!engine.isCurrent(this)) {
        return;
      }
      mailbox.add(call);
    }
    mailbox.drain();
  }

  @Override
  public void onPong(ByteBuffer payload) {
    synchronized (lock) {
      if (engine.isCurrent(this)) {
        heartbeat.pong(payload);
      }
    }
    mailbox.drain(); // a heartbeat event for the session's observers
  }

  @Override
  public void onClosed(int code, String reason, boolean remote) {
    terminal(code, reason, remote, null, null);
  }

  @Override
  public void onFailure(Throwable cause, HandshakeResponse response) {
    terminal(1006, "", true, cause, response);
  }

  /** A scheduler task: the handshake or a heartbeat's pong did not arrive in time. */
  void timedOut(ConnectionTimeoutException.Kind kind, Duration limit) {
    Runnable after;
    TransportConnection toAbort;
    synchronized (lock) {
      boolean handshake = kind == ConnectionTimeoutException.Kind.HANDSHAKE;
      if (!engine.isCurrent(this) || (handshake ? opened : !heartbeat.awaitingPong())) {
        return;
      }
      done = true;
      toAbort = connection;
      Ending ending =
          Ending.of(opened, 1006, "", false, new ConnectionTimeoutException(kind, limit), null,
              requestUri);
      after = engine.ended(this, ending, null, new ArrayList<>(0));
    }
    if (toAbort != null) {
      toAbort.abort();
    }
    after.run();
  }

  private void terminal(int code, String reason, boolean remote, Throwable cause,
      HandshakeResponse response) {
    Runnable after;
    synchronized (lock) {
      if (++terminalReports > 1) {
        log.warn("{}: the transport reported a second terminal event for one attempt; ignored",
            Loggable.uri(requestUri));
        return;
      }
      boolean current = engine.isCurrent(this);
      done = true;
      if (!current) {
        return;
      }
      List<Runnable> jarWork = new ArrayList<>(0);
      HandshakeResponse unopened = pendingOpen;
      if (!opened && unopened != null) {
        pendingOpen = null;
        jarWork.add(() -> engine.composer.store(requestUri, unopened));
      }
      Ending ending = Ending.of(opened, code, reason, remote, cause, response, requestUri);
      after = engine.ended(this, ending, response, jarWork);
    }
    after.run();
  }
}
