package io.stickyws;

import io.stickyws.affinity.AffinityRules;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.CookieStorageHealth;
import io.stickyws.cookie.CookieStorageListener;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.internal.observe.Observers;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.Transport;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The shared context of sticky connections: the transport, the cookie jar, the affinity rules,
 * the reconnect policy, the heartbeat and queue settings, and one scheduler. Many
 * {@link StickyWebSocket}s may share one session, and usually do.
 *
 * <pre>{@code
 * StickySession session = StickySession.builder(OkHttpTransport.create(okHttpClient))
 *     .cookieJar(FileCookieJar.open(Path.of("cookies.txt")))
 *     .build();
 * StickyWebSocket ws = session.connect(URI.create("wss://example.com/ws"), listener);
 * }</pre>
 *
 * <p>Unless a scheduler is supplied, the session owns one daemon thread named
 * {@code stickyws-scheduler-N}; {@link #close()} stops it. A scheduler the application supplied is
 * never shut down by stickyws. The cookie jar is the application's: {@code close()} does not close
 * it.
 *
 * <p>Instances are thread-safe.
 */
public final class StickySession implements AutoCloseable {
  private static final AtomicInteger SESSION_IDS = new AtomicInteger();
  /** How long {@link #close()} waits, past the close timeout, for the terminal callbacks. */
  private static final long CLOSE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final Transport transport;
  private final CookieJar cookieJar;
  private final AffinityRules affinityRules;
  private final ReconnectPolicy reconnectPolicy;
  private final Duration heartbeatInterval;
  private final Duration pongTimeout;
  private final Duration handshakeTimeout;
  private final Duration closeTimeout;
  private final int queueMaxMessages;
  private final long queueMaxBytes;
  private final OverflowPolicy overflowPolicy;
  private final boolean resendUnconfirmed;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final RandomGenerator random;
  private final Observers observers;
  private final Set<StickyWebSocket> live = ConcurrentHashMap.newKeySet();
  /** Connections whose terminal callback has not returned yet. */
  private final Set<StickyWebSocket> undelivered = ConcurrentHashMap.newKeySet();
  private final QueuedOnBackendChange queuedOnBackendChange;
  private final boolean applicationSendsFirst;
  private final CookieStorageListener storageListener;
  private volatile CookieStorageHealth degraded; // the jar's health while degraded, else null
  private volatile Thread schedulerThread;
  private final int sessionId = SESSION_IDS.incrementAndGet();
  private final AtomicInteger jarThreads = new AtomicInteger();
  private ThreadPoolExecutor jarCalls; // guarded by live; created on first use
  private volatile boolean closed;

  private StickySession(Builder b) {
    this.transport = b.transport;
    this.cookieJar = b.cookieJar != null ? b.cookieJar : MemoryCookieJar.create();
    this.affinityRules = b.affinityRules;
    this.reconnectPolicy = b.reconnectPolicy;
    this.heartbeatInterval = b.heartbeatInterval;
    this.pongTimeout = b.pongTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.closeTimeout = b.closeTimeout;
    this.queueMaxMessages = b.queueMaxMessages;
    this.queueMaxBytes = b.queueMaxBytes;
    this.overflowPolicy = b.overflowPolicy;
    this.resendUnconfirmed = b.resendUnconfirmed;
    this.queuedOnBackendChange = b.queuedOnBackendChange;
    this.applicationSendsFirst = b.applicationSendsFirst;
    this.clock = b.clock;
    this.observers = Observers.of(b.observers);
    this.random = b.random != null ? new SynchronizedRandom(b.random) : new ThreadLocalRandomGenerator();
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
    } else {
      this.scheduler = newScheduler(sessionId, this);
      this.ownsScheduler = true;
    }
    this.storageListener = cookieJar instanceof FileCookieJar ? new StorageEvents() : null;
    if (storageListener != null) {
      ((FileCookieJar) cookieJar).addStorageListener(storageListener);
    }
  }

  /** Tells every connection when the file jar fails to persist and when it recovers. */
  private final class StorageEvents implements CookieStorageListener {
    @Override
    public void onStorageFailed(CookieStorageHealth health) {
      degraded = health;
      tell(health);
    }

    @Override
    public void onStorageRecovered(CookieStorageHealth health) {
      degraded = null;
      tell(health);
    }

    private void tell(CookieStorageHealth health) {
      for (StickyWebSocket webSocket : live) {
        webSocket.mailbox().post((l, ws) -> l.onCookieStorage(ws, health));
      }
    }
  }

  private static ScheduledExecutorService newScheduler(int sessionId, StickySession session) {
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "stickyws-scheduler-" + sessionId);
      thread.setDaemon(true);
      session.schedulerThread = thread;
      return thread;
    };
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory);
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    return executor;
  }

  /**
   * The threads that call a cookie jar which may block (one that is not stickyws' own), so that a
   * slow jar never holds up the scheduler that every connection of the session shares: daemon
   * threads {@code stickyws-jar-N-M}, made on demand, ended 10 s after their last call and at
   * {@link #close()}.
   */
  Executor jarCalls() {
    synchronized (live) {
      if (jarCalls == null) {
        ThreadFactory factory = task -> {
          Thread thread = new Thread(task,
              "stickyws-jar-" + sessionId + "-" + jarThreads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
        jarCalls = new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
      }
      return jarCalls;
    }
  }

  /**
   * Starts building a session on {@code transport}.
   *
   * @param transport the adapter of the WebSocket library, for example
   *     {@code OkHttpTransport.create(client)}
   * @return a builder with the defaults
   */
  public static Builder builder(Transport transport) {
    return new Builder(transport);
  }

  /**
   * Opens a sticky connection: the first attempt starts at once, and the connection reconnects by
   * itself until {@link StickyWebSocket#close()} or the policy gives up.
   *
   * @param uri a {@code ws://} or {@code wss://} URI
   * @param listener receives the events of the connection
   * @return the connection handle
   * @throws IllegalArgumentException if the URI is not a ws or wss URI with a host
   * @throws IllegalStateException if the session is closed
   */
  public StickyWebSocket connect(URI uri, StickyWebSocketListener listener) {
    return connect(uri, Map.of(), listener);
  }

  /**
   * Opens a sticky connection that sends extra headers on every handshake (an
   * {@code Authorization} header, a sub-protocol...). A {@code Cookie} header given here is sent
   * before the jar's cookies.
   *
   * @param uri a {@code ws://} or {@code wss://} URI
   * @param headers header names to values
   * @param listener receives the events of the connection
   * @return the connection handle
   * @throws IllegalArgumentException if the URI is not a ws or wss URI with a host
   * @throws IllegalStateException if the session is closed
   */
  public StickyWebSocket connect(
      URI uri, Map<String, List<String>> headers, StickyWebSocketListener listener) {
    return connect(uri, headers, null, listener);
  }

  /**
   * Opens a sticky connection whose handshake headers are the fixed {@code headers} plus what
   * {@code headerSource} returns, asked again before every attempt (a bearer token the application
   * refreshes, for example); see {@link HeaderSource}.
   *
   * @param uri a {@code ws://} or {@code wss://} URI
   * @param headers fixed header names to values, possibly empty
   * @param headerSource asked before every handshake, or {@code null} for none
   * @param listener receives the events of the connection
   * @return the connection handle
   * @throws IllegalArgumentException if the URI is not a ws or wss URI with a valid host name
   * @throws IllegalStateException if the session is closed
   */
  public StickyWebSocket connect(URI uri, Map<String, List<String>> headers,
      HeaderSource headerSource, StickyWebSocketListener listener) {
    Objects.requireNonNull(uri, "uri == null");
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(listener, "listener == null");
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException(
          "uri (" + Loggable.uri(uri) + ") must have the scheme ws or wss");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("uri (" + asWritten(uri) + ") must have a host; "
          + (uri.getRawAuthority() == null ? "it has none"
          : "'" + authority(uri) + "' is not a valid host name (letters, digits, '-' and '.')"));
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((name, values) -> {
      Objects.requireNonNull(name, "header name == null");
      copy.put(name, List.copyOf(values));
    });
    if (closed) {
      throw new IllegalStateException("session is closed");
    }
    StickyWebSocket webSocket = new StickyWebSocket(this, uri, copy, headerSource, listener);
    live.add(webSocket);
    undelivered.add(webSocket);
    CookieStorageHealth failed = degraded;
    if (failed != null) {
      webSocket.mailbox().post((l, ws) -> l.onCookieStorage(ws, failed));
    }
    webSocket.start();
    return webSocket;
  }

  /** The authority as written, without user info (which may hold a password). */
  private static String authority(URI uri) {
    String authority = uri.getRawAuthority();
    return authority.substring(authority.lastIndexOf('@') + 1);
  }

  /** Scheme, authority as written (no user info) and path; never the query. */
  private static String asWritten(URI uri) {
    return uri.getScheme() + "://" + (uri.getRawAuthority() == null ? "" : authority(uri))
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /**
   * Closes every connection of this session (close code 1001, "session closed") and stops the
   * session's own scheduler thread. With the session's own scheduler, it first waits until every
   * connection ended and delivered its terminal callback: at most the close timeout (a server that
   * never answers the close is dropped then) plus half a second; then at most one second for the
   * thread to end. Called from a listener on that thread, it waits for neither. With a scheduler
   * the application supplied, it does not wait: terminal callbacks may come after it returned (see
   * {@link #closeAndWait(Duration)}). Stops telling the connections about the cookie jar's storage.
   * Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    if (storageListener != null) {
      ((FileCookieJar) cookieJar).removeStorageListener(storageListener);
    }
    List<StickyWebSocket> closing = new ArrayList<>(live);
    for (StickyWebSocket webSocket : closing) {
      webSocket.close(1001, "session closed");
    }
    boolean onOurThread = Thread.currentThread() == schedulerThread;
    if (ownsScheduler && !onOurThread) {
      // Our scheduler runs the close timeouts: keep it until every connection ended (the server
      // answered the close or the timeout dropped the connection) and told its listener.
      try {
        awaitTerminals(closing, System.nanoTime() + closeTimeout.toNanos() + CLOSE_MARGIN_NANOS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // stop waiting; the scheduler is stopped below
      }
    }
    synchronized (live) {
      if (jarCalls != null) {
        jarCalls.shutdown(); // a jar call under way ends its thread when it returns
      }
    }
    if (ownsScheduler) {
      scheduler.shutdown();
      if (onOurThread) {
        return; // called from a listener on our own thread: it ends when this task returns
      }
      try {
        scheduler.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      scheduler.shutdownNow();
    }
  }

  /**
   * Closes every connection like {@link #close()}, then waits until each delivered its terminal
   * callback ({@code onClosed} or {@code onGaveUp}), then flushes the cookie jar's pending writes
   * when it is a {@link FileCookieJar} (the jar stays open: it is the application's). The waiting
   * is bounded by {@code timeout}; the scheduler is stopped after it. Call it from the
   * application's own thread, never from a listener callback.
   *
   * @param timeout the longest wait for the terminal callbacks
   * @return {@code true} if every connection delivered its terminal callback in time
   * @throws InterruptedException if interrupted while waiting (the session is then closed)
   */
  public boolean closeAndWait(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout == null");
    long deadline = System.nanoTime() + timeout.toNanos();
    closed = true;
    List<StickyWebSocket> waitFor = new ArrayList<>(undelivered);
    boolean all = true;
    try {
      for (StickyWebSocket webSocket : waitFor) {
        webSocket.close(1001, "session closed");
      }
      all = awaitTerminals(waitFor, deadline);
    } finally {
      close();
      if (cookieJar instanceof FileCookieJar) {
        ((FileCookieJar) cookieJar).flush();
      }
    }
    return all;
  }

  /** Waits until each connection delivered its terminal callback, at most until {@code deadline}. */
  private static boolean awaitTerminals(List<StickyWebSocket> webSockets, long deadline)
      throws InterruptedException {
    boolean all = true;
    for (StickyWebSocket webSocket : webSockets) {
      all &= webSocket.mailbox().awaitTerminal(Math.max(0, deadline - System.nanoTime()));
    }
    return all;
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  void ended(StickyWebSocket webSocket) {
    live.remove(webSocket);
  }

  /** The terminal callback of this connection returned. */
  void delivered(StickyWebSocket webSocket) {
    undelivered.remove(webSocket);
  }

  /** @return the transport that opens the connections */
  public Transport transport() {
    return transport;
  }

  /** @return the cookie jar shared by the connections */
  public CookieJar cookieJar() {
    return cookieJar;
  }

  /** @return the affinity rules */
  public AffinityRules affinityRules() {
    return affinityRules;
  }

  /** @return the reconnect policy */
  public ReconnectPolicy reconnectPolicy() {
    return reconnectPolicy;
  }

  /** @return the heartbeat ping interval, or {@code null} when heartbeats are off */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** @return how long to wait for a pong before the connection counts as dead */
  public Duration pongTimeout() {
    return pongTimeout;
  }

  /** @return how long a handshake may take before it is aborted */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** @return how long a closing handshake may take before the connection is dropped */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** @return the capacity of each connection's outbound queue, in messages */
  public int queueMaxMessages() {
    return queueMaxMessages;
  }

  /** @return the capacity of each connection's outbound queue, in bytes */
  public long queueMaxBytes() {
    return queueMaxBytes;
  }

  /** @return what happens when the outbound queue is full */
  public OverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /**
   * Whether messages a failed connection had not confirmed are sent again on the next connection
   * (at-least-once) instead of being reported on
   * {@link StickyWebSocketListener#onUnconfirmed}.
   *
   * @return {@code false} by default
   */
  public boolean resendUnconfirmed() {
    return resendUnconfirmed;
  }

  /** @return what happens to queued messages when a connection opens on another backend */
  public QueuedOnBackendChange queuedOnBackendChange() {
    return queuedOnBackendChange;
  }

  /** @return whether the open callbacks speak before the queue on every open, not only on changed */
  public boolean applicationSendsFirst() {
    return applicationSendsFirst;
  }

  /** @return the clock */
  public Clock clock() {
    return clock;
  }

  /**
   * The observers of this session's connections, in the order they are called.
   *
   * @return an unmodifiable list, empty by default
   */
  public List<SessionObserver> observers() {
    return observers.list();
  }

  /** The engine's view of {@link #observers()}: ask {@code active()} before building an event. */
  Observers observerFanOut() {
    return observers;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  RandomGenerator random() {
    return random;
  }

  @Override
  public String toString() {
    return "StickySession{transport=" + transport.name() + ", connections=" + live.size()
        + (closed ? ", closed" : "") + "}";
  }

  /** Uses the calling thread's {@link ThreadLocalRandom} for each draw. */
  private static final class ThreadLocalRandomGenerator implements RandomGenerator {
    @Override
    public long nextLong() {
      return ThreadLocalRandom.current().nextLong();
    }

    @Override
    public double nextDouble() {
      return ThreadLocalRandom.current().nextDouble();
    }
  }

  /** Makes an application-supplied generator safe to share between connections. */
  private static final class SynchronizedRandom implements RandomGenerator {
    private final RandomGenerator delegate;

    SynchronizedRandom(RandomGenerator delegate) {
      this.delegate = delegate;
    }

    @Override
    public synchronized long nextLong() {
      return delegate.nextLong();
    }

    @Override
    public synchronized double nextDouble() {
      return delegate.nextDouble();
    }
  }

  /**
   * Builds a {@link StickySession}. Every setting has a default; validation happens in
   * {@link #build()}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Transport transport;
    private CookieJar cookieJar;
    private AffinityRules affinityRules = AffinityRules.defaults();
    private ReconnectPolicy reconnectPolicy = ReconnectPolicy.defaults();
    private Duration heartbeatInterval = Duration.ofSeconds(20);
    private Duration pongTimeout = Duration.ofSeconds(10);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private int queueMaxMessages = 1000;
    private long queueMaxBytes = 1024 * 1024;
    private OverflowPolicy overflowPolicy = OverflowPolicy.REJECT;
    private boolean resendUnconfirmed;
    private QueuedOnBackendChange queuedOnBackendChange = QueuedOnBackendChange.FLUSH;
    private boolean applicationSendsFirst;
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random;
    private final List<SessionObserver> observers = new ArrayList<>();

    private Builder(Transport transport) {
      this.transport = transport;
    }

    /**
     * The jar that stores the cookies of every handshake and supplies them to the next. Default:
     * a new in-memory jar. Use a {@code FileCookieJar} to stay sticky across restarts.
     *
     * @param cookieJar the jar; {@link CookieJar#NO_COOKIES} sends none
     * @return this
     */
    public Builder cookieJar(CookieJar cookieJar) {
      this.cookieJar = cookieJar;
      return this;
    }

    /**
     * Which cookie or header is the balancer's affinity token, and when to drop it. Default:
     * {@link AffinityRules#defaults()}.
     *
     * @param affinityRules the rules
     * @return this
     */
    public Builder affinity(AffinityRules affinityRules) {
      this.affinityRules = affinityRules;
      return this;
    }

    /**
     * When and how soon to reconnect. Default: {@link ReconnectPolicy#defaults()}.
     *
     * @param reconnectPolicy the policy
     * @return this
     */
    public Builder reconnectPolicy(ReconnectPolicy reconnectPolicy) {
      this.reconnectPolicy = reconnectPolicy;
      return this;
    }

    /**
     * Sends a ping every {@code interval} while open, and treats the connection as dead when no
     * pong arrives within {@code pongTimeout}. Keeps idle tunnels alive too: balancers cut them
     * silently (HAProxy {@code timeout tunnel}, nginx {@code proxy_read_timeout}). Default: 20 s
     * and 10 s.
     *
     * @param interval time between pings, positive
     * @param pongTimeout how long to wait for each pong, positive
     * @return this
     */
    public Builder heartbeat(Duration interval, Duration pongTimeout) {
      this.heartbeatInterval = interval;
      this.pongTimeout = pongTimeout;
      return this;
    }

    /**
     * Turns heartbeats off: a dead connection is then noticed only when the transport notices it.
     *
     * @return this
     */
    public Builder noHeartbeat() {
      this.heartbeatInterval = null;
      return this;
    }

    /**
     * How long a handshake may take before it is aborted and counted as a failed attempt.
     * Default: 10 s.
     *
     * @param handshakeTimeout positive
     * @return this
     */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = handshakeTimeout;
      return this;
    }

    /**
     * How long {@link StickyWebSocket#close()} waits for the server's close frame before it drops
     * the connection. Default: 5 s.
     *
     * @param closeTimeout positive
     * @return this
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Bounds the queue that holds messages sent while a connection is not open. Default: 1000
     * messages, 1 MiB, {@link OverflowPolicy#REJECT}.
     *
     * @param maxMessages capacity in messages, 0 or more (0: no queue, sends while not open are
     *     refused)
     * @param maxBytes capacity in bytes (UTF-8 for text), 0 or more
     * @param overflowPolicy what to do when a message does not fit
     * @return this
     */
    public Builder outboundQueue(int maxMessages, long maxBytes, OverflowPolicy overflowPolicy) {
      this.queueMaxMessages = maxMessages;
      this.queueMaxBytes = maxBytes;
      this.overflowPolicy = overflowPolicy;
      return this;
    }

    /**
     * What happens to messages handed to a connection that then failed before a pong confirmed
     * the server read them. {@code false} (the default): they are reported on
     * {@link StickyWebSocketListener#onUnconfirmed}, and the application decides. {@code true}: they
     * are sent again, in order, before anything queued, on the next connection: at-least-once
     * delivery, so the server may see a message twice.
     *
     * @param resend whether to send unconfirmed messages again
     * @return this
     */
    public Builder resendUnconfirmed(boolean resend) {
      this.resendUnconfirmed = resend;
      return this;
    }

    /**
     * What happens to the messages queued while a connection was not open when it opens on
     * another backend. Default: {@link QueuedOnBackendChange#FLUSH}, after the open callbacks.
     *
     * @param choice flush, hand back or hold
     * @return this
     */
    public Builder queuedOnBackendChange(QueuedOnBackendChange choice) {
      this.queuedOnBackendChange = choice;
      return this;
    }

    /**
     * Whether the application speaks first on every open: the queued messages go out only after
     * {@code onOpen} returned, after what it sent. Default: {@code false}, only on a changed
     * backend (see {@link StickyWebSocketListener#onOpen}).
     *
     * @param first {@code true} for every open
     * @return this
     */
    public Builder applicationSendsFirst(boolean first) {
      this.applicationSendsFirst = first;
      return this;
    }

    /**
     * Runs timers and reconnects on the application's scheduler instead of the session's own
     * thread. stickyws never shuts it down.
     *
     * @param scheduler the scheduler
     * @return this
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    /**
     * The clock for cookie expiry, backoff budgets and {@code Retry-After} dates. Default: the
     * system UTC clock.
     *
     * @param clock the clock
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The source of jitter. Default: {@link ThreadLocalRandom}. A generator given here is used under
     * a lock, so it need not be thread-safe.
     *
     * @param random the generator
     * @return this
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /**
     * Adds an observer of every connection of the session, for metrics and diagnostics (see
     * {@link SessionObserver}). Call it once per observer; they are called in this order.
     *
     * @param observer the observer
     * @return this
     * @throws NullPointerException if {@code observer} is null
     */
    public Builder observer(SessionObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer == null"));
      return this;
    }

    /**
     * Validates the settings and builds the session.
     *
     * @return the session
     * @throws NullPointerException if a required setting is null
     * @throws IllegalArgumentException if a setting is out of range, naming it and its value
     */
    public StickySession build() {
      Objects.requireNonNull(transport, "transport == null");
      Objects.requireNonNull(affinityRules, "affinity == null");
      Objects.requireNonNull(reconnectPolicy, "reconnectPolicy == null");
      Objects.requireNonNull(handshakeTimeout, "handshakeTimeout == null");
      Objects.requireNonNull(closeTimeout, "closeTimeout == null");
      Objects.requireNonNull(overflowPolicy, "overflowPolicy == null");
      Objects.requireNonNull(queuedOnBackendChange, "queuedOnBackendChange == null");
      Objects.requireNonNull(clock, "clock == null");
      if (heartbeatInterval != null) {
        requirePositive("heartbeat interval", heartbeatInterval);
        Objects.requireNonNull(pongTimeout, "pongTimeout == null");
        requirePositive("pongTimeout", pongTimeout);
      }
      requirePositive("handshakeTimeout", handshakeTimeout);
      requirePositive("closeTimeout", closeTimeout);
      if (queueMaxMessages < 0) {
        throw new IllegalArgumentException(
            "outboundQueue maxMessages (" + queueMaxMessages + ") must be >= 0");
      }
      if (queueMaxBytes < 0) {
        throw new IllegalArgumentException(
            "outboundQueue maxBytes (" + queueMaxBytes + ") must be >= 0");
      }
      return new StickySession(this);
    }

    private static void requirePositive(String field, Duration value) {
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(field + " (" + value + ") must be positive");
      }
    }
  }
}
