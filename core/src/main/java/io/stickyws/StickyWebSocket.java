package io.stickyws;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.Cookie;
import io.stickyws.internal.affinity.AffinityTracker;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Ending;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.Transport;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
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

  private final Closing closing;

  private final Object lock = new Object();
  // Guarded by lock (the parts read and write them too).
  State state = State.CONNECTING;
  Attempt current;
  private final ReconnectSchedule schedule;

  StickyWebSocket(StickySession session, URI uri, Map<String, List<String>> headers,
      HeaderSource headerSource, StickyWebSocketListener listener) {
    this.session = session;
    this.uri = uri;
    this.logName = Loggable.uri(uri);
    this.transport = session.transport();
    this.mailbox = new Mailbox(this, listener, logName, session.scheduler());
    this.observer = new EngineObserver(session, uri, this, mailbox);
    this.composer = new HandshakeComposer(uri, headers, headerSource, session.cookieJar(),
        session.clock(), new AffinityTracker(session.affinityRules()), observer, logName);
    this.timers = new Timers(session.scheduler(), logName);
    this.schedule = new ReconnectSchedule(session);
    UnconfirmedWindow window =
        new UnconfirmedWindow(session.queueMaxMessages(), session.queueMaxBytes());
    this.heartbeat = new Heartbeat(this, lock, timers, window, transport.supportsPing(),
        transport.confirmsDelivery(), session.heartbeatInterval(), session.pongTimeout(), logName);
    this.sender = new Sender(this, lock, mailbox, heartbeat, new OutboundQueue(logName,
        session.queueMaxMessages(), session.queueMaxBytes(), session.overflowPolicy()), window,
        session, logName);
    this.closing = new Closing(this, lock, timers, sender, mailbox, session.closeTimeout(),
        logName);
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
    Objects.requireNonNull(text, "text == null");
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
    Objects.requireNonNull(data, "data == null");
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
    String why = Sender.checkClose(code, reason);
    Mailbox.applicationCall(() -> closing.close(code, why));
  }

  /** @return the current state */
  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  /** @return the affinity token now held (the cookie or header pinning the backend), if any */
  public Optional<AffinityToken> affinity() {
    synchronized (lock) {
      return composer.token();
    }
  }

  /** @return the number of messages waiting for the next open (or held, see takeHeldMessages) */
  public int queuedMessages() {
    synchronized (lock) {
      return sender.queued();
    }
  }

  /** @return the URI this connection was opened with */
  public URI uri() {
    return uri;
  }

  /** @return the session this connection belongs to */
  public StickySession session() {
    return session;
  }

  /**
   * Waits until the connection opens for the first time, or ends, or the timeout passes. Never
   * call it from a listener callback: the open is delivered on the thread that would wait.
   *
   * @param timeout the longest wait
   * @return {@code true} if the connection has opened (it may have dropped since)
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitOpen(Duration timeout) throws InterruptedException {
    return schedule.awaitFirstOpen(timeout);
  }

  /** @return when the current connection opened, by the session's clock; empty unless open */
  public Optional<Instant> openedAt() {
    synchronized (lock) {
      return Optional.ofNullable(state == State.OPEN ? schedule.openedAt() : null);
    }
  }

  /** @return how many times the connection opened again after its first open */
  public int reconnects() {
    synchronized (lock) {
      return schedule.reconnects();
    }
  }

  /** @return what ended the last attempt or connection, without secrets; empty before any */
  public Optional<ConnectionFailure> lastFailure() {
    synchronized (lock) {
      return Optional.ofNullable(schedule.lastFailure());
    }
  }

  /**
   * Skips the backoff wait: the next attempt starts now, on the session's scheduler.
   *
   * @return {@code true} if a wait was cut short; {@code false} unless {@link State#RECONNECTING}
   */
  public boolean reconnectNow() {
    synchronized (lock) {
      if (state != State.RECONNECTING || timers.reconnect == null) {
        return false;
      }
      timers.cancel(timers.reconnect);
      timers.reconnect = null;
    }
    timers.execute(this::runAttempt);
    return true;
  }

  /**
   * Forgets the backend: drops the affinity token and deletes the jar's affinity cookies for this
   * URI (on this thread), so the next handshake may land on any backend. The open connection stays.
   */
  public void forgetAffinity() {
    synchronized (lock) {
      composer.forget();
    }
    composer.forgetInJar();
  }

  /**
   * Takes the messages held under {@link QueuedOnBackendChange#HOLD}: the application sends them
   * again, rebuilt or as they are, or drops them.
   *
   * @return the held messages in the order they were sent; empty when none
   */
  public List<Message> takeHeldMessages() {
    synchronized (lock) {
      return sender.takeHeld();
    }
  }

  /** Names the state and the scheme, host, port and path of the URI; never its query. */
  @Override
  public String toString() {
    return "StickyWebSocket{" + logName + ", " + state() + "}";
  }

  // ------------------------------------------------- attempts: scheduler, jar thread, transport

  private void runAttempt() {
    synchronized (lock) {
      timers.reconnect = null;
      if (state != State.CONNECTING && state != State.RECONNECTING) {
        return;
      }
    }
    if (composer.mayBlock()) { // the application's jar or header source: not on the scheduler
      timers.execute(session.jarCalls(), this::startAttempt);
    } else {
      startAttempt();
    }
  }

  private void startAttempt() {
    Map<String, List<String>> fromSource = composer.askHeaderSource();
    HandshakeComposer.Draft draft;
    synchronized (lock) {
      draft = composer.draft(fromSource);
    }
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
      setState(State.CONNECTING, () -> "attempt " + attempt.number);
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
      setState(State.OPEN, () -> "attempt " + attempt.number + ", backend "
          + outcome.sameBackend() + (token == null ? "" : ", affinity " + token));
      boolean changed = outcome.sameBackend() == SameBackend.CHANGED;
      batch = sender.startOpen(attempt, changed); // null: the queue waits for the callbacks
      heartbeat.start(attempt);
      mailbox.add((l, ws) -> l.onOpen(ws, attempt.number, token, outcome.sameBackend()));
      outcome.changedFrom().ifPresent(from -> {
        log.debug("{}: affinity changed from {} to {}", logName, from, token);
        mailbox.add((l, ws) -> l.onAffinityChanged(ws, from, token));
      });
      sender.afterOpenCallbacks(attempt, changed);
    }
    if (batch != null) {
      sender.flush(attempt, batch);
    }
    mailbox.drain();
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
      closing.finish();
      return null;
    }
    if (state == State.CLOSED) {
      return null;
    }
    sender.settle();
    AffinityToken dropped = composer.ended(attempt, ending, response, jarWork);
    schedule.failed(ConnectionFailure.of(ending, session.clock().instant()));
    Decision decision = attempt.refused
        ? Decision.giveUp("the transport refused the request") // no retry can help
        : composer.asksAgain(ending, session.reconnectPolicy())
        ? Decision.retryIn(Duration.ZERO, "401: the header source is asked once more")
        : schedule.next(attempt.opened, ending.failure());
    observer.ended(attempt, ending, dropped, decision, schedule, session.reconnectPolicy());
    int code = ending.code();
    String reason = ending.reason();
    Throwable cause = ending.cause();
    if (!decision.retry()) {
      setState(State.CLOSED, () -> "giving up on " + ending.where() + ": " + decision.reason());
      int attempts = schedule.attempts(attempt.refused ? 1 : 0);
      Duration elapsed = schedule.elapsed();
      Throwable gaveUpCause = ending.gaveUpCause();
      mailbox.add((l, ws) -> l.onDisconnected(ws, code, reason, cause, false, null));
      terminate((l, ws) -> l.onGaveUp(ws, gaveUpCause, attempts, elapsed));
      return null;
    }
    Duration delay = decision.delay();
    int next = schedule.upcoming();
    setState(State.RECONNECTING, () -> "code " + code + (cause == null ? "" : ", " + cause)
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

  /** Under lock: reports unsent messages, then the one terminal callback. */
  void terminate(Mailbox.Call terminal) {
    observer.closed(closing.code()); // after a give-up, the observers had their terminal event
    sender.dropQueued();
    schedule.ended();
    mailbox.addTerminal(terminal);
    session.ended(this);
  }

  Mailbox mailbox() {
    return mailbox;
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

  /** Under lock: moves to {@code next}; {@code why} is made only when DEBUG is on. */
  void setState(State next, Supplier<String> why) {
    if (log.isDebugEnabled()) {
      if (state == next) {
        log.debug("{}: {} ({})", logName, next, why.get());
      } else {
        log.debug("{}: {} -> {} ({})", logName, state, next, why.get());
      }
    }
    state = next;
  }
}
