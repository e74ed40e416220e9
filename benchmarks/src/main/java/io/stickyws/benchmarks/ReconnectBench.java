package io.stickyws.benchmarks;

import io.stickyws.testkit.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code reconnect}: time from an abrupt server-side drop (TCP closed, no close frame) to OPEN again
 * with a policy whose delay is the smallest it accepts (1 ns, no jitter), versus a fresh raw
 * handshake of the same library and versus the same library reconnecting by hand (a new handshake
 * started from its own close or failure callback), all interleaved, per adapter.
 * {@code ratioToHandshake} is the reconnect median divided by the raw handshake median of the same
 * run; {@code ratioToRawReconnect} divides it by the hand-written reconnect's median instead. The
 * same three measures over {@code wss://} (TLS on the same in-process server) are the fields that
 * start with {@code wss}.
 */
final class ReconnectBench implements Bench {
  static final Duration DELAY = Duration.ofNanos(1);

  /** The medians and p90s of one scenario for one adapter, in milliseconds. */
  private record Measured(double raw, double reconnect, double rawReconnect, double rawP90,
      double reconnectP90, double rawReconnectP90) {}

  @Override
  public void run(Options o) throws Exception {
    int iterations = o.pick(300, 60, 5);
    Path dir = Files.createTempDirectory("stickyws-reconnect");
    try {
      Certificates certificates = Certificates.generate(dir);
      Clients.Tls tls = new Clients.Tls(certificates);
      try (EchoServer plain = EchoServer.start();
          EchoServer secure = EchoServer.start(EchoServer.serverTls(certificates))) {
        for (String adapter : Clients.ADAPTERS) {
          Measured ws = measure(plain, adapter, null, iterations);
          Measured wss = measure(secure, adapter, tls, iterations);
          o.report(Json.bench("reconnect").put("client", adapter)
              .put("rawHandshakeMedianMillis", Stats.round(ws.raw, 3))
              .put("reconnectMedianMillis", Stats.round(ws.reconnect, 3))
              .put("overheadMillis", Stats.round(ws.reconnect - ws.raw, 3))
              .put("ratioToHandshake", Stats.round(ws.reconnect / ws.raw, 3))
              .put("rawReconnectMedianMillis", Stats.round(ws.rawReconnect, 3))
              .put("ratioToRawReconnect", Stats.round(ws.reconnect / ws.rawReconnect, 3))
              .put("policyDelayNanos", DELAY.toNanos())
              .put("reconnectP90Millis", Stats.round(ws.reconnectP90, 3))
              .put("rawHandshakeP90Millis", Stats.round(ws.rawP90, 3))
              .put("rawReconnectP90Millis", Stats.round(ws.rawReconnectP90, 3))
              .put("wssRawHandshakeMedianMillis", Stats.round(wss.raw, 3))
              .put("wssReconnectMedianMillis", Stats.round(wss.reconnect, 3))
              .put("wssRatioToHandshake", Stats.round(wss.reconnect / wss.raw, 3))
              .put("wssRawReconnectMedianMillis", Stats.round(wss.rawReconnect, 3))
              .put("wssRatioToRawReconnect", Stats.round(wss.reconnect / wss.rawReconnect, 3))
              .put("iterations", iterations));
        }
      }
    } finally {
      StormBench.deleteTree(dir);
    }
  }

  /**
   * One scenario for one adapter: per iteration a raw handshake, then the StickyWebSocket and the
   * hand-written reconnect dropped in turn (taking turns to go first).
   */
  private static Measured measure(EchoServer server, String adapter, Clients.Tls tls,
      int iterations) throws Exception {
    double[] raw = new double[iterations];
    double[] rawReconnect = new double[iterations];
    double[] reconnect = new double[iterations];
    LinkedBlockingQueue<Long> opens = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<Long> rawOpens = new LinkedBlockingQueue<>();
    try (Clients.Factory rawF = Clients.raw(adapter, tls);
        Clients.Factory rawReconnectingF = Clients.rawReconnecting(adapter, tls);
        Clients.Factory stickyF = Clients.sticky(adapter, tls, Clients.immediate(DELAY))) {
      Clients.Conn sticky = stickyF.open(server.uri("/sticky"), t -> { }, opens::add);
      Clients.Conn byHand = rawReconnectingF.open(server.uri("/by-hand"), t -> { }, rawOpens::add);
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
        boolean stickyFirst = i % 2 == 0;
        double first = dropAndTime(server, stickyFirst ? "/sticky" : "/by-hand",
            stickyFirst ? opens : rawOpens, adapter, i, sticky);
        double second = dropAndTime(server, stickyFirst ? "/by-hand" : "/sticky",
            stickyFirst ? rawOpens : opens, adapter, i, sticky);
        if (i >= 0) {
          raw[i] = rawMillis / 1e6;
          reconnect[i] = stickyFirst ? first : second;
          rawReconnect[i] = stickyFirst ? second : first;
        }
      }
      byHand.close();
      sticky.close();
    }
    return new Measured(Stats.median(raw), Stats.median(reconnect), Stats.median(rawReconnect),
        Stats.quantile(raw, 0.9), Stats.quantile(reconnect, 0.9),
        Stats.quantile(rawReconnect, 0.9));
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
