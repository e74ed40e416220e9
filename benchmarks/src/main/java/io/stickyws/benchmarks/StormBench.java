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
import io.stickyws.testkit.Rig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
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
 * {@code storm}: a fleet of clients behind a real HAProxy loses all three backends at once, stays
 * down until every client's backoff has reached the cap, and comes back. Reconnect attempts are
 * timed on the client side (the {@code onReconnecting} time plus its delay is when the attempt
 * starts) and counted in 100 ms windows from the restart over one cap period (or until the last
 * client is back, if later).
 *
 * <p>resilience4j's {@code ofExponentialRandomBackoff} cannot be expressed as a ReconnectPolicy, so
 * its fleet is a plain JDK WebSocket client per connection on the same shared HttpClient, whose
 * reconnect loop waits what resilience4j's own {@code IntervalFunction.ofExponentialRandomBackoff}
 * returns (default randomization factor 0.5, same initial delay, multiplier and cap) between
 * attempts.
 */
final class StormBench implements Bench {
  private static final long BIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  @Override
  public void run(Options o) throws Exception {
    int clients = Integer.parseInt(o.option("clients", String.valueOf(o.pick(1000, 100, 12))));
    Duration initial = Duration.ofMillis(o.pick(500, 100, 50));
    Duration cap = Duration.ofMillis(o.pick(10_000, 1_000, 300));
    String client = o.option("client", "jdk");
    List<String> jitters = o.mode == Options.Mode.SMOKE
        ? List.of("FULL", "resilience4j")
        : List.of(o.option("jitters", "FULL,DECORRELATED,EQUAL,NONE,resilience4j").split(","));
    Path dir = Files.createTempDirectory("stickyws-storm");
    try (Rig rig = Rig.in(dir)) {
      Backends backends = rig.backends(3);
      // no health checks: after the restart a backend is used at once; no Retry-After on 503,
      // which would otherwise override the backoff being measured
      Haproxy haproxy = rig.haproxy(backends, b -> b.healthChecks(false).retryAfterOn503(0));
      URI uri = haproxy.wsUri("/ws");
      HttpClient shared = HttpClient.newHttpClient();
      Transport transport = Clients.transport(client, null);
      for (String jitter : jitters) {
        Fleet fleet = jitter.equals("resilience4j")
            ? new Resilience4jFleet(shared, uri, clients, initial, cap)
            : new StickyFleet(transport, uri, clients, ReconnectPolicy.builder()
                .initialDelay(initial).multiplier(2.0).maxDelay(cap)
                .jitter(ReconnectPolicy.Jitter.valueOf(jitter))
                .unlimitedAttempts().noElapsedLimit().build());
        try {
          o.report(storm(o, jitter, fleet, backends, clients, initial, cap)
              .put("client", jitter.equals("resilience4j") ? "jdk-raw" : client));
        } finally {
          fleet.close();
        }
        awaitQuiet(backends);
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static Json storm(Options o, String jitter, Fleet fleet, Backends backends,
      int clients, Duration initial, Duration cap) throws Exception {
    o.progress("storm " + jitter + ": opening " + clients + " connections");
    fleet.openAll();
    await(() -> fleet.openCount() >= clients, Duration.ofSeconds(120),
        () -> "only " + fleet.openCount() + "/" + clients + " open");
    int capAttempt = 1;
    while (initial.toMillis() * Math.pow(2, capAttempt - 1) < cap.toMillis()) {
      capAttempt++;
    }
    int attemptAtCap = capAttempt;
    o.progress("storm " + jitter + ": all open; stopping the backends until every client reaches"
        + " attempt " + attemptAtCap + " (cap " + cap.toMillis() + " ms)");
    long down = System.nanoTime();
    fleet.markDown();
    backends.all().forEach(Backend::kill);
    await(() -> fleet.minAttempt() >= attemptAtCap, Duration.ofSeconds(cap.toSeconds() * 8 + 60),
        () -> "clients below attempt " + attemptAtCap + ": min " + fleet.minAttempt());
    // one more cap period: every client has waited at least one capped delay
    Thread.sleep(cap.toMillis());
    o.progress("storm " + jitter + ": restarting the backends after "
        + (System.nanoTime() - down) / 1_000_000 + " ms");
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (Backend b : backends.all()) {
      starts.add(CompletableFuture.runAsync(b::start));
    }
    CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    long restart = System.nanoTime();
    await(() -> fleet.openCount() >= clients, cap.multipliedBy(4).plusSeconds(60),
        () -> "only " + fleet.openCount() + "/" + clients + " reconnected");
    long allBack = fleet.lastOpen();
    double secondsToAll = Math.max(0, allBack - restart) / 1e9;
    long windowEnd = Math.max(restart + cap.toNanos(), allBack);
    int bins = (int) Math.max(1, (windowEnd - restart + BIN_NANOS - 1) / BIN_NANOS);
    int[] counts = new int[bins];
    int total = 0;
    for (long t : fleet.attempts()) {
      if (t >= restart && t < restart + (long) bins * BIN_NANOS) {
        counts[(int) ((t - restart) / BIN_NANOS)]++;
        total++;
      }
    }
    int peak = 0;
    for (int c : counts) {
      peak = Math.max(peak, c);
    }
    double mean = total / (double) bins;
    return Json.bench("storm").put("jitter", jitter).put("clients", clients)
        .put("peakToMeanRatio", mean == 0 ? Double.NaN : peak / mean)
        .put("secondsToAllReconnected", Stats.round(secondsToAll, 2))
        .put("attempts", fleet.attempts().size())
        .put("attemptsInWindow", total).put("windowSeconds", Stats.round(bins / 10.0, 1))
        .put("uniformPeakToMean", Stats.round(uniformPeakToMean(total, bins), 3))
        .put("peakPer100ms", peak).put("meanPer100ms", Stats.round(mean, 2))
        .put("initialDelayMillis", initial.toMillis()).put("capMillis", cap.toMillis())
        .put("secondsDown", Stats.round((restart - down) / 1e9, 1));
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
    final ConcurrentLinkedQueue<Long> attempts = new ConcurrentLinkedQueue<>();
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
        attempts.add(System.nanoTime() + delay.toNanos());
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

    List<Long> attempts() {
      return new ArrayList<>(attempts);
    }
  }

  /** StickyWebSockets in one session on one adapter (for the JDK: one shared HttpClient). */
  private static final class StickyFleet extends Fleet {
    private final StickySession session;
    private final URI uri;

    StickyFleet(Transport transport, URI uri, int size, ReconnectPolicy policy) {
      super(size);
      this.uri = uri;
      this.session = StickySession.builder(transport).reconnectPolicy(policy).noHeartbeat()
          .build();
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
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "storm-r4j-scheduler");
          t.setDaemon(true);
          return t;
        });
    private final List<WebSocket> sockets = new ArrayList<>();
    private volatile boolean closed;

    Resilience4jFleet(HttpClient client, URI uri, int size, Duration initial, Duration cap) {
      super(size);
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
      client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
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
