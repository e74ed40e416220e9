package io.stickyws;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.spi.Loggable;
import io.stickyws.internal.affinity.AffinityTracker;
import io.stickyws.internal.reconnect.Backoff;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Failure;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.SerialEvents;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection that survives reconnects: a handle the application keeps while the
 * engine connects, reconnects with backoff, replays the balancer's affinity cookie, keeps the
 * connection alive with heartbeats and queues messages while it is not open. Created by
 * {@link StickySession#connect}.
 *
 * <p>{@link #send(String)} never throws for connection state: it returns whether the message was
 * sent or queued. Connection problems arrive as events on the {@link StickyWebSocketListener}.
 *
 * <p>Instances are thread-safe.
 */
public final class StickyWebSocket implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);
  /** How soon after a send a ping asks the server to confirm it. */
  private static final Duration CONFIRM_DELAY = Duration.ofMillis(200);

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
  private final Map<String, List<String>> headers;
  private final StickyWebSocketListener listener;
  private final String logName;
  private final Transport transport;
  private final CookieJar jar;

  private final Object lock = new Object();
  private final SerialEvents callbacks;

  // Guarded by lock.
  private final AffinityTracker tracker;
  private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
  private long queuedBytes;
  private boolean flushing;
  private State state = State.CONNECTING;
  private Attempt current;
  private Backoff backoff;
  private int handshakesSinceOpen;
  private Instant openedAt;
  private ScheduledFuture<?> reconnectTask;
  private ScheduledFuture<?> heartbeatTask;
  private ScheduledFuture<?> pongTimeoutTask;
  private ScheduledFuture<?> closeTimeoutTask;
  private boolean awaitingPong;
  private long pings;
  // Messages handed to the current connection that no pong has confirmed yet (see onUnconfirmed).
  private final ArrayDeque<Sent> unconfirmed = new ArrayDeque<>(4);
  private long unconfirmedBytes;
  private long sentSeq;
  private final Map<Long, Long> pingMarks = new HashMap<>(4);
  private ScheduledFuture<?> confirmTask;
  private int closeCode;
  private String closeReason = "";

  StickyWebSocket(
      StickySession session,
      URI uri,
      Map<String, List<String>> headers,
      StickyWebSocketListener listener) {
    this.session = session;
    this.uri = uri;
    this.headers = headers;
    this.listener = listener;
    this.logName = Loggable.uri(uri);
    this.transport = session.transport();
    this.jar = session.cookieJar();
    this.tracker = new AffinityTracker(session.affinityRules());
    this.callbacks = new SerialEvents(logName);
  }

  void start() {
    log.debug("{}: connecting through {}", logName, transport.name());
    execute(this::runAttempt);
  }

  /**
   * Sends a text message now if the connection is open, otherwise queues it for the next open.
   * A message sent is confirmed by the pong to a ping that follows it; if the connection fails
   * first, it is reported on {@link StickyWebSocketListener#onUnconfirmed} (or sent again, see
   * {@link StickySession.Builder#resendUnconfirmed(boolean)}).
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
    return sendMessage(text);
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
    ByteBuffer copy = ByteBuffer.allocate(data.remaining());
    copy.put(data.duplicate()).flip();
    return sendMessage(copy.asReadOnlyBuffer());
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
   * {@link StickyWebSocketListener#onClosed} follows. Idempotent.
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
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (state == State.CLOSING || state == State.CLOSED) {
        return;
      }
      cancelTimers();
      cancel(reconnectTask);
      reconnectTask = null;
      closeCode = code;
      closeReason = why;
      Attempt attempt = current;
      if (state == State.OPEN && attempt != null && attempt.connection != null) {
        setState(State.CLOSING, "closed by the application");
        TransportConnection connection = attempt.connection;
        io.add(() -> connection.close(code, why));
        closeTimeoutTask = schedule(() -> onCloseTimeout(attempt), session.closeTimeout());
      } else {
        if (attempt != null) {
          attempt.done = true;
          cancel(attempt.handshakeTimeoutTask);
          TransportConnection connection = attempt.connection;
          if (connection != null) {
            io.add(connection::abort);
          }
        }
        current = null;
        setState(State.CLOSED, "closed by the application");
        terminate(l -> l.onClosed(this, code, why));
      }
    }
    run(io);
    drain();
  }

  void closeForSession() {
    close(1001, "session closed");
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
      return tracker.token();
    }
  }

  /**
   * The number of messages waiting for the next open.
   *
   * @return the queue length
   */
  public int queuedMessages() {
    synchronized (lock) {
      return queue.size();
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

  // ---------------------------------------------------------------- attempts

  private void runAttempt() {
    Attempt attempt;
    HandshakeRequest request;
    synchronized (lock) {
      reconnectTask = null;
      if (state != State.CONNECTING && state != State.RECONNECTING) {
        return;
      }
      handshakesSinceOpen++;
      URI requestUri = tracker.applyToUri(uri);
      Map<String, List<String>> requestHeaders = new LinkedHashMap<>(headers);
      tracker.applyToHeaders(requestHeaders);
      List<Cookie> cookies = new ArrayList<>(tracker.applyToCookies(loadCookies(requestUri)));
      Instant now = session.clock().instant();
      cookies.removeIf(cookie -> cookie.expiredAt(now)); // a held token's cookie may have expired
      if (!cookies.isEmpty()) {
        addCookieHeader(requestHeaders, Cookie.header(cookies));
      }
      attempt = new Attempt(handshakesSinceOpen, requestUri, cookies);
      current = attempt;
      setState(State.CONNECTING, "attempt " + attempt.number);
      Duration heartbeat = transport.supportsPing() ? null : session.heartbeatInterval();
      request = HandshakeRequest.of(requestUri, requestHeaders, heartbeat);
      attempt.handshakeTimeoutTask =
          schedule(() -> onHandshakeTimeout(attempt), session.handshakeTimeout());
    }
    TransportConnection connection;
    try {
      connection = transport.open(request, attempt);
    } catch (IllegalArgumentException e) {
      // The library cannot express this request (a header it refuses...): no retry can help.
      refused(attempt, e);
      return;
    } catch (RuntimeException e) {
      log.warn("{}: transport {} threw from open(); counted as a failed attempt",
          logName, transport.name(), e);
      attempt.onFailure(e, null);
      return;
    }
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      attempt.connection = connection;
      if (attempt.done) {
        if (!attempt.opened) {
          io.add(connection::abort);
        }
      } else if (attempt.pendingOpen != null) {
        HandshakeResponse response = attempt.pendingOpen;
        attempt.pendingOpen = null;
        opened(attempt, response, io);
      }
    }
    run(io);
    drain();
  }

  /** The transport refused the request itself: give up at once, naming the cause. */
  private void refused(Attempt attempt, IllegalArgumentException cause) {
    log.warn("{}: transport {} cannot open this request ({}); giving up",
        logName, transport.name(), cause.getMessage());
    synchronized (lock) {
      if (attempt.done || attempt != current) {
        return;
      }
      attempt.done = true;
      cancelTimers();
      current = null;
      setState(State.CLOSED, "the transport refused the request");
      int attempts = backoff == null ? 1 : backoff.attempts() + 1;
      Duration elapsed = backoff == null ? Duration.ZERO : backoff.elapsed();
      deliver(l -> l.onDisconnected(this, 1006, "", cause, false, null));
      terminate(l -> l.onGaveUp(this, cause, attempts, elapsed));
    }
    drain();
  }

  private static void addCookieHeader(Map<String, List<String>> requestHeaders, String value) {
    for (Map.Entry<String, List<String>> entry : requestHeaders.entrySet()) {
      if (entry.getKey().equalsIgnoreCase("Cookie") && !entry.getValue().isEmpty()) {
        entry.setValue(List.of(String.join("; ", entry.getValue()) + "; " + value));
        return;
      }
    }
    requestHeaders.put("Cookie", List.of(value));
  }

  /** Under lock: the handshake completed. */
  private void opened(Attempt attempt, HandshakeResponse response, List<Runnable> io) {
    cancel(attempt.handshakeTimeoutTask);
    attempt.opened = true;
    List<Cookie> received = storeCookies(attempt.requestUri, response);
    AffinityTracker.Opened outcome = tracker.onOpen(response, received, attempt.sent);
    openedAt = session.clock().instant();
    int number = attempt.number;
    handshakesSinceOpen = 0;
    AffinityToken token = outcome.token().orElse(null);
    setState(State.OPEN, "attempt " + number + ", backend " + outcome.sameBackend()
        + (token == null ? "" : ", affinity " + token));
    if (!queue.isEmpty()) {
      flushing = true;
      List<Sent> batch = trackAll(attempt, takeQueue());
      io.add(() -> flush(attempt, batch));
    }
    scheduleHeartbeat(attempt);
    deliver(l -> l.onOpen(this, number, token, outcome.sameBackend()));
    outcome.changedFrom().ifPresent(from -> {
      log.debug("{}: affinity changed from {} to {}", logName, from, token);
      deliver(l -> l.onAffinityChanged(this, from, token));
    });
  }

  /** Not under lock: hands queued messages to the transport in order, then opens the gate. */
  private void flush(Attempt attempt, List<Sent> batch) {
    List<Sent> next = batch;
    while (true) {
      int sent = 0;
      for (Sent message : next) {
        if (!sendNow(attempt.connection, message.message)) {
          break;
        }
        sent++;
      }
      synchronized (lock) {
        if (sent < next.size()) {
          List<Sent> unsent = next.subList(sent, next.size());
          for (int i = unsent.size() - 1; i >= 0; i--) {
            Sent message = unsent.get(i);
            untrack(message);
            queue.addFirst(message.message);
            queuedBytes += message.bytes;
          }
          flushing = false;
          return;
        }
        if (queue.isEmpty() || attempt != current || state != State.OPEN) {
          flushing = false;
          return;
        }
        next = trackAll(attempt, takeQueue());
      }
    }
  }

  /** Under lock: tracks a batch about to be flushed. */
  private List<Sent> trackAll(Attempt attempt, List<Object> messages) {
    List<Sent> batch = new ArrayList<>(messages.size());
    for (Object message : messages) {
      batch.add(track(attempt, message));
    }
    return batch;
  }

  // ---------------------------------------------------------------- sending

  private boolean sendMessage(Object message) {
    TransportConnection connection;
    Sent sent;
    synchronized (lock) {
      if (state == State.CLOSING || state == State.CLOSED) {
        return false;
      }
      if (state != State.OPEN || flushing || current == null || current.connection == null) {
        boolean queued = enqueue(message);
        drainLater();
        return queued;
      }
      connection = current.connection;
      sent = track(current, message);
    }
    if (sendNow(connection, message)) {
      return true;
    }
    boolean queued;
    synchronized (lock) {
      untrack(sent);
      if (state == State.CLOSING || state == State.CLOSED) {
        return false;
      }
      queued = enqueue(message);
    }
    drain();
    return queued;
  }

  /**
   * Under lock: remembers a message handed to {@code attempt}'s connection until a pong confirms
   * the server received it, and asks for that pong soon.
   */
  private Sent track(Attempt attempt, Object message) {
    Sent sent = new Sent(++sentSeq, message, size(message));
    unconfirmed.addLast(sent);
    unconfirmedBytes += sent.bytes;
    while (unconfirmed.size() > Math.max(1, session.queueMaxMessages())
        || (unconfirmedBytes > session.queueMaxBytes() && unconfirmed.size() > 1)) {
      unconfirmedBytes -= unconfirmed.pollFirst().bytes; // too old to keep: assumed delivered
    }
    if (confirmTask == null && transport.supportsPing()) {
      confirmTask = schedule(() -> confirmPing(attempt), CONFIRM_DELAY);
    }
    return sent;
  }

  /** Under lock: forgets a message the transport refused after all. */
  private void untrack(Sent sent) {
    if (unconfirmed.removeLastOccurrence(sent)) {
      unconfirmedBytes -= sent.bytes;
    }
  }

  /** Sends a ping whose pong will confirm every message sent before it. */
  private void confirmPing(Attempt attempt) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      confirmTask = null;
      if (attempt != current || attempt.done || state != State.OPEN || unconfirmed.isEmpty()) {
        return;
      }
      io.add(pingAction(attempt));
    }
    run(io);
  }

  /** Under lock: a ping that marks how many messages were sent before it. */
  private Runnable pingAction(Attempt attempt) {
    long n = ++pings;
    pingMarks.put(n, sentSeq);
    ByteBuffer payload = ByteBuffer.allocate(Long.BYTES).putLong(0, n);
    TransportConnection connection = attempt.connection;
    log.trace("{}: ping {}", logName, n);
    return () -> {
      try {
        connection.sendPing(payload);
      } catch (RuntimeException e) {
        log.warn("{}: transport {} threw from sendPing", logName, transport.name(), e);
      }
    };
  }

  /** Under lock: a pong confirms the messages sent before its ping. */
  private void confirmed(ByteBuffer payload) {
    if (payload == null || payload.remaining() != Long.BYTES) {
      return;
    }
    long n = payload.getLong(payload.position());
    Long mark = pingMarks.remove(n);
    if (mark == null) {
      return;
    }
    pingMarks.keySet().removeIf(k -> k < n);
    while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().seq <= mark) {
      unconfirmedBytes -= unconfirmed.pollFirst().bytes;
    }
  }

  /**
   * Under lock: the connection ended without the application closing it. Messages no pong
   * confirmed may or may not have reached the server: requeued in front of the queue, or reported.
   */
  private void settleUnconfirmed() {
    cancel(confirmTask);
    confirmTask = null;
    pingMarks.clear();
    if (unconfirmed.isEmpty()) {
      return;
    }
    List<Object> messages = new ArrayList<>(unconfirmed.size());
    for (Sent sent : unconfirmed) {
      messages.add(sent.message);
    }
    unconfirmed.clear();
    unconfirmedBytes = 0;
    if (session.resendUnconfirmed()) {
      for (int i = messages.size() - 1; i >= 0; i--) {
        queue.addFirst(messages.get(i));
        queuedBytes += size(messages.get(i));
      }
      log.debug("{}: {} unconfirmed messages queued again", logName, messages.size());
    } else {
      log.debug("{}: {} messages unconfirmed when the connection ended", logName, messages.size());
      deliver(l -> l.onUnconfirmed(this, messages));
    }
  }

  /** A message handed to the transport, numbered in send order. */
  private static final class Sent {
    final long seq;
    final Object message;
    final long bytes;

    Sent(long seq, Object message, long bytes) {
      this.seq = seq;
      this.message = message;
      this.bytes = bytes;
    }
  }

  private boolean sendNow(TransportConnection connection, Object message) {
    try {
      if (message instanceof String) {
        return connection.sendText((String) message);
      }
      return connection.sendBinary(((ByteBuffer) message).duplicate());
    } catch (RuntimeException e) {
      log.warn("{}: transport {} threw from send; message queued for the next open",
          logName, transport.name(), e);
      return false;
    }
  }

  /** Under lock: queues a message, applying the overflow policy. */
  private boolean enqueue(Object message) {
    long bytes = size(message);
    int maxMessages = session.queueMaxMessages();
    long maxBytes = session.queueMaxBytes();
    if (bytes > maxBytes || maxMessages == 0) {
      log.debug("{}: message of {} bytes refused: queue capacity is {} messages, {} bytes",
          logName, bytes, maxMessages, maxBytes);
      return false;
    }
    boolean full = queue.size() >= maxMessages || queuedBytes + bytes > maxBytes;
    if (full && session.overflowPolicy() == OverflowPolicy.REJECT) {
      log.debug("{}: queue full ({} messages, {} bytes); message refused",
          logName, queue.size(), queuedBytes);
      return false;
    }
    while (queue.size() >= maxMessages || queuedBytes + bytes > maxBytes) {
      Object dropped = queue.pollFirst();
      queuedBytes -= size(dropped);
      deliver(l -> l.onDropped(this, dropped));
    }
    queue.addLast(message);
    queuedBytes += bytes;
    return true;
  }

  private List<Object> takeQueue() {
    List<Object> batch = new ArrayList<>(queue);
    queue.clear();
    queuedBytes = 0;
    return batch;
  }

  private static long size(Object message) {
    if (message instanceof ByteBuffer) {
      return ((ByteBuffer) message).remaining();
    }
    String text = (String) message;
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  // ---------------------------------------------------------------- endings

  /** Under lock: an attempt or an open connection ended without the application closing it. */
  private void ended(Attempt attempt, int code, String reason, boolean remote, Throwable cause,
      HandshakeResponse response) {
    cancelTimers();
    boolean wasOpen = attempt.opened;
    current = null;
    flushing = false;
    if (state == State.CLOSING) {
      finishClose();
      return;
    }
    if (state == State.CLOSED) {
      return;
    }
    settleUnconfirmed();
    Instant now = session.clock().instant();
    Failure failure;
    Throwable reported = cause;
    int reportedCode = code;
    String reportedReason = reason == null ? "" : reason;
    if (!wasOpen) {
      reportedCode = 1006;
      if (cause == null) {
        cause = new IOException("connection ended during the handshake with code " + code);
        reported = cause;
      }
      if (response != null) {
        storeCookies(attempt.requestUri, response);
        reported = new HandshakeException(response.status(), cause);
        failure = Failure.handshake(
            response.status(), response.header("Retry-After").orElse(null), reported);
      } else {
        failure = Failure.io(cause);
      }
      // Only an answer from behind the balancer (5xx) or a handshake that hung says the pinned
      // backend may be gone; a balancer that refuses connections (restarting) says nothing of it.
      boolean backendSuspect = (response != null && response.status() >= 500)
          || cause instanceof TimeoutException;
      if (backendSuspect && tracker.onAttemptFailed(attempt.sent)) {
        dropAffinityCookie(attempt.requestUri, "after failed attempts");
      }
    } else if (cause == null) {
      failure = Failure.closed(code, reportedReason, remote);
      if (tracker.onConnectionClosed(code)) {
        dropAffinityCookie(attempt.requestUri, "on close " + code);
      }
    } else {
      reportedCode = 1006;
      failure = Failure.io(cause);
    }
    if (backoff == null
        || (wasOpen && !Duration.between(openedAt, now).minus(
            session.reconnectPolicy().resetAfter()).isNegative())) {
      backoff = new Backoff(session.reconnectPolicy(), session.clock(), session.random());
    }
    Decision decision = backoff.next(failure);
    int code2 = reportedCode;
    String reason2 = reportedReason;
    Throwable cause2 = reported;
    if (decision.retry()) {
      Duration delay = decision.delay();
      int next = handshakesSinceOpen + 1;
      setState(State.RECONNECTING, "code " + code2 + (cause2 == null ? "" : ", " + cause2)
          + "; attempt " + next + " in " + delay.toMillis() + " ms");
      deliver(l -> l.onDisconnected(this, code2, reason2, cause2, true, delay));
      deliver(l -> l.onReconnecting(this, next, delay));
      reconnectTask = schedule(this::runAttempt, delay);
    } else {
      setState(State.CLOSED, "giving up: " + decision.reason());
      int attempts = backoff.attempts();
      Duration elapsed = backoff.elapsed();
      Throwable gaveUpCause = cause2 != null ? cause2
          : new IOException("closed by the server with code " + code2);
      deliver(l -> l.onDisconnected(this, code2, reason2, cause2, false, null));
      terminate(l -> l.onGaveUp(this, gaveUpCause, attempts, elapsed));
    }
  }

  /** Under lock: the closing handshake the application started is over. */
  private void finishClose() {
    cancel(closeTimeoutTask);
    closeTimeoutTask = null;
    // The application closed: the server reads everything sent before our close frame.
    cancel(confirmTask);
    confirmTask = null;
    unconfirmed.clear();
    unconfirmedBytes = 0;
    pingMarks.clear();
    setState(State.CLOSED, "close complete");
    int code = closeCode;
    String reason = closeReason;
    terminate(l -> l.onClosed(this, code, reason));
  }

  /** Under lock: delivers the one terminal callback, after reporting unsent messages. */
  private void terminate(Consumer<StickyWebSocketListener> terminal) {
    for (Object message : takeQueue()) {
      deliver(l -> l.onDropped(this, message));
    }
    deliverTerminal(terminal);
    session.ended(this);
  }

  private void onHandshakeTimeout(Attempt attempt) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (attempt.done || attempt.opened || attempt != current) {
        return;
      }
      attempt.done = true;
      TransportConnection connection = attempt.connection;
      if (connection != null) {
        io.add(connection::abort);
      }
      ended(attempt, 1006, "",
          false, new TimeoutException(TimeoutException.Kind.HANDSHAKE, session.handshakeTimeout()),
          null);
    }
    run(io);
    drain();
  }

  private void onCloseTimeout(Attempt attempt) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (state != State.CLOSING) {
        return;
      }
      attempt.done = true;
      current = null;
      TransportConnection connection = attempt.connection;
      io.add(connection::abort);
      log.debug("{}: no close frame within {}; dropping the connection", logName,
          session.closeTimeout());
      finishClose();
    }
    run(io);
    drain();
  }

  // ---------------------------------------------------------------- heartbeat

  /** Under lock. */
  private void scheduleHeartbeat(Attempt attempt) {
    Duration interval = session.heartbeatInterval();
    if (interval != null && transport.supportsPing()) {
      heartbeatTask = schedule(() -> ping(attempt), interval);
    }
  }

  private void ping(Attempt attempt) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (attempt != current || attempt.done || state != State.OPEN) {
        return;
      }
      if (!awaitingPong) {
        awaitingPong = true;
        io.add(pingAction(attempt));
        pongTimeoutTask = schedule(() -> onPongTimeout(attempt), session.pongTimeout());
      }
      heartbeatTask = schedule(() -> ping(attempt), session.heartbeatInterval());
    }
    run(io);
  }

  private void onPongTimeout(Attempt attempt) {
    List<Runnable> io = new ArrayList<>();
    synchronized (lock) {
      if (attempt != current || attempt.done || !awaitingPong) {
        return;
      }
      attempt.done = true;
      TransportConnection connection = attempt.connection;
      io.add(connection::abort);
      ended(attempt, 1006, "", false,
          new TimeoutException(TimeoutException.Kind.PONG, session.pongTimeout()), null);
    }
    run(io);
    drain();
  }

  // ---------------------------------------------------------------- cookies

  private List<Cookie> loadCookies(URI requestUri) {
    try {
      return jar.loadForRequest(requestUri);
    } catch (RuntimeException e) {
      log.warn("{}: cookie jar {} failed to load cookies ({}); sending none from it",
          logName, jar.getClass().getSimpleName(), e.getClass().getName());
      return List.of();
    }
  }

  private List<Cookie> storeCookies(URI requestUri, HandshakeResponse response) {
    List<String> setCookies = response.headers("Set-Cookie");
    if (setCookies.isEmpty()) {
      return List.of();
    }
    List<Cookie> parsed = Cookie.parseAll(requestUri, setCookies, session.clock().instant());
    try {
      jar.saveFromResponse(requestUri, parsed);
    } catch (RuntimeException e) {
      log.warn("{}: cookie jar {} failed to save {} cookies ({})",
          logName, jar.getClass().getSimpleName(), parsed.size(), e.getClass().getName());
    }
    return parsed;
  }

  /** Deletes the jar's copy of the affinity cookie just dropped, so the next handshake is fresh. */
  private void dropAffinityCookie(URI requestUri, String why) {
    Optional<Cookie> dropped = tracker.takeDroppedCookie();
    log.debug("{}: affinity dropped {}", logName, why);
    if (dropped.isEmpty()) {
      return;
    }
    String name = dropped.get().name();
    List<Cookie> expired = new ArrayList<>();
    for (Cookie cookie : loadCookies(requestUri)) {
      if (cookie.name().equals(name)) {
        expired.add(cookie.newBuilder().expiresAt(Instant.EPOCH).build());
      }
    }
    if (!expired.isEmpty()) {
      try {
        jar.saveFromResponse(requestUri, expired);
      } catch (RuntimeException e) {
        log.warn("{}: cookie jar {} failed to delete the affinity cookie {} ({})",
            logName, jar.getClass().getSimpleName(), name, e.getClass().getName());
      }
    }
  }

  // ---------------------------------------------------------------- plumbing

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

  private void cancelTimers() {
    cancel(heartbeatTask);
    cancel(pongTimeoutTask);
    heartbeatTask = null;
    pongTimeoutTask = null;
    awaitingPong = false;
    if (current != null) {
      cancel(current.handshakeTimeoutTask);
    }
  }

  private static void cancel(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return session.scheduler().schedule(
          () -> guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("{}: scheduler rejected a task (session closed?)", logName);
      return null;
    }
  }

  private void execute(Runnable task) {
    try {
      session.scheduler().execute(() -> guarded(task));
    } catch (RejectedExecutionException e) {
      log.debug("{}: scheduler rejected a task (session closed?)", logName);
    }
  }

  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("{}: internal task failed", logName, e);
    }
  }

  private static void run(List<Runnable> io) {
    for (Runnable action : io) {
      action.run();
    }
  }

  /** Under lock: queues a listener call; delivered in order by {@link #drain()}, outside it. */
  private void deliver(Consumer<StickyWebSocketListener> call) {
    callbacks.add(() -> call(call));
  }

  /** Under lock: queues the terminal listener call; nothing is delivered after it. */
  private void deliverTerminal(Consumer<StickyWebSocketListener> call) {
    callbacks.addTerminal(() -> call(call));
  }

  private void call(Consumer<StickyWebSocketListener> call) {
    try {
      call.accept(listener);
    } catch (RuntimeException e) {
      log.warn("{}: listener {} threw; ignored", logName, listener.getClass().getName(), e);
    }
  }

  /** Delivers queued listener calls on this thread, unless another thread is delivering. */
  private void drain() {
    callbacks.drain();
  }

  /** Delivers listener calls queued by {@code send} (drops) on the scheduler, not the caller. */
  private void drainLater() {
    if (callbacks.pending()) {
      execute(this::drain);
    }
  }

  /** One handshake attempt and, if it opens, the connection it becomes. */
  private final class Attempt implements TransportListener {
    final int number;
    final URI requestUri;
    final List<Cookie> sent;
    volatile TransportConnection connection;
    // Guarded by lock.
    HandshakeResponse pendingOpen;
    boolean opened;
    boolean done;
    int terminalReports;
    ScheduledFuture<?> handshakeTimeoutTask;

    Attempt(int number, URI requestUri, List<Cookie> sent) {
      this.number = number;
      this.requestUri = requestUri;
      this.sent = sent;
    }

    @Override
    public void onOpen(HandshakeResponse response) {
      List<Runnable> io = new ArrayList<>();
      synchronized (lock) {
        if (done || opened || this != current) {
          return;
        }
        if (connection == null) {
          pendingOpen = response;
          return;
        }
        opened(this, response, io);
      }
      run(io);
      drain();
    }

    @Override
    public void onText(String text) {
      synchronized (lock) {
        if (done || this != current) {
          return;
        }
        deliver(l -> l.onText(StickyWebSocket.this, text));
      }
      drain();
    }

    @Override
    public void onBinary(ByteBuffer data) {
      synchronized (lock) {
        if (done || this != current) {
          return;
        }
        deliver(l -> l.onBinary(StickyWebSocket.this, data));
      }
      drain();
    }

    @Override
    public void onPong(ByteBuffer payload) {
      synchronized (lock) {
        if (this != current || done) {
          return;
        }
        confirmed(payload);
        if (awaitingPong) {
          awaitingPong = false;
          cancel(pongTimeoutTask);
          pongTimeoutTask = null;
        }
      }
    }

    @Override
    public void onClosed(int code, String reason, boolean remote) {
      terminal(code, reason, remote, null, null);
    }

    @Override
    public void onFailure(Throwable cause, HandshakeResponse response) {
      terminal(1006, "", true, cause, response);
    }

    private void terminal(int code, String reason, boolean remote, Throwable cause,
        HandshakeResponse response) {
      synchronized (lock) {
        terminalReports++;
        if (terminalReports > 1) {
          log.warn("{}: transport {} reported a second terminal event for one attempt; ignored",
              logName, transport.name());
          return;
        }
        if (done) {
          return;
        }
        done = true;
        if (this != current) {
          return;
        }
        if (!opened && pendingOpen != null) {
          storeCookies(requestUri, pendingOpen);
          pendingOpen = null;
        }
        ended(this, code, reason, remote, cause, response);
      }
      drain();
    }
  }
}
