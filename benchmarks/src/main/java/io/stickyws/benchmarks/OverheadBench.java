package io.stickyws.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stickyws.ReconnectPolicy;
import io.stickyws.micrometer.StickyWebSocketMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code overhead}: message throughput with a send window and round-trip latency, through
 * StickyWebSocket versus the raw library, per adapter and payload, against one in-process echo
 * server; and the same through a session with the Micrometer binder registered (on a
 * {@link SimpleMeterRegistry}). Raw, sticky and sticky-with-metrics rounds alternate so all three
 * see the same machine noise.
 */
final class OverheadBench implements Bench {
  private static final int WINDOW = 64;

  @Override
  public void run(Options o) throws Exception {
    int rounds = o.pick(5, 2, 1);
    try (EchoServer server = EchoServer.start()) {
      for (String adapter : Clients.ADAPTERS) {
        for (int payload : new int[] {64, 16 * 1024}) {
          int messages = payload == 64 ? o.pick(40_000, 8_000, 500) : o.pick(6_000, 1_500, 100);
          int pings = payload == 64 ? o.pick(4_000, 800, 50) : o.pick(1_500, 300, 30);
          String message = "x".repeat(payload);
          Side raw = new Side();
          Side sticky = new Side();
          Side metered = new Side();
          ReconnectPolicy policy = Clients.immediate(Duration.ofMillis(1));
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          try (Clients.Factory rawF = Clients.raw(adapter, null);
              Clients.Factory stickyF = Clients.sticky(adapter, null, policy);
              Clients.Factory meteredF = Clients.sticky(adapter, null, policy,
                  StickyWebSocketMetrics.of(registry))) {
            // warm-up: one unrecorded round of each
            measure(rawF, server, message, messages / 2, pings / 2, new Side());
            measure(stickyF, server, message, messages / 2, pings / 2, new Side());
            measure(meteredF, server, message, messages / 2, pings / 2, new Side());
            for (int r = 0; r < rounds; r++) {
              measure(rawF, server, message, messages, pings, raw);
              measure(stickyF, server, message, messages, pings, sticky);
              measure(meteredF, server, message, messages, pings, metered);
            }
          }
          double opens = registry.find(StickyWebSocketMetrics.AFFINITY_OPENS).counters().stream()
              .mapToDouble(Counter::count).sum();
          if (opens < rounds + 1) {
            throw new IllegalStateException("the Micrometer binder counted " + opens
                + " opens of " + (rounds + 1) + " connections");
          }
          // what the binder recorded over every message of every round: per connection, not per message
          long meterUpdates = Math.round(registry.getMeters().stream().mapToDouble(m ->
              m instanceof Counter ? ((Counter) m).count() : m instanceof Timer ? ((Timer) m).count() : 0)
              .sum());
          o.progress("overhead " + adapter + " " + payload + " B, the binder recorded: "
              + registry.getMeters().stream().filter(m -> !(m instanceof Gauge))
                  .map(m -> m.getId().getName() + m.getId().getTags().stream()
                      .filter(t -> !t.getKey().startsWith("server."))
                      .map(t -> t.getKey() + "=" + t.getValue()).toList() + " "
                      + Math.round(m instanceof Counter ? ((Counter) m).count() : ((Timer) m).count()))
                  .sorted().toList());
          double rawRate = Stats.median(raw.rates());
          double stickyRate = Stats.median(sticky.rates());
          double meteredRate = Stats.median(metered.rates());
          double[] meteredRtt = metered.rtts();
          double[] rawRtt = raw.rtts();
          double[] stickyRtt = sticky.rtts();
          double rawP50 = Stats.quantile(rawRtt, 0.5);
          double stickyP50 = Stats.quantile(stickyRtt, 0.5);
          o.report(Json.bench("overhead").put("client", adapter).put("payload", payload)
              .put("rawMsgsPerSec", Math.round(rawRate))
              .put("stickyMsgsPerSec", Math.round(stickyRate))
              .put("ratio", stickyRate / rawRate)
              .put("rawP50Micros", Stats.round(rawP50, 1))
              .put("stickyP50Micros", Stats.round(stickyP50, 1))
              .put("rawP99Micros", Stats.round(Stats.quantile(rawRtt, 0.99), 1))
              .put("stickyP99Micros", Stats.round(Stats.quantile(stickyRtt, 0.99), 1))
              .put("p50Ratio", stickyP50 / rawP50)
              .put("micrometerMsgsPerSec", Math.round(meteredRate))
              .put("micrometerRatio", meteredRate / rawRate)
              .put("micrometerToStickyRatio", meteredRate / stickyRate)
              .put("micrometerP50Micros", Stats.round(Stats.quantile(meteredRtt, 0.5), 1))
              .put("micrometerP99Micros", Stats.round(Stats.quantile(meteredRtt, 0.99), 1))
              .put("micrometerMeterUpdates", meterUpdates)
              .put("micrometerConnections", rounds + 1)
              .put("window", WINDOW).put("messages", messages).put("rounds", rounds)
              .put("pingsPerRound", pings));
        }
      }
    }
  }

  /** Samples of one side (raw or sticky). */
  private static final class Side {
    final List<Double> rates = new ArrayList<>();
    final List<Double> rtts = new ArrayList<>();

    double[] rates() {
      return rates.stream().mapToDouble(Double::doubleValue).toArray();
    }

    double[] rtts() {
      return rtts.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  private static void measure(Clients.Factory factory, EchoServer server, String message,
      int messages, int pings, Side side) throws Exception {
    Semaphore window = new Semaphore(WINDOW);
    AtomicInteger received = new AtomicInteger();
    AtomicReference<SynchronousQueue<Long>> pong = new AtomicReference<>();
    AtomicInteger opens = new AtomicInteger();
    Clients.Conn conn = factory.open(server.uri(), text -> {
      SynchronousQueue<Long> q = pong.get();
      if (q != null) {
        long now = System.nanoTime();
        try {
          q.put(now);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else {
        received.incrementAndGet();
        window.release();
      }
    }, t -> opens.incrementAndGet());
    try {
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no echo for 30 s after " + received.get());
        }
        conn.send(message);
      }
      if (!window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("echoes missing: " + received.get() + "/" + messages);
      }
      long elapsed = System.nanoTime() - start;
      side.rates.add(messages / (elapsed / 1e9));

      SynchronousQueue<Long> q = new SynchronousQueue<>();
      pong.set(q);
      for (int i = 0; i < pings; i++) {
        long sent = System.nanoTime();
        conn.send(message);
        Long back = q.poll(10, TimeUnit.SECONDS);
        if (back == null) {
          throw new IllegalStateException("no echo for a round trip within 10 s (" + factory
              + ", round trip " + i + " of " + pings + ", opens " + opens.get() + ")");
        }
        side.rtts.add((back - sent) / 1e3);
      }
    } finally {
      conn.close();
    }
  }
}
