package io.stickyws.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code memory}: idle connections per adapter, raw library versus StickyWebSocket: heap retained
 * per connection after full GCs and live threads per connection, in this JVM only (the echo server
 * runs in a child JVM so that its heap and threads are not counted).
 */
final class MemoryBench implements Bench {

  @Override
  public void run(Options o) throws Exception {
    int connections = Integer.parseInt(o.option("connections",
        String.valueOf(o.pick(1000, 100, 20))));
    Process server = startServer();
    try {
      URI uri = URI.create("ws://127.0.0.1:" + readPort(server) + "/idle");
      for (String adapter : Clients.ADAPTERS) {
        Phase raw;
        Phase sticky;
        try (Clients.Factory f = Clients.raw(adapter, null)) {
          raw = phase(o, o.pick(5, 2, 1), "raw " + adapter, f, uri, connections);
        }
        try (Clients.Factory f = Clients.sticky(adapter, null,
            Clients.immediate(java.time.Duration.ofMillis(100)))) {
          sticky = phase(o, o.pick(5, 2, 1), "sticky " + adapter, f, uri, connections);
        }
        o.report(Json.bench("memory").put("client", adapter).put("connections", connections)
            .put("rawBytesPerConn", Math.round(raw.bytes / (double) connections))
            .put("stickyBytesPerConn", Math.round(sticky.bytes / (double) connections))
            .put("extraThreadsPerConn",
                Stats.round((sticky.threads - raw.threads) / (double) connections, 3))
            .put("extraBytesPerConn", Math.round((sticky.bytes - raw.bytes) / (double) connections))
            .put("rawThreadsPerConn", Stats.round(raw.threads / (double) connections, 3))
            .put("stickyThreadsPerConn", Stats.round(sticky.threads / (double) connections, 3)));
      }
    } finally {
      server.getOutputStream().close();
      server.waitFor(5, TimeUnit.SECONDS);
      server.destroyForcibly();
    }
  }

  /** Heap and threads added by the open connections. */
  private static final class Phase {
    final long bytes;
    final int threads;

    Phase(long bytes, int threads) {
      this.bytes = bytes;
      this.threads = threads;
    }
  }

  private static Phase phase(Options o, int settleSeconds, String label, Clients.Factory factory, URI uri, int n)
      throws Exception {
    int baseThreads = settledThreads(Integer.MAX_VALUE, settleSeconds);
    long baseHeap = usedHeapAfterGc();
    List<Clients.Conn> conns = new ArrayList<>(n);
    // one first connection outside the count: lazily created shared pools and classes
    Clients.Conn first = factory.open(uri, t -> { }, t -> { });
    baseThreads = ManagementFactory.getThreadMXBean().getThreadCount();
    baseHeap = usedHeapAfterGc();
    for (int i = 0; i < n; i++) {
      conns.add(factory.open(uri, t -> { }, t -> { }));
    }
    Thread.sleep(500);
    long heap = usedHeapAfterGc();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    o.progress(label + ": " + n + " connections, +" + (heap - baseHeap) / 1024 + " KiB, +"
        + (threads - baseThreads) + " threads");
    for (Clients.Conn c : conns) {
      c.close();
    }
    first.close();
    conns.clear();
    settledThreads(baseThreads, settleSeconds);
    return new Phase(heap - baseHeap, threads - baseThreads);
  }

  /** Waits (bounded) until at most {@code target} threads live; returns the count. */
  private static int settledThreads(int target, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int count = ManagementFactory.getThreadMXBean().getThreadCount();
    while (count > target + 4 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      count = ManagementFactory.getThreadMXBean().getThreadCount();
    }
    return count;
  }

  static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static Process startServer() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xss256k", "-Xmx512m",
        "-cp", classpath, Main.class.getName(), "echo-server");
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return pb.start();
  }

  private static int readPort(Process server) throws Exception {
    BufferedReader in = new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("LISTENING ")) {
        return Integer.parseInt(line.substring("LISTENING ".length()).trim());
      }
    }
    throw new IllegalStateException("echo server exited before listening");
  }
}
