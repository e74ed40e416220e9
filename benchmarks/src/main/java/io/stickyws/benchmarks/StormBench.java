package io.stickyws.benchmarks;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.spi.Transport;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Ports;
import io.stickyws.testkit.Rig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code storm}: a fleet of clients behind a real HAProxy, and the busiest moment of its reconnect
 * attempts in three kinds of storm (field {@code scenario}):
 *
 * <ul>
 *   <li>{@code restart}: all three backends are killed, stay down until every client's backoff
 *       has reached the cap plus one more cap period, and come back at once;
 *   <li>{@code synchronized}: all backends are killed until every client retries at the cap; then
 *       HAProxy's servers point at a {@link Holder} that accepts every handshake and answers none,
 *       until it holds one pending handshake per client; then the servers point at the restarted
 *       backends again and the holder answers all handshakes with 503 at the same instant;
 *   <li>{@code retry-after}: every client open; HAProxy's servers point at a holder, the backends
 *       are killed and every client's first reconnect attempt is held; then the servers point at
 *       the restarted backends and the holder answers all handshakes at once with {@code 503} and
 *       {@code Retry-After: d} (4 s; 2 s with {@code --quick}; {@code --retry-after=SECONDS}).
 * </ul>
 *
 * <p>Reconnect attempts are timed on the client side (the {@code onReconnecting} time plus its
 * delay is when the attempt starts) and counted in 100 ms windows from the restart (or the 503s)
 * over one cap period, or until the last client is back if later. {@code peakToUniform} is the
 * busiest window over the mean window, divided by the median of the same ratio for the same number
 * of attempts thrown uniformly at random into the same windows (counting noise alone): 1.0 is a
 * perfectly spread fleet. {@code peakToUniformCoarse} is the same with windows of a tenth of the
 * cap, where counting noise hides less of the shape.
 *
 * <p>In {@code retry-after} the windows are those of the spread the policy promises, [d, 1.25 d)
 * after the 503s (100 ms windows, and five coarse ones), or up to the last attempt if later:
 * {@code peakToUniform} compares the fleet's return with a uniform spread over that quarter of d;
 * {@code retryAfterMinMs} and {@code retryAfterMaxMs} are the first and last attempt after the
 * 503s, in ms from them; {@code delayPeakToUniform} is the same measure of the delays alone, as if
 * every client had seen its 503 at the same instant (see {@link #retryAfterResult}).
 *
 * <p>resilience4j's {@code ofExponentialRandomBackoff} cannot be expressed as a ReconnectPolicy, so
 * its fleet is a plain JDK WebSocket client per connection on the same shared HttpClient, whose
 * reconnect loop waits what resilience4j's own {@code IntervalFunction.ofExponentialRandomBackoff}
 * returns (default randomization factor 0.5, same initial delay, multiplier and cap) between
 * attempts. It runs once per scenario ({@code client} {@code jdk-raw}), not once per adapter,
 * and not in {@code retry-after}: that loop does not read {@code Retry-After}.
 */
final class StormBench implements Bench {
  private static final long BIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final String RESILIENCE4J = "resilience4j";
  static final String RESTART = "restart";
  static final String SYNCHRONIZED = "synchronized";
  static final String RETRY_AFTER = "retry-after";
  /** A Retry-After of d is waited in [d, d + d * SPREAD), as ReconnectPolicy documents. */
  private static final double SPREAD = 0.25;
  private static final List<String> SCENARIOS = List.of(RESTART, SYNCHRONIZED, RETRY_AFTER);

  @Override
  public List<String> options() {
    return List.of(
        "--scenarios=" + String.join(",", SCENARIOS) + "  the storms to run (default: all three)",
        "--client=okhttp,jdk,java-websocket  adapters (default: all three; jdk with --quick)",
        "--jitters=FULL,EQUAL,DECORRELATED,NONE," + ReconnectPolicy.defaults().jitter().name()
            + "," + RESILIENCE4J + "  fleets (default: these; resilience4j not in retry-after)",
        "--clients=N  clients per fleet (default 1000; 100 with --quick)",
        "--retry-after=SECONDS  the Retry-After of the retry-after storm (default 4; 2 with"
            + " --quick)");
  }

  @Override
  public void run(Options o) throws Exception {
    int clients = Integer.parseInt(o.option("clients", String.valueOf(o.pick(1000, 100, 12))));
    Duration initial = Duration.ofMillis(o.pick(500, 100, 50));
    Duration cap = Duration.ofMillis(o.pick(10_000, 1_000, 300));
    String defaultJitter = ReconnectPolicy.defaults().jitter().name();
    List<String> adapters = List.of(o.option("client",
        o.mode == Options.Mode.FULL ? String.join(",", Clients.ADAPTERS) : "jdk").split(","));
    // the default jitter once, whichever it is
    List<String> jitters = List.copyOf(new java.util.LinkedHashSet<>(List.of(o.option("jitters",
        o.mode == Options.Mode.SMOKE ? defaultJitter + "," + RESILIENCE4J
            : "FULL,EQUAL,DECORRELATED,NONE," + defaultJitter + "," + RESILIENCE4J).split(","))));
    List<String> scenarios = List.of(o.option("scenarios", String.join(",", SCENARIOS)).split(","));
    for (String scenario : scenarios) {
      if (!SCENARIOS.contains(scenario)) {
        throw new IllegalArgumentException("scenarios (" + scenario + ") must be one or more of "
            + String.join(",", SCENARIOS));
      }
    }
    String retryAfterOption = o.option("retry-after", String.valueOf(o.pick(4, 2, 2)));
    Duration retryAfter;
    try {
      retryAfter = Duration.ofSeconds(Integer.parseInt(retryAfterOption));
    } catch (NumberFormatException e) {
      retryAfter = Duration.ZERO;
    }
    if (retryAfter.isZero() || retryAfter.isNegative()) {
      throw new IllegalArgumentException("retry-after (" + retryAfterOption
          + ") must be a whole number of seconds >= 1");
    }
    Path dir = Files.createTempDirectory("stickyws-storm");
    try (Rig rig = Rig.in(dir)) {
      Backends backends = rig.backends(3);
      // no health checks: after the restart a backend is used at once; no Retry-After on 503,
      // which would otherwise override the backoff being measured
      Haproxy haproxy = rig.haproxy(backends, b -> b.healthChecks(false).retryAfterOn503(0));
      Lab lab = rig.manage(new Lab(o, backends, haproxy, clients, initial, cap, retryAfter));
      HttpClient shared = HttpClient.newHttpClient();
      for (String scenario : scenarios) {
        for (String adapter : adapters) {
          Transport transport = Clients.transport(adapter, null);
          for (String jitter : jitters) {
            if (!jitter.equals(RESILIENCE4J)) {
              lab.measure(scenario, jitter, adapter, jitter.equals(defaultJitter),
                  () -> new StickyFleet(transport, lab.uri, clients, lab.policy(jitter),
                      cap.multipliedBy(3).plusSeconds(30)));
            }
          }
        }
        if (jitters.contains(RESILIENCE4J) && !scenario.equals(RETRY_AFTER)) {
          lab.measure(scenario, RESILIENCE4J, "jdk-raw", false,
              () -> new Resilience4jFleet(shared, lab.uri, clients, initial, cap,
                  cap.multipliedBy(3).plusSeconds(30)));
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** The balancer lab and the storm parameters, shared by every fleet of one run. */
  private static final class Lab implements AutoCloseable {
    final Options o;
    final Backends backends;
    final Haproxy haproxy;
    final URI uri;
    final int clients;
    final Duration initial;
    final Duration cap;
    final int attemptAtCap;
    final Duration retryAfter;
    /** A bound, never listening socket: connections to its port are refused. */
    final java.nio.channels.SocketChannel refuser;

    Lab(Options o, Backends backends, Haproxy haproxy, int clients, Duration initial,
        Duration cap, Duration retryAfter) {
      this.o = o;
      this.retryAfter = retryAfter;
      this.backends = backends;
      this.haproxy = haproxy;
      this.uri = haproxy.wsUri("/ws");
      this.clients = clients;
      this.initial = initial;
      this.cap = cap;
      int attempt = 1;
      while (initial.toMillis() * Math.pow(2, attempt - 1) < cap.toMillis()) {
        attempt++;
      }
      this.attemptAtCap = attempt;
      try {
        this.refuser = java.nio.channels.SocketChannel.open()
            .bind(new java.net.InetSocketAddress(Ports.HOST, 0));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    int refuserPort() throws java.io.IOException {
      return ((java.net.InetSocketAddress) refuser.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws java.io.IOException {
      refuser.close();
    }

    ReconnectPolicy policy(String jitter) {
      // the default policy but for the initial delay (the same in a full run) and the cap
      return ReconnectPolicy.defaults().newBuilder().initialDelay(initial).multiplier(2.0)
          .maxDelay(cap).jitter(ReconnectPolicy.Jitter.valueOf(jitter)).unlimitedAttempts()
          .noElapsedLimit().build();
    }

    void measure(String scenario, String jitter, String client, boolean isDefault,
        java.util.concurrent.Callable<Fleet> fleets) throws Exception {
      Fleet fleet = fleets.call();
      try {
        String label = scenario + " " + client + " " + jitter;
        o.progress(label + ": opening " + clients + " connections");
        fleet.openAll();
        await(() -> fleet.openCount() >= clients, Duration.ofSeconds(120),
            () -> "only " + fleet.openCount() + "/" + clients + " open");
        long down = System.nanoTime();
        long start = scenario.equals(RETRY_AFTER) ? retryAfter(label, fleet) : atTheCap(label,
            fleet, down, scenario);
        await(() -> fleet.openCount() >= clients, cap.multipliedBy(4).plusSeconds(60),
            () -> "only " + fleet.openCount() + "/" + clients + " reconnected");
        Json row = Json.bench("storm").put("scenario", scenario).put("client", client)
            .put("jitter", jitter).put("isDefault", isDefault).put("clients", clients);
        (scenario.equals(RETRY_AFTER)
            ? retryAfterResult(fleet.scheduled(), start, fleet.lastOpen(), retryAfter)
            : result(fleet.attempts(), start, fleet.lastOpen(), cap)).fields().forEach(row::put);
        o.report(row.put("attempts", fleet.attempts().size())
            .put("secondsDown", Stats.round((start - down) / 1e9, 1))
            .put("initialDelayMillis", initial.toMillis()).put("capMillis", cap.toMillis()));
      } finally {
        fleet.close();
      }
      awaitQuiet(backends);
    }

    /**
     * {@code restart} and {@code synchronized}: the backends down until every client retries at
     * the cap, then the scenario's storm; returns its start.
     */
    private long atTheCap(String label, Fleet fleet, long down, String scenario) throws Exception {
      o.progress(label + ": all open; stopping the backends until every client reaches attempt "
          + attemptAtCap + " (cap " + cap.toMillis() + " ms)");
      fleet.markDown();
      backends.all().forEach(Backend::kill);
      // the servers point at a refusing port while the backends start again unseen, so that
      // they come back at one instant (when the servers point at them again), not one by one;
      // they start 5 s later, when HAProxy no longer retries a connection begun before the
      // switch on the old port (a retry keeps its address: it would reach a restarted backend)
      route(refuserPort());
      CompletableFuture<Void> started = CompletableFuture.runAsync(() -> { },
          CompletableFuture.delayedExecutor(5, TimeUnit.SECONDS)).thenCompose(x -> startBackends());
      await(() -> fleet.minAttempt() >= attemptAtCap,
          Duration.ofSeconds(cap.toSeconds() * 8 + 60),
          () -> "clients below attempt " + attemptAtCap + ": min " + fleet.minAttempt()
              + ", still open " + fleet.openCount() + ", backends " + backends.all());
      return scenario.equals(RESTART)
          ? restart(label, down, started) : synchronize(label, started);
    }

    /**
     * {@code retry-after}: HAProxy's servers point at a holder, then the backends die, so that
     * every client's first reconnect attempt is held; once the holder holds one per client, the
     * servers point at the restarted backends and the holder answers every handshake with 503 and
     * {@code Retry-After} at the same instant: returns the time of the 503s.
     */
    private long retryAfter(String label, Fleet fleet) throws Exception {
      try (Holder holder = new Holder(retryAfter)) {
        // switched before the kill: no connection to a backend's port can be pending or retried,
        // so the backends may start again at once, unseen until the servers point at them
        route(holder.port());
        o.progress(label + ": all open; backends killed, holding every first reconnect attempt");
        fleet.markDown();
        backends.all().forEach(Backend::kill);
        return release(label, holder, startBackends());
      }
    }

    /** One more cap period down, then all backends back: returns the restart time. */
    private long restart(String label, long down, CompletableFuture<Void> started)
        throws Exception {
      // one more cap period: every client has waited at least one capped delay
      Thread.sleep(cap.toMillis());
      started.get(120, TimeUnit.SECONDS);
      o.progress(label + ": backends back after " + (System.nanoTime() - down) / 1_000_000
          + " ms");
      long at = System.nanoTime();
      routeToBackends();
      return at;
    }

    /**
     * Points HAProxy's servers at a holder until it holds one handshake per client, then back at
     * the (restarted) backends, and fails every held handshake with 503 at once: returns the time
     * of the 503s.
     */
    private long synchronize(String label, CompletableFuture<Void> started) throws Exception {
      try (Holder holder = new Holder(null)) {
        route(holder.port());
        o.progress(label + ": every client at the cap; holding handshakes");
        return release(label, holder, started);
      }
    }

    /**
     * Once the holder holds one handshake per client and the backends have started, points
     * HAProxy's servers at them and answers every held handshake at once: returns that time.
     */
    private long release(String label, Holder holder, CompletableFuture<Void> started)
        throws Exception {
      await(() -> holder.held() >= clients, cap.multipliedBy(3).plusSeconds(60),
          () -> "held " + holder.held() + "/" + clients + " handshakes");
      started.get(120, TimeUnit.SECONDS);
      routeToBackends();
      long at = System.nanoTime();
      int answered = holder.answerAll503();
      o.progress(label + ": answered " + answered + " held handshakes with " + holder.answer
          + " in " + (System.nanoTime() - at) / 1_000_000 + " ms");
      return at;
    }

    private void routeToBackends() {
      for (Backend b : backends.all()) {
        route(b.id(), b.port());
      }
    }

    private void route(int port) {
      for (Backend b : backends.all()) {
        route(b.id(), port);
      }
    }

    private void route(String server, int port) {
      String command = "set server " + Haproxy.BACKEND + "/" + server + " addr "
          + Ports.HOST + " port " + port;
      String answer = haproxy.admin().command(command);
      if (!answer.contains("changed") && !answer.contains("no need to change")) {
        throw new IllegalStateException("HAProxy refused '" + command + "': " + answer.trim());
      }
    }

    private CompletableFuture<Void> startBackends() {
      List<CompletableFuture<Void>> starts = new ArrayList<>();
      for (Backend b : backends.all()) {
        starts.add(CompletableFuture.runAsync(b::start));
      }
      return CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0]));
    }
  }

  /**
   * The row of one storm: attempts at or after {@code start}, in 100 ms windows up to one cap
   * period or the last open (whichever is later), and in windows of a tenth of the cap.
   */
  static Json result(List<Long> attempts, long start, long allBack, Duration cap) {
    long windowEnd = Math.max(start + cap.toNanos(), allBack);
    Windows fine = new Windows(attempts, start, windowEnd, BIN_NANOS);
    Windows coarse = new Windows(attempts, start, windowEnd, cap.toNanos() / 10);
    return row(fine, coarse, start, allBack);
  }

  /**
   * The row of one {@code retry-after} storm, the 503s at {@code at}, from each attempt's
   * {@code {time the client scheduled it, its delay}}: attempts in 100 ms windows (and in windows
   * of a fifth of the spread) over [d, 1.25 d) after the 503s, the spread the policy promises, or
   * up to the last attempt if later. {@code retryAfterMinMs} and {@code retryAfterMaxMs} are the
   * first and last attempt after the 503s, {@code attemptsBeforeRetryAfter} those before d (none
   * if every client honoured it) and {@code attemptsAfterSpread} those after 1.25 d. The same
   * fleet as if every client had seen its 503 at the same instant (the delays alone, without the
   * time this one process took to hand 1000 responses to 1000 clients, {@code noticedWithinMs}):
   * {@code delayPeakToUniform}, {@code delayMinMs}, {@code delayMaxMs}.
   */
  static Json retryAfterResult(List<long[]> scheduled, long at, long allBack,
      Duration retryAfter) {
    List<Long> attempts = new ArrayList<>();
    List<Long> delays = new ArrayList<>();
    long noticed = at;
    for (long[] s : scheduled) {
      if (s[0] >= at) {
        attempts.add(s[0] + s[1]);
        delays.add(at + s[1]);
        noticed = Math.max(noticed, s[0]);
      }
    }
    if (attempts.isEmpty()) {
      throw new IllegalStateException("no reconnect attempt after the 503s");
    }
    long from = at + retryAfter.toNanos();
    long spread = (long) (retryAfter.toNanos() * SPREAD);
    Spread arrivals = new Spread(attempts, at, from, spread);
    Spread waits = new Spread(delays, at, from, spread);
    return row(arrivals.fine, arrivals.coarse, at, allBack)
        .put("retryAfterSeconds", retryAfter.toSeconds())
        .put("retryAfterMinMs", arrivals.firstMillis)
        .put("retryAfterMaxMs", arrivals.lastMillis)
        .put("attemptsAfter503", attempts.size())
        .put("attemptsBeforeRetryAfter", arrivals.early)
        .put("attemptsAfterSpread", arrivals.late)
        .put("noticedWithinMs", (noticed - at) / 1_000_000)
        .put("delayPeakToUniform", Stats.round(waits.fine.peakToUniform(), 3))
        .put("delayMinMs", waits.firstMillis)
        .put("delayMaxMs", waits.lastMillis);
  }

  /** Times after a Retry-After's 503s at {@code at}, against its spread [from, from + spread). */
  private static final class Spread {
    final Windows fine;
    final Windows coarse;
    final long firstMillis;
    final long lastMillis;
    final int early;
    final int late;

    Spread(List<Long> times, long at, long from, long spread) {
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      int before = 0;
      int after = 0;
      for (long t : times) {
        first = Math.min(first, t);
        last = Math.max(last, t);
        before += t < from ? 1 : 0;
        after += t >= from + spread ? 1 : 0;
      }
      long end = Math.max(from + spread, last + 1);
      this.fine = new Windows(times, from, end, BIN_NANOS);
      this.coarse = new Windows(times, from, end, spread / 5);
      this.firstMillis = (first - at) / 1_000_000;
      this.lastMillis = (last - at) / 1_000_000;
      this.early = before;
      this.late = after;
    }
  }

  private static Json row(Windows fine, Windows coarse, long start, long allBack) {
    return Json.bench("storm")
        .put("peakToMeanRatio", fine.peakToMean())
        .put("peakToUniform", Stats.round(fine.peakToUniform(), 3))
        .put("uniformPeakToMean", Stats.round(fine.uniform(), 3))
        .put("peakToUniformCoarse", Stats.round(coarse.peakToUniform(), 3))
        .put("coarseWindowMillis", coarse.width / 1_000_000)
        .put("secondsToAllReconnected", Stats.round(Math.max(0, allBack - start) / 1e9, 2))
        .put("attemptsInWindow", fine.total).put("windowSeconds", Stats.round(fine.seconds(), 1))
        .put("peakPer100ms", fine.peak).put("meanPer100ms", Stats.round(fine.mean(), 2));
  }

  /** Attempt counts in equal windows from a start time. */
  static final class Windows {
    final long width;
    final int[] counts;
    final int total;
    final int peak;

    Windows(List<Long> attempts, long start, long end, long width) {
      this.width = width;
      int bins = (int) Math.max(1, (end - start + width - 1) / width);
      this.counts = new int[bins];
      int inside = 0;
      for (long t : attempts) {
        if (t >= start && t < start + bins * width) {
          counts[(int) ((t - start) / width)]++;
          inside++;
        }
      }
      this.total = inside;
      int max = 0;
      for (int c : counts) {
        max = Math.max(max, c);
      }
      this.peak = max;
    }

    double mean() {
      return total / (double) counts.length;
    }

    double seconds() {
      return counts.length * width / 1e9;
    }

    double peakToMean() {
      return total == 0 ? Double.NaN : peak / mean();
    }

    double uniform() {
      return uniformPeakToMean(total, counts.length);
    }

    double peakToUniform() {
      return peakToMean() / uniform();
    }
  }

  /**
   * The median peak-to-mean ratio of {@code total} arrivals thrown uniformly at random into
   * {@code bins} windows (200 draws, fixed seed): the floor a perfectly spread fleet of this size
   * would show, given counting noise alone.
   */
  static double uniformPeakToMean(int total, int bins) {
    if (total == 0) {
      return Double.NaN;
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(42);
    double[] ratios = new double[200];
    for (int d = 0; d < ratios.length; d++) {
      int[] counts = new int[bins];
      int peak = 0;
      for (int i = 0; i < total; i++) {
        peak = Math.max(peak, ++counts[random.nextInt(bins)]);
      }
      ratios[d] = peak / (total / (double) bins);
    }
    return Stats.median(ratios);
  }

  /** Clients and their recorded attempt times. */
  private abstract static class Fleet implements AutoCloseable {
    final int size;
    final AtomicInteger opened = new AtomicInteger();
    final AtomicIntegerArray attemptNo;
    final AtomicLongArray openedAt;
    /** Per attempt: when it was scheduled and its delay, in nanoseconds. */
    final ConcurrentLinkedQueue<long[]> scheduled = new ConcurrentLinkedQueue<>();
    volatile boolean down;

    Fleet(int size) {
      this.size = size;
      this.attemptNo = new AtomicIntegerArray(size);
      this.openedAt = new AtomicLongArray(size);
    }

    abstract void openAll() throws Exception;

    void markDown() {
      down = true;
    }

    void onOpen(int i) {
      attemptNo.set(i, 0);
      openedAt.set(i, System.nanoTime());
      opened.incrementAndGet();
    }

    void onDisconnected() {
      opened.decrementAndGet();
    }

    void onAttemptScheduled(int i, int attempt, Duration delay) {
      attemptNo.set(i, attempt);
      if (down) {
        scheduled.add(new long[] {System.nanoTime(), delay.toNanos()});
      }
    }

    int openCount() {
      return opened.get();
    }

    int minAttempt() {
      int min = Integer.MAX_VALUE;
      for (int i = 0; i < size; i++) {
        min = Math.min(min, attemptNo.get(i));
      }
      return min;
    }

    long lastOpen() {
      long max = 0;
      for (int i = 0; i < size; i++) {
        max = Math.max(max, openedAt.get(i));
      }
      return max;
    }

    /** When each attempt starts: the time it was scheduled plus its delay. */
    List<Long> attempts() {
      List<Long> attempts = new ArrayList<>();
      for (long[] s : scheduled) {
        attempts.add(s[0] + s[1]);
      }
      return attempts;
    }

    List<long[]> scheduled() {
      return new ArrayList<>(scheduled);
    }
  }

  /** StickyWebSockets in one session on one adapter (for the JDK: one shared HttpClient). */
  private static final class StickyFleet extends Fleet {
    private final StickySession session;
    private final URI uri;

    StickyFleet(Transport transport, URI uri, int size, ReconnectPolicy policy,
        Duration handshakeTimeout) {
      super(size);
      this.uri = uri;
      // the handshake timeout outlasts the synchronized scenario's hold (HAProxy's own server
      // timeout, 30 s, is the binding one)
      this.session = StickySession.builder(transport).reconnectPolicy(policy).noHeartbeat()
          .handshakeTimeout(handshakeTimeout).build();
    }

    @Override
    void openAll() {
      for (int i = 0; i < size; i++) {
        int index = i;
        session.connect(uri, new StickyWebSocketListener() {
          private volatile boolean isOpen;

          @Override
          public void onOpen(StickyWebSocket ws, int attempt, AffinityToken a, SameBackend s) {
            isOpen = true;
            Fleet f = StickyFleet.this;
            f.onOpen(index);
          }

          @Override
          public void onDisconnected(StickyWebSocket ws, int code, String reason, Throwable cause,
              boolean willRetry, Duration nextDelay) {
            if (isOpen) {
              isOpen = false;
              StickyFleet.this.onDisconnected();
            }
          }

          @Override
          public void onReconnecting(StickyWebSocket ws, int attempt, Duration delay) {
            onAttemptScheduled(index, attempt, delay);
          }
        });
      }
    }

    @Override
    public void close() {
      session.close();
    }
  }

  /** Raw JDK WebSockets whose reconnect loop uses resilience4j's exponential random backoff. */
  private static final class Resilience4jFleet extends Fleet {
    private final HttpClient client;
    private final URI uri;
    private final Duration initial;
    private final Duration cap;
    private final Duration handshakeTimeout;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "storm-r4j-scheduler");
          t.setDaemon(true);
          return t;
        });
    private final List<WebSocket> sockets = new ArrayList<>();
    private volatile boolean closed;

    Resilience4jFleet(HttpClient client, URI uri, int size, Duration initial, Duration cap,
        Duration handshakeTimeout) {
      super(size);
      this.handshakeTimeout = handshakeTimeout;
      this.client = client;
      this.uri = uri;
      this.initial = initial;
      this.cap = cap;
    }

    @Override
    void openAll() {
      for (int i = 0; i < size; i++) {
        connect(i, 0);
      }
    }

    private void connect(int index, int failedAttempts) {
      if (closed) {
        return;
      }
      boolean[] isOpen = {false};
      // bounded like the sticky fleets' handshakes: a handshake lost in a route switch retries
      client.newWebSocketBuilder().connectTimeout(handshakeTimeout)
          .buildAsync(uri, new WebSocket.Listener() {
        @Override
        public void onOpen(WebSocket ws) {
          synchronized (sockets) {
            sockets.add(ws);
          }
          isOpen[0] = true;
          Resilience4jFleet.this.onOpen(index);
          ws.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
          lost(ws);
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          lost(ws);
        }

        private void lost(WebSocket ws) {
          synchronized (sockets) {
            sockets.remove(ws);
          }
          if (isOpen[0]) {
            isOpen[0] = false;
            onDisconnected();
            retry(index, 1);
          }
        }
      }).whenComplete((ws, error) -> {
        if (error != null) {
          retry(index, failedAttempts + 1);
        }
      });
    }

    /**
     * Pings every socket still open once a second while the backends are down: a connection whose
     * end did not reach the JDK's reader (seen once in many runs) fails on the write instead of
     * keeping the fleet below the cap.
     */
    @Override
    void markDown() {
      super.markDown();
      scheduler.scheduleWithFixedDelay(() -> {
        List<WebSocket> open;
        synchronized (sockets) {
          open = new ArrayList<>(sockets);
        }
        for (WebSocket ws : open) {
          try {
            ws.sendPing(ByteBuffer.allocate(0));
          } catch (RuntimeException e) {
            // a ping still pending, or the socket already closing: the next round tries again
          }
        }
      }, 1, 1, TimeUnit.SECONDS);
    }

    private void retry(int index, int attempt) {
      if (closed) {
        return;
      }
      Duration delay = Duration.ofMillis(
          IntervalFunction.ofExponentialRandomBackoff(initial, 2.0, 0.5, cap).apply(attempt));
      onAttemptScheduled(index, attempt, delay);
      scheduler.schedule(() -> connect(index, attempt), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      closed = true;
      scheduler.shutdownNow();
      List<WebSocket> copy;
      synchronized (sockets) {
        copy = new ArrayList<>(sockets);
      }
      for (WebSocket ws : copy) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
      }
    }
  }

  /**
   * A listener that accepts connections and answers nothing until {@link #answerAll503()}, which
   * answers every held request with {@code 503} (with a {@code Retry-After} if given) and closes
   * it.
   *
   * <p>Thread-safe.
   */
  static final class Holder implements AutoCloseable {
    /** What it answers, for progress lines: 503, with its Retry-After if any. */
    final String answer;
    private final byte[] response;
    private final java.nio.channels.ServerSocketChannel server;
    private final ConcurrentLinkedQueue<java.nio.channels.SocketChannel> held =
        new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Thread acceptor;

    /** @param retryAfter the {@code Retry-After} of every 503 (whole seconds), or null for none */
    Holder(Duration retryAfter) throws java.io.IOException {
      answer = retryAfter == null ? "503" : "503 and Retry-After: " + retryAfter.toSeconds();
      response = ("HTTP/1.1 503 Service Unavailable\r\n"
          + (retryAfter == null ? "" : "Retry-After: " + retryAfter.toSeconds() + "\r\n")
          + "Content-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      server = java.nio.channels.ServerSocketChannel.open();
      server.bind(new java.net.InetSocketAddress(Ports.HOST, 0), 4096);
      acceptor = new Thread(this::acceptLoop, "storm-holder");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.socket().getLocalPort();
    }

    /** Connections accepted and not answered yet. */
    int held() {
      return count.get();
    }

    private void acceptLoop() {
      try {
        while (true) {
          held.add(server.accept());
          count.incrementAndGet();
        }
      } catch (java.io.IOException closed) {
        // close() or answerAll503(): stop accepting
      }
    }

    /** Stops accepting, answers every held connection with 503 and closes it; returns how many. */
    int answerAll503() throws java.io.IOException {
      server.close();
      int answered = 0;
      java.nio.ByteBuffer drain = java.nio.ByteBuffer.allocate(16 * 1024);
      for (java.nio.channels.SocketChannel c; (c = held.poll()) != null; ) {
        try (java.nio.channels.SocketChannel channel = c) {
          // read the request first: closing with unread input would reset the connection
          channel.configureBlocking(false);
          while (channel.read(drain.clear()) > 0) {
            // discard
          }
          channel.configureBlocking(true);
          channel.write(java.nio.ByteBuffer.wrap(response));
          channel.shutdownOutput();
          answered++;
        } catch (java.io.IOException gone) {
          // the balancer dropped this one already
        }
        count.decrementAndGet();
      }
      return answered;
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
      for (java.nio.channels.SocketChannel c; (c = held.poll()) != null; ) {
        c.close();
      }
      try {
        acceptor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void awaitQuiet(Backends backends) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      int open = 0;
      for (Backend b : backends.all()) {
        open += b.openWebSockets();
      }
      if (open == 0) {
        return;
      }
      Thread.sleep(100);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(Check check, Duration timeout, java.util.function.Supplier<String> why)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + ": " + why.get());
      }
      Thread.sleep(20);
    }
  }

  static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // best effort
    }
  }
}
