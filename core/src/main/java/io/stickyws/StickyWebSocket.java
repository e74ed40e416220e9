package io.stickyws;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.cookie.Cookie;
import io.stickyws.internal.affinity.AffinityTracker;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Ending;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection that survives reconnects: a handle the application keeps while the
 * engine connects, reconnects with backoff, replays the balancer's affinity cookie, keeps the
 * connection alive with heartbeats and queues messages while it is not open. Created by
 * {@link StickySession#connect}.
 *
 * <p>{@link #send(String)} never throws for connection state: it returns whether the message was
 * sent or queued. Connection problems arrive as events on the {@link StickyWebSocketListener}, never
 * on the thread of a {@code send} or {@code close} call (see the listener for which thread calls it).
 *
 * <p>Instances are thread-safe.
 */
public final class StickyWebSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  /** The states of a sticky connection. */
  public enum State {
    /** A handshake is in flight. */
    CONNECTING,
    /** The connection is open: messages are sent at once. */
    OPEN,
    /** Waiting for the backoff delay before the next attempt. */
    RECONNECTING,
    /** The application closed it; waiting for the closing handshake. */
    CLOSING,
    /** Terminal: closed by the application, or the policy gave up. */
    CLOSED
  }

  private final StickySession session;
  private final URI uri;
  private final String logName;
  private final Transport transport;
  final HandshakeComposer composer; // the parts store cookies through it, outside the lock
  private final Mailbox mailbox;
  private final Timers timers;
  private final Heartbeat heartbeat;
  private final Sender sender;
  final EngineObserver observer; // used by the parts, under the lock

  private final Object lock = new Object();
  // Guarded by lock.
  private State state = State.CONNECTING;
  private Attempt current;
  private final ReconnectSchedule schedule;
  private int closeCode;
  private String closeReason = "";

  StickyWebSocket(StickySession session, URI uri, Map<String, List<String>> headers,
      StickyWebSocketListener listener) {
    this.session = session;
    this.uri = uri;
    this.logName = Loggable.uri(uri);
    this.transport = session.transport();
    this.mailbox = new Mailbox(this, listener, logName, session.scheduler());
    this.observer = new EngineObserver(session, uri, this, mailbox);
    this.composer = new HandshakeComposer(uri, headers, session.cookieJar(), session.clock(),
        new AffinityTracker(session.affinityRules()), observer, logName);
    this.timers = new Timers(session.scheduler(), logName);
    this.schedule = new ReconnectSchedule(session);
    UnconfirmedWindow window =
        new UnconfirmedWindow(session.queueMaxMessages(), session.queueMaxBytes());
    this.heartbeat = new Heartbeat(this, lock, timers, window, transport.supportsPing(),
        session.heartbeatInterval(), session.pongTimeout(), logName);
    this.sender = new Sender(this, lock, mailbox, heartbeat, new OutboundQueue(logName,
        session.queueMaxMessages(), session.queueMaxBytes(), session.overflowPolicy()), window,
        session.resendUnconfirmed(), logName);
  }

  void start() {
    log.debug("{}: connecting through {}", logName, transport.name());
    timers.execute(this::runAttempt);
  }

  /**
   * Sends a text message now if the connection is open, otherwise queues it for the next open.
   * A message sent is confirmed by the pong to a ping that follows it; if the connection fails
   * first, it is reported on {@link StickyWebSocketListener#onUnconfirmed} (or sent again, see
   * {@link StickySession.Builder#resendUnconfirmed(boolean)}). Returns before any listener call it
   * causes (a message dropped from a full queue, for example).
   *
   * @param text the message
   * @return {@code true} if sent or queued; {@code false} if refused: the connection is closing or
   *     closed, or the queue is full under {@link OverflowPolicy#REJECT}, or the message alone is
   *     larger than the queue
   */
  public boolean send(String text) {
    if (text == null) {
      throw new NullPointerException("text == null");
    }
    return Mailbox.applicationCall(() -> sender.send(Message.text(text)));
  }

  /**
   * Sends a binary message now if the connection is open, otherwise queues it for the next open.
   * The bytes from position to limit are copied: the caller may reuse the buffer at once.
   *
   * @param data the message
   * @return {@code true} if sent or queued; {@code false} if refused (see {@link #send(String)})
   */
  public boolean send(ByteBuffer data) {
    if (data == null) {
      throw new NullPointerException("data == null");
    }
    return Mailbox.applicationCall(() -> sender.send(Message.binary(data)));
  }

  /** Closes with code 1000 and no reason. See {@link #close(int, String)}. */
  @Override
  public void close() {
    close(1000, "");
  }

  /**
   * Closes the connection for good: no more attempts, pending timers cancelled, queued messages
   * reported on {@link StickyWebSocketListener#onDropped}. An open connection gets a closing
   * handshake (dropped after the session's close timeout); a handshake in flight is aborted.
   * {@link StickyWebSocketListener#onClosed} follows, after this method returned. Idempotent.
   *
   * @param code 1000 (normal), 1001 (going away), or an application code from 3000 to 4999
   * @param reason at most 123 bytes in UTF-8
   * @throws IllegalArgumentException if the code or the reason is not allowed in a close frame
   */
  public void close(int code, String reason) {
    if (code != 1000 && code != 1001 && (code < 3000 || code > 4999)) {
      throw new IllegalArgumentException(
          "close code (" + code + ") must be 1000, 1001 or 3000-4999");
    }
    String why = reason == null ? "" : reason;
    if (why.getBytes(StandardCharsets.UTF_8).length > 123) {
      throw new IllegalArgumentException(
          "close reason (" + why.length() + " chars) must be at most 123 bytes in UTF-8");
    }
    Mailbox.applicationCall(() -> closeNow(code, why));
  }

  /**
   * The current state.
   *
   * @return the state
   */
  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  /**
   * The affinity token now held: the cookie or header that pins this connection to its backend.
   *
   * @return the token, or empty when none is known or it was dropped
   */
  public Optional<AffinityToken> affinity() {
    synchronized (lock) {
      return composer.token();
    }
  }

  /**
   * The number of messages waiting for the next open.
   *
   * @return the queue length
   */
  public int queuedMessages() {
    synchronized (lock) {
      return sender.queued();
    }
  }

  /**
   * The URI this connection was opened with.
   *
   * @return the URI
   */
  public URI uri() {
    return uri;
  }

  /**
   * The session this connection belongs to.
   *
   * @return the session
   */
  public StickySession session() {
    return session;
  }

  /** Names the state and the scheme, host, port and path of the URI; never its query. */
  @Override
  public String toString() {
    return "StickyWebSocket{" + logName + ", " + state() + "}";
  }

  // ------------------------------------------------- attempts: scheduler, jar thread, transport

  private void runAttempt() {
    HandshakeComposer.Draft draft;
    synchronized (lock) {
      timers.reconnect = null;
      if (state != State.CONNECTING && state != State.RECONNECTING) {
        return;
      }
      draft = composer.draft();
    }
    if (composer.jarMayBlock()) { // the application's jar: not on the shared scheduler
      timers.execute(session.jarCalls(), () -> startAttempt(draft));
    } else {
      startAttempt(draft);
    }
  }

  private void startAttempt(HandshakeComposer.Draft draft) {
    List<Cookie> fromJar = composer.load(draft.requestUri);
    Attempt attempt;
    HandshakeRequest request;
    synchronized (lock) {
      if ((state != State.CONNECTING && state != State.RECONNECTING) || current != null) {
        return; // closed while the jar was asked
      }
      Duration libraryPings = transport.supportsPing() ? null : session.heartbeatInterval();
      request = composer.finish(draft, fromJar, libraryPings);
      attempt = new Attempt(this, lock, mailbox, heartbeat, schedule.nextHandshake(),
          draft.requestUri, draft.sent);
      current = attempt;
      setState(State.CONNECTING, "attempt " + attempt.number);
    }
    // the handshake timeout is armed once the library has the handshake: that comes first
    attempt.open(transport, request, () -> timers.schedule(() -> attempt.timedOut(
        ConnectionTimeoutException.Kind.HANDSHAKE, session.handshakeTimeout()),
        session.handshakeTimeout()));
  }

  /** The handshake completed: cookies stored (outside the lock), then the state moves to OPEN. */
  void opened(Attempt attempt, HandshakeResponse response) {
    List<Cookie> received = composer.store(attempt.requestUri, response);
    List<UnconfirmedWindow.Sent> batch = null;
    synchronized (lock) {
      if (attempt.done || attempt.opened || attempt != current) {
        return;
      }
      timers.cancel(attempt.handshakeTimeoutTask);
      attempt.opened = true;
      AffinityTracker.Opened outcome = composer.opened(response, received, attempt.sent);
      schedule.opened();
      observer.opened(attempt.number, outcome);
      AffinityToken token = outcome.token().orElse(null);
      setState(State.OPEN, "attempt " + attempt.number + ", backend " + outcome.sameBackend()
          + (token == null ? "" : ", affinity " + token));
      batch = sender.startFlush(attempt);
      heartbeat.start(attempt);
      mailbox.add((l, ws) -> l.onOpen(ws, attempt.number, token, outcome.sameBackend()));
      outcome.changedFrom().ifPresent(from -> {
        log.debug("{}: affinity changed from {} to {}", logName, from, token);
        mailbox.add((l, ws) -> l.onAffinityChanged(ws, from, token));
      });
    }
    if (batch != null) {
      sender.flush(attempt, batch);
    }
    mailbox.drain();
  }

  private Void closeNow(int code, String why) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (state == State.CLOSING || state == State.CLOSED) {
        return null;
      }
      timers.cancelConnectionTimers(current);
      timers.cancel(timers.reconnect);
      timers.reconnect = null;
      closeCode = code;
      closeReason = why;
      Attempt attempt = current;
      if (state == State.OPEN && attempt != null && attempt.connection != null) {
        setState(State.CLOSING, "closed by the application");
        TransportConnection connection = attempt.connection;
        io.add(() -> connection.close(code, why));
        timers.closeTimeout = timers.schedule(() -> closeTimedOut(attempt), session.closeTimeout());
      } else {
        if (attempt != null) {
          attempt.done = true;
          TransportConnection connection = attempt.connection;
          if (connection != null) {
            io.add(connection::abort);
          }
        }
        current = null;
        setState(State.CLOSED, "closed by the application");
        terminate((l, ws) -> l.onClosed(ws, code, why));
      }
    }
    Timers.run(io);
    mailbox.drain();
    return null;
  }

  /** Under lock, for the current attempt: the transport's terminal event. */
  Runnable ended(Attempt attempt, Ending ending, HandshakeResponse response,
      List<Runnable> jarWork) {
    Duration retryIn = end(attempt, ending, response, jarWork);
    return () -> afterJarWork(jarWork, retryIn);
  }

  /**
   * Under lock: an attempt or an open connection ended. Returns the delay of the next attempt, or
   * {@code null}; jar calls to make outside the lock, before that attempt, go to {@code jarWork}.
   */
  private Duration end(Attempt attempt, Ending ending, HandshakeResponse response,
      List<Runnable> jarWork) {
    timers.cancelConnectionTimers(attempt);
    current = null;
    if (state == State.CLOSING) {
      finishClose();
      return null;
    }
    if (state == State.CLOSED) {
      return null;
    }
    sender.settle();
    AffinityToken dropped = composer.ended(attempt, ending, response, jarWork);
    Decision decision = attempt.refused
        ? Decision.giveUp("the transport refused the request") // no retry can help
        : schedule.next(attempt.opened, ending.failure());
    observer.ended(attempt, ending, dropped, decision, schedule, session.reconnectPolicy());
    int code = ending.code();
    String reason = ending.reason();
    Throwable cause = ending.cause();
    if (!decision.retry()) {
      setState(State.CLOSED, "giving up: " + decision.reason());
      int attempts = schedule.attempts(attempt.refused ? 1 : 0);
      Duration elapsed = schedule.elapsed();
      Throwable gaveUpCause = ending.gaveUpCause();
      mailbox.add((l, ws) -> l.onDisconnected(ws, code, reason, cause, false, null));
      terminate((l, ws) -> l.onGaveUp(ws, gaveUpCause, attempts, elapsed));
      return null;
    }
    Duration delay = decision.delay();
    int next = schedule.upcoming();
    setState(State.RECONNECTING, "code " + code + (cause == null ? "" : ", " + cause)
        + "; attempt " + next + " in " + delay.toMillis() + " ms");
    mailbox.add((l, ws) -> l.onDisconnected(ws, code, reason, cause, true, delay));
    mailbox.add((l, ws) -> l.onReconnecting(ws, next, delay));
    return delay;
  }

  /** Not under lock: the jar calls an ending asked for, the next attempt's timer, the listener. */
  private void afterJarWork(List<Runnable> jarWork, Duration retryIn) {
    composer.callJar(jarWork, session::jarCalls, timers, () -> {
      Runnable now = () -> { };
      synchronized (lock) {
        if (retryIn != null && state == State.RECONNECTING && current == null
            && timers.reconnect == null) {
          now = timers.reconnect(this::runAttempt, retryIn);
        }
      }
      now.run(); // an attempt due at once starts here, outside the lock
    });
    mailbox.drain();
  }

  /** Under lock: the closing handshake the application started is over. */
  private void finishClose() {
    timers.cancel(timers.closeTimeout);
    timers.closeTimeout = null;
    sender.forgetSent();
    setState(State.CLOSED, "close complete");
    int code = closeCode;
    String reason = closeReason;
    terminate((l, ws) -> l.onClosed(ws, code, reason));
  }

  /** Under lock: reports unsent messages, then the one terminal callback. */
  private void terminate(Mailbox.Call terminal) {
    observer.closed(closeCode); // after a give-up, the observers had their terminal event
    sender.dropQueued();
    mailbox.addTerminal(terminal);
    session.ended(this);
  }

  private void closeTimedOut(Attempt attempt) {
    TransportConnection connection;
    synchronized (lock) {
      if (state != State.CLOSING) {
        return;
      }
      attempt.done = true;
      current = null;
      connection = attempt.connection;
      log.debug("{}: no close frame within {}; dropping the connection", logName,
          session.closeTimeout());
      finishClose();
    }
    connection.abort();
    mailbox.drain();
  }

  /** Under lock: whether events of this attempt still count. */
  boolean isCurrent(Attempt attempt) {
    return attempt == current && !attempt.done;
  }

  /** Under lock: the current attempt if the connection is open, else {@code null}. */
  Attempt openAttempt() {
    return state == State.OPEN && current != null && current.connection != null ? current : null;
  }

  /** Under lock: whether the application closed (or the policy gave up). */
  boolean closing() {
    return state == State.CLOSING || state == State.CLOSED;
  }

  private void setState(State next, String why) {
    if (log.isDebugEnabled()) {
      if (state == next) {
        log.debug("{}: {} ({})", logName, next, why);
      } else {
        log.debug("{}: {} -> {} ({})", logName, state, next, why);
      }
    }
    state = next;
  }
}
