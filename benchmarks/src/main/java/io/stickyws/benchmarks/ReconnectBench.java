package io.stickyws.benchmarks;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code reconnect}: time from an abrupt server-side drop (TCP closed, no close frame) to OPEN again
 * with a policy whose delay is the smallest it accepts (1 ns, no jitter), versus a fresh raw
 * handshake of the same library, interleaved, per adapter; {@code ratioToHandshake} is the reconnect
 * median divided by the raw handshake median of the same run.
 */
final class ReconnectBench implements Bench {
  static final Duration DELAY = Duration.ofNanos(1);

  @Override
  public void run(Options o) throws Exception {
    int iterations = o.pick(300, 60, 5);
    try (EchoServer server = EchoServer.start()) {
      for (String adapter : Clients.ADAPTERS) {
        double[] raw = new double[iterations];
        double[] reconnect = new double[iterations];
        LinkedBlockingQueue<Long> opens = new LinkedBlockingQueue<>();
        try (Clients.Factory rawF = Clients.raw(adapter, null);
            Clients.Factory stickyF = Clients.sticky(adapter, null, Clients.immediate(DELAY))) {
          Clients.Conn sticky = stickyF.open(server.uri("/sticky"), t -> { }, opens::add);
          opens.clear();
          int warmup = Math.max(2, iterations / 10);
          for (int i = -warmup; i < iterations; i++) {
            LinkedBlockingQueue<Long> rawOpen = new LinkedBlockingQueue<>();
            long start = System.nanoTime();
            Clients.Conn c = rawF.open(server.uri("/raw"), t -> { }, rawOpen::add);
            long rawMillis = rawOpen.take() - start;
            c.close();
            // the server must list the sticky connection as open before it can drop it (it may
            // register it a moment after the client saw the 101)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.connections("/sticky") != 1 && System.nanoTime() < deadline) {
              Thread.onSpinWait();
              Thread.yield();
            }
            long dropAt = System.nanoTime();
            int dropped = server.drop("/sticky");
            Long openedAt = opens.poll(20, TimeUnit.SECONDS);
            if (openedAt == null) {
              throw new IllegalStateException(adapter + ": no reconnect within 20 s after dropping "
                  + dropped + " connection(s) at iteration " + i + "; sticky: " + sticky);
            }
            if (i >= 0) {
              raw[i] = rawMillis / 1e6;
              reconnect[i] = (openedAt - dropAt) / 1e6;
            }
          }
          sticky.close();
        }
        double rawMedian = Stats.median(raw);
        double reconnectMedian = Stats.median(reconnect);
        o.report(Json.bench("reconnect").put("client", adapter)
            .put("rawHandshakeMedianMillis", Stats.round(rawMedian, 3))
            .put("reconnectMedianMillis", Stats.round(reconnectMedian, 3))
            .put("overheadMillis", Stats.round(reconnectMedian - rawMedian, 3))
            .put("ratioToHandshake", Stats.round(reconnectMedian / rawMedian, 3))
            .put("policyDelayNanos", DELAY.toNanos())
            .put("reconnectP90Millis", Stats.round(Stats.quantile(reconnect, 0.9), 3))
            .put("rawHandshakeP90Millis", Stats.round(Stats.quantile(raw, 0.9), 3))
            .put("iterations", iterations));
      }
    }
  }
}
