package io.stickyws.samples.check;

import io.stickyws.HandshakeException;
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
import io.stickyws.spi.Transport;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
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
 * with a verdict line or as JSON lines ({@code --json}). Exit code 0 when every cycle opened (with {@code --hold}: when
 * the connection is open at the end), 1 otherwise, 2 for bad arguments.
 *
 * <p>Not thread-safe: one run per instance.
 */
@Command(name = "sticky-check", mixinStandardHelpOptions = true, version = "sticky-check (stickyws 0.1.0)",
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Watches which backend a WebSocket client lands on across reconnects behind a sticky load "
        + "balancer: random backends mean the client is not resending the affinity cookie.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every connection opened (--hold: open at the end)", "1:a connection failed",
        "2:bad arguments"})
public final class StickyCheck implements Callable<Integer> {
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
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

  @Option(names = "--json", description = "one JSON object per line on stdout instead of the human table")
  private boolean json;

  private PrintStream out = System.out;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command line with {@code out} for the report and {@code err} for usage and errors.
   *
   * @return the exit code: 0, 1, or 2 for bad arguments
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    StickyCheck command = new StickyCheck();
    command.out = out;
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
    Tls tls = cacert == null ? Tls.defaults() : tlsFrom(cacert);
    Transport transport = client.transport(tls);
    if (noCookies) {
      transport = new NoCookieTransport(transport);
    }
    CookieJar cookies = noCookies ? CookieJar.NO_COOKIES : jar != null ? FileCookieJar.open(jar) : MemoryCookieJar.create();
    AffinityRules rules = affinityCookie == null ? AffinityRules.defaults()
        : AffinityRules.builder().cookie(affinityCookie).build();
    Report report = json ? Report.json(out) : Report.text(out);
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
        .cookieJar(cookies)
        .affinity(rules)
        .handshakeTimeout(HANDSHAKE_TIMEOUT)
        .closeTimeout(CLOSE_TIMEOUT);
    if (ping != null) {
      session.heartbeat(ping, PONG_TIMEOUT);
    }
    try {
      if (hold == null) {
        session.reconnectPolicy(ReconnectPolicy.builder().maxAttempts(1).build());
        try (StickySession s = session.build()) {
          return cycles(s, uri, report);
        }
      }
      session.reconnectPolicy(ReconnectPolicy.builder()
          .initialDelay(Duration.ofMillis(250)).maxDelay(Duration.ofSeconds(5)).build());
      try (StickySession s = session.build()) {
        return hold(s, uri, report, timer);
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

  private int cycles(StickySession session, URI uri, Report report) {
    List<Cycle> results = new ArrayList<>();
    AffinityToken last = null;
    for (int n = 1; n <= connections; n++) {
      CycleListener listener = new CycleListener();
      long start = System.nanoTime();
      StickyWebSocket webSocket = session.connect(uri, listener);
      boolean settled = await(listener.settled, HANDSHAKE_TIMEOUT.plusSeconds(5));
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
      Cycle cycle = new Cycle(n, client.cliName(), listener.opened, listener.opened ? Integer.valueOf(101)
          : listener.status, firstMessage, Affinity.of(token), same, Report.millis(end - start),
          listener.opened ? null : settled ? listener.failure : "no answer within " + HANDSHAKE_TIMEOUT.toSeconds() + "s");
      results.add(cycle);
      report.connection(cycle);
    }
    Set<String> messages = new HashSet<>();
    Set<String> fingerprints = new HashSet<>();
    int opened = 0;
    for (Cycle cycle : results) {
      if (cycle.opened()) {
        opened++;
      }
      if (cycle.firstMessage() != null) {
        messages.add(cycle.firstMessage());
      }
      if (cycle.affinity() != null) {
        fingerprints.add(cycle.affinity().fingerprint());
      }
    }
    Summary summary = new Summary(results.size(), opened, messages.size(), fingerprints.size());
    report.summary(summary, verdict(summary, noCookies, "connections"));
    return opened == results.size() ? 0 : 1;
  }

  /** One connect/close cycle: settles on open or on giving up (one attempt only). */
  private static final class CycleListener implements StickyWebSocketListener {
    final CountDownLatch settled = new CountDownLatch(1);
    final CountDownLatch firstText = new CountDownLatch(1);
    final CountDownLatch terminal = new CountDownLatch(1);
    volatile boolean opened;
    volatile long openNanos;
    volatile long failNanos;
    volatile AffinityToken token;
    volatile String firstMessage;
    volatile Integer status;
    volatile String failure;

    @Override
    public void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity, SameBackend sameBackend) {
      openNanos = System.nanoTime();
      token = affinity;
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
        status = cause instanceof HandshakeException ? Integer.valueOf(((HandshakeException) cause).status()) : null;
        failure = describe(code, reason, cause);
      }
    }

    @Override
    public void onGaveUp(StickyWebSocket webSocket, Throwable cause, int attempts, Duration elapsed) {
      if (failure == null) {
        failNanos = System.nanoTime();
        failure = describe(1006, "", cause);
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

  private int hold(StickySession session, URI uri, Report report, ScheduledExecutorService timer) {
    HoldListener listener = new HoldListener(report, timer, waitFirst);
    StickyWebSocket webSocket = session.connect(uri, listener);
    boolean ended = await(listener.terminal, hold);
    boolean openAtEnd = !ended && webSocket.state() == StickyWebSocket.State.OPEN;
    webSocket.close();
    await(listener.terminal, CLOSE_TIMEOUT.plusSeconds(3));
    listener.flushPending();
    Summary summary = listener.summary();
    report.summary(summary, verdict(summary, noCookies, "opens")
        + (openAtEnd ? "" : " (the connection was not open at the end)"));
    return openAtEnd ? 0 : 1;
  }

  /**
   * Reports every event of the held connection. The open line carries the first message, so it waits (at most
   * {@code --wait}) for it; events that arrive meanwhile are written after it, in order.
   */
  private static final class HoldListener implements StickyWebSocketListener {
    private final Report report;
    private final ScheduledExecutorService timer;
    private final Duration waitFirst;
    final CountDownLatch terminal = new CountDownLatch(1);
    private final Object lock = new Object();
    private final List<Runnable> backlog = new ArrayList<>();
    private final Set<String> messages = new HashSet<>();
    private final Set<String> fingerprints = new HashSet<>();
    private PendingOpen pending;
    private ScheduledFuture<?> pendingTimeout;
    private boolean connected;
    private int attempts;
    private int opens;

    HoldListener(Report report, ScheduledExecutorService timer, Duration waitFirst) {
      this.report = report;
      this.timer = timer;
      this.waitFirst = waitFirst;
    }

    private record PendingOpen(int n, int attempt, Affinity affinity, SameBackend sameBackend) {}

    @Override
    public void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity, SameBackend sameBackend) {
      synchronized (lock) {
        attempts++;
        opens++;
        connected = true;
        if (affinity != null) {
          fingerprints.add(affinity.fingerprint());
        }
        flushPendingLocked(null);
        pending = new PendingOpen(opens, attempt, Affinity.of(affinity), sameBackend);
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
          messages.add(text);
          flushPendingLocked(text);
        }
      }
    }

    @Override
    public void onDisconnected(StickyWebSocket webSocket, int code, String reason, Throwable cause, boolean willRetry,
        Duration nextDelay) {
      synchronized (lock) {
        if (!connected) {
          attempts++; // a failed handshake
        }
        connected = false;
        String shown = reason.isEmpty() && cause != null ? describe(code, reason, cause) : reason;
        emit(() -> report.disconnected(code, shown, willRetry, nextDelay));
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
        emit(() -> report.affinityChanged(Affinity.of(from), Affinity.of(to)));
      }
    }

    @Override
    public void onGaveUp(StickyWebSocket webSocket, Throwable cause, int attempts, Duration elapsed) {
      synchronized (lock) {
        flushPendingLocked(null);
        report.gaveUp(attempts, elapsed, describe(1006, "", cause));
      }
      terminal.countDown();
    }

    @Override
    public void onClosed(StickyWebSocket webSocket, int code, String reason) {
      synchronized (lock) {
        flushPendingLocked(null);
        report.closed(code, reason);
      }
      terminal.countDown();
    }

    void flushPending() {
      synchronized (lock) {
        flushPendingLocked(null);
      }
    }

    Summary summary() {
      synchronized (lock) {
        return new Summary(attempts, opens, messages.size(), fingerprints.size());
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
        report.open(open.n(), open.attempt(), firstMessage, open.affinity(), open.sameBackend());
      }
      backlog.forEach(Runnable::run);
      backlog.clear();
    }
  }

  // ------------------------------------------------------------------------------------------ shared

  /** The verdict line of a run. */
  static String verdict(Summary s, boolean noCookies, String unit) {
    if (s.opened() == 0) {
      return "NOT sticky: no connection opened (0/" + s.connections() + ")";
    }
    boolean byAffinity = s.distinctAffinities() > 0;
    int backends = byAffinity ? s.distinctAffinities() : s.distinctFirstMessages();
    String basis = byAffinity ? "" : s.distinctFirstMessages() == 0
        ? " (no affinity cookie recognized and no first message: cannot tell; try --affinity-cookie NAME)"
        : " (judged by first message: no affinity cookie recognized; try --affinity-cookie NAME)";
    if (backends <= 1) {
      return "sticky: " + s.opened() + "/" + s.connections() + " on one backend" + basis;
    }
    return "NOT sticky: " + backends + " backends in " + s.opened() + " " + unit
        + (noCookies ? ": --no-cookies sends no affinity cookie, as a plain client does"
            : ": your client is not resending the affinity cookie") + basis;
  }

  static String describe(int code, String reason, Throwable cause) {
    if (cause instanceof HandshakeException) {
      return "handshake answered " + ((HandshakeException) cause).status();
    }
    if (cause == null) {
      return reason == null || reason.isEmpty() ? "closed " + code : reason;
    }
    String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    String text = cause.getClass().getSimpleName() + message;
    return text.length() > 160 ? text.substring(0, 157) + "..." : text;
  }

  private static boolean await(CountDownLatch latch, Duration timeout) {
    try {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
