package io.stickyws.benchmarks;

import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Rig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code tls}: the time of one {@code wss://} handshake (start to OPEN) through a TLS-terminating
 * HAProxy, per adapter through StickyWebSocket, versus the raw JDK client, interleaved. Every
 * client is reused across handshakes (connection pools and TLS session caches as an application
 * would have them).
 */
final class TlsBench implements Bench {

  @Override
  public void run(Options o) throws Exception {
    int iterations = o.pick(200, 40, 4);
    Path dir = Files.createTempDirectory("stickyws-tls");
    try (Rig rig = Rig.in(dir)) {
      Backends backends = rig.backends(3);
      Haproxy haproxy = rig.haproxy(backends, b -> b.tls(rig.certificates()));
      Clients.Tls tls = new Clients.Tls(rig.certificates());
      URI uri = haproxy.wssUri("/ws");
      try (Clients.Factory jdk = Clients.raw("jdk", tls)) {
        for (String adapter : Clients.ADAPTERS) {
          double[] raw = new double[iterations];
          double[] sticky = new double[iterations];
          try (Clients.Factory s = Clients.sticky(adapter, tls,
              Clients.immediate(java.time.Duration.ofMillis(100)))) {
            int warmup = Math.max(2, iterations / 10);
            for (int i = -warmup; i < iterations; i++) {
              double r = handshake(jdk, uri);
              double t = handshake(s, uri);
              if (i >= 0) {
                raw[i] = r;
                sticky[i] = t;
              }
            }
          }
          double rawMedian = Stats.median(raw);
          double stickyMedian = Stats.median(sticky);
          o.report(Json.bench("tls").put("client", adapter)
              .put("stickyHandshakeMedianMillis", Stats.round(stickyMedian, 3))
              .put("jdkRawHandshakeMedianMillis", Stats.round(rawMedian, 3))
              .put("ratioToJdk", stickyMedian / rawMedian)
              .put("stickyHandshakeP90Millis", Stats.round(Stats.quantile(sticky, 0.9), 3))
              .put("jdkRawHandshakeP90Millis", Stats.round(Stats.quantile(raw, 0.9), 3))
              .put("iterations", iterations));
        }
      }
    } finally {
      StormBench.deleteTree(dir);
    }
  }

  private static double handshake(Clients.Factory factory, URI uri) throws Exception {
    LinkedBlockingQueue<Long> opened = new LinkedBlockingQueue<>();
    long start = System.nanoTime();
    Clients.Conn conn = factory.open(uri, t -> { }, opened::add);
    Long at = opened.poll(20, TimeUnit.SECONDS);
    conn.close();
    if (at == null) {
      throw new IllegalStateException("no open");
    }
    return (at - start) / 1e6;
  }
}
