package io.stickyws.samples.check;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.samples.check.Report.Affinity;
import io.stickyws.samples.check.Report.Cycle;
import io.stickyws.samples.check.Report.Summary;
import io.stickyws.samples.check.Verdict.Event;
import io.stickyws.samples.check.Verdict.Facts;
import io.stickyws.samples.check.Verdict.Landing;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sticky-check}: watches which backend a WebSocket client lands on across reconnects, the standard diagnostic
 * for sticky sessions ("if it's random, your client isn't sending the cookie"). Either N sequential connect/close
 * cycles ({@code --connections}) or one stickyws connection held for a while ({@code --hold}), reported as a table
 * with a verdict line or as JSON lines ({@code --json}). The verdict ({@link Verdict}) says sticky, failed over, not
 * sticky, no affinity cookie or could not connect, with what to do next; the exit code is 0 for sticky or a clean
 * failover, 1 when it could not connect, 2 for bad arguments, 3 when not sticky.
 *
 * <p>Not thread-safe: one run per instance.
 */
@Command(name = "sticky-check", mixinStandardHelpOptions = true, version = "sticky-check (stickyws 0.1.0)",
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Watches which backend a WebSocket client lands on across reconnects behind a sticky load "
        + "balancer: random backends mean the client is not resending the affinity cookie.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:sticky, or a clean failover (the backend died or drained, the client moved once and stayed)",
        "1:could not connect (refused, unknown host, TLS, timeout, an HTTP status)", "2:bad arguments",
        "3:not sticky (moved without a reason, or no affinity cookie)"})
public final class StickyCheck implements Callable<Integer> {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PONG_TIMEOUT = Duration.ofSeconds(10);

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<ws-or-wss-url>", description = "the WebSocket URL behind the balancer")
  private String url;

  @Option(names = "--client", paramLabel = "okhttp|jdk|java-websocket", defaultValue = "okhttp",
      converter = ClientConverter.class, description = "transport (default ${DEFAULT-VALUE})")
  private Client client;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "10",
      description = "N sequential connect/close cycles (default ${DEFAULT-VALUE})")
  private int connections;

  @Option(names = "--hold", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "instead keep ONE stickyws connection for DURATION (e.g. 20s), connecting and reconnecting as "
          + "needed; failed first attempts count as reconnect attempts and are reported the same way")
  private Duration hold;

  @Option(names = "--jar", paramLabel = "FILE",
      description = "use a FileCookieJar at FILE (created if missing); default an in-memory jar")
  private Path jar;

  @Option(names = "--no-cookies", description = "send no cookies at all: what a plain client does")
  private boolean noCookies;

  @Option(names = "--cacert", paramLabel = "FILE", description = "trust this PEM certificate for wss://")
  private Path cacert;

  @Option(names = "--ping", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "heartbeat interval (default: the library's default)")
  private Duration ping;

  @Option(names = "--affinity-cookie", paramLabel = "NAME",
      description = "treat cookie NAME as the affinity token, beside the built-in balancer names")
  private String affinityCookie;

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
      description = "how long to wait for the first message after each open (default ${DEFAULT-VALUE})")
  private Duration waitFirst;

  @Option(names = "--handshake-timeout", paramLabel = "DUR", defaultValue = "10s", converter = DurationConverter.class,
      description = "give up a handshake that has not completed after DUR (default ${DEFAULT-VALUE})")
  private Duration handshakeTimeout;

  @Option(names = "--deadline", paramLabel = "DUR", converter = DurationConverter.class,
      description = "end the whole run after DUR at the latest, with a verdict on what was seen")
  private Duration deadline;

  @Option(names = "--reveal-affinity", description = "show the affinity cookie's value as the balancer set it "
      + "(HAProxy's server name, for example) beside its fingerprint; for the operator of that balancer")
  private boolean revealAffinity;

  @Option(names = "--json", description = "one JSON object per line on stdout instead of the human table")
  private boolean json;

  private PrintStream out = System.out;
  private PrintStream err = System.err;
  private Tls tls;
  private long deadlineNanos = Long.MAX_VALUE;
  private boolean cutShort;
  private final Observed observed = new Observed();

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command line with {@code out} for the report and {@code err} for usage and errors.
   *
   * @return the exit code: 0 sticky or a clean failover, 1 could not connect, 2 bad arguments, 3 not sticky
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    StickyCheck command = new StickyCheck();
    command.out = out;
    command.err = err;
    CommandLine line = new CommandLine(command);
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    line.setExecutionExceptionHandler((e, cmd, parseResult) -> {
      err.println("sticky-check: " + e);
      return 1;
    });
    return line.execute(args);
  }

  @Override
  public Integer call() {
    URI uri = validate();
    if (deadline != null) {
      deadlineNanos = System.nanoTime() + deadline.toNanos();
    }
    tls = cacert == null ? Tls.defaults() : tlsFrom(cacert);
    ObservingTransport transport = new ObservingTransport(client.transport(tls), noCookies);
    CookieJar cookies = noCookies ? CookieJar.NO_COOKIES : jar != null ? FileCookieJar.open(jar) : MemoryCookieJar.create();
    AffinityRules rules = affinityCookie == null ? AffinityRules.defaults()
        : AffinityRules.builder().cookie(affinityCookie).build();
    Report report = json ? Report.json(out, err) : Report.text(out);
    String target = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath()) + "  client=" + client.cliName()
        + "  cookies=" + (noCookies ? "none" : jar != null ? "file " + jar : "memory")
        + (hold == null ? "  connections=" + connections : "  hold=" + Durations.format(hold));
    report.start(target);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "sticky-check-timer");
      thread.setDaemon(true);
      return thread;
    });
    StickySession.Builder session = StickySession.builder(transport)
        .observer(observed)
        .cookieJar(cookies)
        .affinity(rules)
        .handshakeTimeout(handshakeTimeout)
        .closeTimeout(CLOSE_TIMEOUT);
    if (ping != null) {
      session.heartbeat(ping, PONG_TIMEOUT);
    }
    try {
      if (hold == null) {
        session.reconnectPolicy(ReconnectPolicy.builder().maxAttempts(1).build());
        try (StickySession s = session.build()) {
          return cycles(s, uri, report, transport);
        }
      }
      session.reconnectPolicy(ReconnectPolicy.builder()
          .initialDelay(Duration.ofMillis(250)).maxDelay(Duration.ofSeconds(5)).build());
      try (StickySession s = session.build()) {
        return hold(s, uri, report, timer, transport);
      }
    } finally {
      timer.shutdownNow();
      if (cookies instanceof FileCookieJar) {
        ((FileCookieJar) cookies).close();
      }
    }
  }

  private URI validate() {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw usage("url (" + url + ") is not a URI: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw usage("url must start with ws:// or wss://, not " + (scheme.isEmpty() ? "nothing" : scheme + "://"));
    }
    if (uri.getHost() == null) {
      throw usage("url must name a host");
    }
    if (connections < 1) {
      throw usage("--connections (" + connections + ") must be >= 1");
    }
    if (hold != null && spec.commandLine().getParseResult().hasMatchedOption("--connections")) {
      throw usage("--hold and --connections exclude each other");
    }
    if (hold != null && hold.isZero()) {
      throw usage("--hold (" + hold + ") must be positive");
    }
    if (noCookies && jar != null) {
      throw usage("--no-cookies and --jar exclude each other");
    }
    if (ping != null && ping.isZero()) {
      throw usage("--ping (" + ping + ") must be positive");
    }
    if (affinityCookie != null && affinityCookie.isBlank()) {
      throw usage("--affinity-cookie must not be blank");
    }
    if (handshakeTimeout.isZero()) {
      throw usage("--handshake-timeout (" + handshakeTimeout + ") must be positive");
    }
    if (deadline != null && deadline.isZero()) {
      throw usage("--deadline (" + deadline + ") must be positive");
    }
    return uri;
  }

  private Tls tlsFrom(Path pem) {
    try {
      return Tls.trusting(pem);
    } catch (IllegalArgumentException e) {
      throw usage("--cacert: " + e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  // ------------------------------------------------------------------------------------------ --connections

  private int cycles(StickySession session, URI uri, Report report, ObservingTransport transport) {
    List<Cycle> results = new ArrayList<>();
    List<Landing> landings = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    AffinityToken last = null;
    for (int n = 1; n <= connections; n++) {
      if (remaining().isZero()) {
        cutShort = true;
        break;
      }
      tls.takeRejection(); // a refusal of an earlier cycle says nothing about this one
      CycleListener listener = new CycleListener(transport, tls);
      long start = System.nanoTime();
      StickyWebSocket webSocket = session.connect(uri, listener);
      boolean settled = await(listener.settled, handshakeTimeout.plusSeconds(5));
      if (!settled && remaining().isZero()) {
        cutShort = true; // the deadline came while the handshake was pending: a failed attempt, said so
      }
      String firstMessage = null;
      if (listener.opened) {
        await(listener.firstText, waitFirst);
        firstMessage = listener.firstMessage;
      }
      webSocket.close();
      await(listener.terminal, CLOSE_TIMEOUT.plusSeconds(3));
      AffinityToken token = listener.opened ? listener.token : null;
      SameBackend same = token == null || last == null ? SameBackend.UNKNOWN
          : token.sameBackendAs(last) ? SameBackend.SAME : SameBackend.CHANGED;
      if (token != null) {
        last = token;
      }
      long end = listener.opened ? listener.openNanos : settled ? listener.failNanos : System.nanoTime();
      Failure error = listener.opened ? null : settled && listener.failure != null ? listener.failure
          : cutShort ? Failure.noAnswer("--deadline", deadline) : Failure.noAnswer("--handshake-timeout",
              handshakeTimeout);
      Affinity affinity = Affinity.of(token, revealAffinity);
      Cycle cycle = new Cycle(n, client.cliName(), listener.opened, listener.opened ? Integer.valueOf(101)
          : error.status(), firstMessage, affinity, same, Report.millis(end - start), error);
      results.add(cycle);
      if (listener.opened) {
        landings.add(new Landing(affinity, firstMessage, same, null, listener.sentCookies));
      } else {
        failures.add(error);
      }
      report.connection(cycle);
      if (cutShort) {
        break;
      }
    }
    Summary summary = summarize(results.size(), landings, observed.stats());
    Verdict verdict = Verdict.of(new Facts(false, noCookies, results.size(), landings, failures,
        transport.setCookieNames(), true, cutShort));
    report.summary(summary, verdict);
    return verdict.kind().exitCode();
  }

  private static Summary summarize(int attempts, List<Landing> landings, Observed.Stats stats) {
    Set<String> messages = new HashSet<>();
    Set<String> fingerprints = new HashSet<>();
    for (Landing landing : landings) {
      if (landing.firstMessage() != null) {
        messages.add(landing.firstMessage());
      }
      if (landing.affinity() != null) {
        fingerprints.add(landing.affinity().fingerprint());
      }
    }
    return new Summary(attempts, landings.size(), messages.size(), fingerprints.size(), stats);
  }

  /** One connect/close cycle: settles on open or on giving up (one attempt only). */
  private static final class CycleListener implements StickyWebSocketListener {
    final CountDownLatch settled = new CountDownLatch(1);
    final CountDownLatch firstText = new CountDownLatch(1);
    final CountDownLatch terminal = new CountDownLatch(1);
    private final ObservingTransport transport;
    private final Tls tls;
    volatile boolean opened;
    volatile long openNanos;
    volatile long failNanos;
    volatile AffinityToken token;
    volatile String firstMessage;
    volatile Failure failure;
    volatile List<String> sentCookies = List.of();

    CycleListener(ObservingTransport transport, Tls tls) {
      this.transport = transport;
      this.tls = tls;
    }

    @Override
    public void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity, SameBackend sameBackend) {
      openNanos = System.nanoTime();
      token = affinity;
      sentCookies = transport.sentOnLastOpen();
      opened = true;
      settled.countDown();
    }

    @Override
    public void onText(StickyWebSocket webSocket, String text) {
      if (firstMessage == null) {
        firstMessage = text;
        firstText.countDown();
      }
    }

    @Override
    public void onDisconnected(StickyWebSocket webSocket, int code, String reason, Throwable cause, boolean willRetry,
        Duration nextDelay) {
      if (!opened) {
        failNanos = System.nanoTime();
        failure = cause != null ? Failure.of(cause, tls.takeRejection()) : Failure.closed(code, reason);
      }
    }

    @Override
    public void onGaveUp(StickyWebSocket webSocket, Throwable cause, int attempts, Duration elapsed) {
      if (failure == null && !opened) {
        failNanos = System.nanoTime();
        failure = cause != null ? Failure.of(cause, tls.takeRejection()) : Failure.closed(1006, "");
      }
      settled.countDown();
      terminal.countDown();
    }

    @Override
    public void onClosed(StickyWebSocket webSocket, int code, String reason) {
      settled.countDown();
      terminal.countDown();
    }
  }

  // ------------------------------------------------------------------------------------------ --hold

  private int hold(StickySession session, URI uri, Report report, ScheduledExecutorService timer,
      ObservingTransport transport) {
    HoldListener listener = new HoldListener(report, timer, waitFirst, transport, tls, revealAffinity);
    StickyWebSocket webSocket = session.connect(uri, listener);
    Duration holdFor = hold;
    if (remaining().compareTo(hold) < 0) {
      holdFor = remaining();
      cutShort = true;
    }
    boolean ended = await(listener.terminal, holdFor);
    boolean openAtEnd = !ended && webSocket.state() == StickyWebSocket.State.OPEN;
    listener.ending(openAtEnd, cutShort ? Failure.noAnswer("--deadline", deadline)
        : Failure.noAnswer("--hold", hold));
    webSocket.close();
    await(listener.terminal, CLOSE_TIMEOUT.plusSeconds(3));
    listener.flushPending();
    Summary summary = listener.summary(observed.stats());
    Verdict verdict = Verdict.of(listener.facts(noCookies, transport.setCookieNames(), openAtEnd, cutShort));
    report.summary(summary, verdict);
    return verdict.kind().exitCode();
  }

  /**
   * Reports every event of the held connection. The open line carries the first message, so it waits (at most
   * {@code --wait}) for it; events that arrive meanwhile are written after it, in order.
   */
  private static final class HoldListener implements StickyWebSocketListener {
    private final Report report;
    private final ScheduledExecutorService timer;
    private final Duration waitFirst;
    private final ObservingTransport transport;
    private final Tls tls;
    private final boolean reveal;
    final CountDownLatch terminal = new CountDownLatch(1);
    private final Object lock = new Object();
    private final List<Runnable> backlog = new ArrayList<>();
    private final List<Landing> landings = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private PendingOpen pending;
    private ScheduledFuture<?> pendingTimeout;
    private boolean connected;
    private int attempts;
    private Event event;
    private Failure lastFailure;
    private boolean openAtEnd = true;

    HoldListener(Report report, ScheduledExecutorService timer, Duration waitFirst, ObservingTransport transport,
        Tls tls, boolean reveal) {
      this.report = report;
      this.timer = timer;
      this.waitFirst = waitFirst;
      this.transport = transport;
      this.tls = tls;
      this.reveal = reveal;
    }

    private record PendingOpen(int n, int attempt, Affinity affinity, SameBackend sameBackend, Event before,
        List<String> sentCookies) {}

    @Override
    public void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity, SameBackend sameBackend) {
      tls.takeRejection();
      synchronized (lock) {
        attempts++;
        connected = true;
        flushPendingLocked(null);
        pending = new PendingOpen(landings.size() + 1, attempt, Affinity.of(affinity, reveal), sameBackend, event,
            transport.sentOnLastOpen());
        event = null;
        PendingOpen mine = pending;
        pendingTimeout = timer.schedule(() -> {
          synchronized (lock) {
            if (pending == mine) {
              flushPendingLocked(null);
            }
          }
        }, waitFirst.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void onText(StickyWebSocket webSocket, String text) {
      synchronized (lock) {
        if (pending != null) {
          flushPendingLocked(text);
        }
      }
    }

    @Override
    public void onDisconnected(StickyWebSocket webSocket, int code, String reason, Throwable cause, boolean willRetry,
        Duration nextDelay) {
      synchronized (lock) {
        Failure error = cause != null ? Failure.of(cause, tls.takeRejection())
            : code == 1000 ? null : Failure.closed(code, reason);
        if (connected) {
          event = new Event(code, error, new ArrayList<>());
        } else {
          attempts++; // a failed handshake
          if (error != null) {
            failures.add(error);
            lastFailure = error;
            if (event != null) {
              event.failedAttempts().add(error);
            }
          }
        }
        connected = false;
        emit(() -> report.disconnected(code, reason, error, willRetry, nextDelay));
      }
    }

    @Override
    public void onReconnecting(StickyWebSocket webSocket, int attempt, Duration delay) {
      synchronized (lock) {
        emit(() -> report.reconnecting(attempt, delay));
      }
    }

    @Override
    public void onAffinityChanged(StickyWebSocket webSocket, AffinityToken from, AffinityToken to) {
      synchronized (lock) {
        emit(() -> report.affinityChanged(Affinity.of(from, reveal), Affinity.of(to, reveal)));
      }
    }

    @Override
    public void onGaveUp(StickyWebSocket webSocket, Throwable cause, int attempts, Duration elapsed) {
      synchronized (lock) {
        flushPendingLocked(null);
        Failure error = cause == null ? lastFailure : Failure.of(cause, tls.takeRejection());
        report.gaveUp(attempts, elapsed, error);
      }
      terminal.countDown();
    }

    @Override
    public void onClosed(StickyWebSocket webSocket, int code, String reason) {
      synchronized (lock) {
        flushPendingLocked(null);
        report.closed(code, reason, openAtEnd ? null : lastFailure);
      }
      terminal.countDown();
    }

    /**
     * The hold is over: whether the connection was open then decides the closed line's error; a first attempt still
     * pending counts as one that got {@code noAnswer}.
     */
    void ending(boolean open, Failure noAnswer) {
      synchronized (lock) {
        openAtEnd = open;
        if (attempts == 0 && !open) {
          attempts++;
          failures.add(noAnswer);
          lastFailure = noAnswer;
        }
      }
    }

    void flushPending() {
      synchronized (lock) {
        flushPendingLocked(null);
      }
    }

    Summary summary(Observed.Stats stats) {
      synchronized (lock) {
        return summarize(attempts, landings, stats);
      }
    }

    Facts facts(boolean noCookies, Set<String> setCookieNames, boolean openAtEnd, boolean cutShort) {
      synchronized (lock) {
        return new Facts(true, noCookies, attempts, List.copyOf(landings), List.copyOf(failures), setCookieNames,
            openAtEnd, cutShort);
      }
    }

    private void emit(Runnable line) {
      if (pending != null) {
        backlog.add(line);
      } else {
        line.run();
      }
    }

    private void flushPendingLocked(String firstMessage) {
      if (pending != null) {
        PendingOpen open = pending;
        pending = null;
        if (pendingTimeout != null) {
          pendingTimeout.cancel(false);
        }
        landings.add(new Landing(open.affinity(), firstMessage, open.sameBackend(), open.before(),
            open.sentCookies()));
        report.open(open.n(), open.attempt(), firstMessage, open.affinity(), open.sameBackend());
      }
      backlog.forEach(Runnable::run);
      backlog.clear();
    }
  }

  // ------------------------------------------------------------------------------------------ shared

  /** What is left of {@code --deadline}; a very long time without one. */
  private Duration remaining() {
    if (deadlineNanos == Long.MAX_VALUE) {
      return ChronoUnit.FOREVER.getDuration();
    }
    long left = deadlineNanos - System.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  /** Waits for {@code latch} at most {@code timeout}, and never past the deadline. */
  private boolean await(CountDownLatch latch, Duration timeout) {
    Duration bounded = remaining().compareTo(timeout) < 0 ? remaining() : timeout;
    try {
      return latch.await(bounded.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return latch.getCount() == 0;
    }
  }

  /** picocli converter for {@code --client}. */
  static final class ClientConverter implements CommandLine.ITypeConverter<Client> {
    @Override
    public Client convert(String value) {
      return Client.parse(value);
    }
  }

  /** picocli converter for durations: {@code 500ms}, {@code 20s}, {@code 2m}, ISO-8601. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Durations.parse(value);
    }
  }

  @Override
  public String toString() {
    return "sticky-check " + Objects.toString(client) + (hold == null ? " connections " + connections : " hold " + hold);
  }
}
