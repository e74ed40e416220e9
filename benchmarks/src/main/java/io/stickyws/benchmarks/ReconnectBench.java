package io.stickyws.benchmarks;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code reconnect}: time from an abrupt server-side drop (TCP closed, no close frame) to OPEN again
 * with a policy whose delay is the smallest it accepts (1 ns, no jitter), versus a fresh raw
 * handshake of the same library and versus the same library reconnecting by hand (a new handshake
 * started from its own close or failure callback), all interleaved, per adapter.
 * {@code ratioToHandshake} is the reconnect median divided by the raw handshake median of the same
 * run; {@code ratioToRawReconnect} divides it by the hand-written reconnect's median instead.
 */
final class ReconnectBench implements Bench {
  static final Duration DELAY = Duration.ofNanos(1);

  @Override
  public void run(Options o) throws Exception {
    int iterations = o.pick(300, 60, 5);
    try (EchoServer server = EchoServer.start()) {
      for (String adapter : Clients.ADAPTERS) {
        double[] raw = new double[iterations];
        double[] rawReconnect = new double[iterations];
        double[] reconnect = new double[iterations];
        LinkedBlockingQueue<Long> opens = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Long> rawOpens = new LinkedBlockingQueue<>();
        try (Clients.Factory rawF = Clients.raw(adapter, null);
            Clients.Factory rawReconnectingF = Clients.rawReconnecting(adapter);
            Clients.Factory stickyF = Clients.sticky(adapter, null, Clients.immediate(DELAY))) {
          Clients.Conn sticky = stickyF.open(server.uri("/sticky"), t -> { }, opens::add);
          Clients.Conn byHand =
              rawReconnectingF.open(server.uri("/by-hand"), t -> { }, rawOpens::add);
          opens.clear();
          rawOpens.clear();
          int warmup = Math.max(2, iterations / 10);
          for (int i = -warmup; i < iterations; i++) {
            LinkedBlockingQueue<Long> rawOpen = new LinkedBlockingQueue<>();
            long start = System.nanoTime();
            Clients.Conn c = rawF.open(server.uri("/raw"), t -> { }, rawOpen::add);
            long rawMillis = rawOpen.take() - start;
            c.close();
            awaitConnections(server, "/raw", 0); // its closing handshake is not timed below
            // the two reconnects take turns going first
            double first = dropAndTime(server, i % 2 == 0 ? "/sticky" : "/by-hand",
                i % 2 == 0 ? opens : rawOpens, adapter, i, sticky);
            double second = dropAndTime(server, i % 2 == 0 ? "/by-hand" : "/sticky",
                i % 2 == 0 ? rawOpens : opens, adapter, i, sticky);
            if (i >= 0) {
              raw[i] = rawMillis / 1e6;
              reconnect[i] = i % 2 == 0 ? first : second;
              rawReconnect[i] = i % 2 == 0 ? second : first;
            }
          }
          byHand.close();
          sticky.close();
        }
        double rawMedian = Stats.median(raw);
        double rawReconnectMedian = Stats.median(rawReconnect);
        double reconnectMedian = Stats.median(reconnect);
        o.report(Json.bench("reconnect").put("client", adapter)
            .put("rawHandshakeMedianMillis", Stats.round(rawMedian, 3))
            .put("reconnectMedianMillis", Stats.round(reconnectMedian, 3))
            .put("overheadMillis", Stats.round(reconnectMedian - rawMedian, 3))
            .put("ratioToHandshake", Stats.round(reconnectMedian / rawMedian, 3))
            .put("rawReconnectMedianMillis", Stats.round(rawReconnectMedian, 3))
            .put("ratioToRawReconnect", Stats.round(reconnectMedian / rawReconnectMedian, 3))
            .put("policyDelayNanos", DELAY.toNanos())
            .put("reconnectP90Millis", Stats.round(Stats.quantile(reconnect, 0.9), 3))
            .put("rawHandshakeP90Millis", Stats.round(Stats.quantile(raw, 0.9), 3))
            .put("rawReconnectP90Millis", Stats.round(Stats.quantile(rawReconnect, 0.9), 3))
            .put("iterations", iterations));
      }
    }
  }

  /**
   * Drops the one connection on {@code path} once the server lists it as open, and returns the
   * milliseconds until its client's next open.
   */
  private static double dropAndTime(EchoServer server, String path,
      LinkedBlockingQueue<Long> opens, String adapter, int iteration, Clients.Conn sticky)
      throws InterruptedException {
    // the server must list the connection as open before it can drop it (it may register it a
    // moment after the client saw the 101)
    awaitConnections(server, path, 1);
    long dropAt = System.nanoTime();
    int dropped = server.drop(path);
    Long openedAt = opens.poll(20, TimeUnit.SECONDS);
    if (openedAt == null) {
      throw new IllegalStateException(adapter + " " + path + ": no reconnect within 20 s after"
          + " dropping " + dropped + " connection(s) at iteration " + iteration + "; sticky: "
          + sticky);
    }
    return (openedAt - dropAt) / 1e6;
  }

  /** Waits, at most 5 s, until the server lists {@code count} open connections on {@code path}. */
  private static void awaitConnections(EchoServer server, String path, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (server.connections(path) != count && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
