package io.stickyws.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.testing.Threads;
import java.io.File;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 1000 connect / drop / reconnect cycles per adapter against a raw loopback server that accepts the handshake, reads
 * the client's first message and drops the TCP connection (RST, no close frame). Live threads, open file descriptors
 * and heap after GC return to their baseline, measured after a warm-up of the same cycles, within
 * {@value #THREAD_TOLERANCE} threads, {@value #FD_TOLERANCE} descriptors and {@value #HEAP_TOLERANCE_MIB} MiB.
 */
class LeakIT {
  static final int CYCLES = Integer.getInteger("stickyws.leak.cycles", 1000);
  static final int WARMUP = 100;
  static final int THREAD_TOLERANCE = 2;
  static final int FD_TOLERANCE = 10;
  static final int HEAP_TOLERANCE_MIB = 8;
  private static final Duration RUN_LIMIT = Duration.ofSeconds(90);

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void connectDropReconnectCyclesLeaveNoThreadsDescriptorsOrHeapBehind(Adapter adapter) throws Exception {
    try (GarbageServer server = GarbageServer.start(readOneFrameThenDrop());
        StickySession session = StickySession.builder(adapter.transport())
            .reconnectPolicy(ReconnectPolicy.builder()
                .initialDelay(Duration.ofMillis(1))
                .maxDelay(Duration.ofMillis(2))
                .unlimitedAttempts()
                .noElapsedLimit()
                .resetAfter(Duration.ofMillis(1))
                .build())
            .handshakeTimeout(Duration.ofSeconds(5))
            .noHeartbeat()
            .closeTimeout(Duration.ofSeconds(1))
            .build()) {
      run(session, server, WARMUP);
      Snapshot baseline = Snapshot.settled(null);

      long started = System.nanoTime();
      int accepted = server.accepted();
      Counting counts = run(session, server, CYCLES);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      Snapshot after = Snapshot.settled(baseline);
      System.out.printf("LEAK %s: %d cycles (%d opens, %d disconnects, %d TCP connections) in %d ms;"
              + " baseline %s; after %s; delta threads %+d, fds %+d, heap %+.1f MiB%n",
          adapter, CYCLES, counts.opens.get(), counts.disconnects.get(), server.accepted() - accepted, elapsedMs,
          baseline, after, after.threads - baseline.threads, after.fds - baseline.fds,
          (after.heap - baseline.heap) / (1024.0 * 1024));
      assertThat(counts.opens.get()).isGreaterThanOrEqualTo(CYCLES);
      assertThat(counts.gaveUp.get()).isZero();
      assertThat(after.threads - baseline.threads).as("threads").isLessThanOrEqualTo(THREAD_TOLERANCE);
      assertThat(after.fds - baseline.fds).as("file descriptors").isLessThanOrEqualTo(FD_TOLERANCE);
      assertThat(after.heap - baseline.heap).as("heap after GC")
          .isLessThanOrEqualTo(HEAP_TOLERANCE_MIB * 1024L * 1024L);
      assertThat(server.openSockets()).as("server sockets still open").isZero();
    }
    Threads.assertNoStickywsThreads(Duration.ofSeconds(10));
  }

  /** Connects, lets the connection be dropped and reopened {@code cycles} times, closes. */
  private static Counting run(StickySession session, GarbageServer server, int cycles) throws InterruptedException {
    Counting counts = new Counting(cycles);
    StickyWebSocket ws = session.connect(server.wsUri(), counts);
    boolean done = counts.enough.await(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
    ws.close();
    assertThat(done).as("%d opens within %s (got %d)", cycles, RUN_LIMIT, counts.opens.get()).isTrue();
    assertThat(counts.closed.await(10, TimeUnit.SECONDS)).as("closed").isTrue();
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    return counts;
  }

  /** A good 101, then read the client's first frame, then RST. */
  private static GarbageServer.Behavior readOneFrameThenDrop() {
    return (socket, key, head) -> {
      socket.getOutputStream().write(GarbageServer.goodResponse(key, "")
          .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      in.read();
      socket.setSoLinger(true, 0);
    };
  }

  private static final class Counting implements StickyWebSocketListener {
    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
    final AtomicInteger gaveUp = new AtomicInteger();
    final CountDownLatch enough;
    final CountDownLatch closed = new CountDownLatch(1);

    Counting(int cycles) {
      enough = new CountDownLatch(cycles);
    }

    @Override
    public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend same) {
      opens.incrementAndGet();
      ws.send("drop me");
      enough.countDown();
    }

    @Override
    public void onDisconnected(StickyWebSocket ws, int code, String reason, Throwable cause, boolean willRetry,
        Duration nextDelay) {
      disconnects.incrementAndGet();
    }

    @Override
    public void onGaveUp(StickyWebSocket ws, Throwable cause, int attempts, Duration elapsed) {
      gaveUp.incrementAndGet();
      closed.countDown();
    }

    @Override
    public void onClosed(StickyWebSocket ws, int code, String reason) {
      closed.countDown();
    }
  }

  /** Live threads, open descriptors and used heap after GC. */
  static final class Snapshot {
    final int threads;
    final int fds;
    final long heap;

    private Snapshot(int threads, int fds, long heap) {
      this.threads = threads;
      this.fds = fds;
      this.heap = heap;
    }

    static Snapshot now() {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      return new Snapshot(Thread.activeCount(), openFds(), heap);
    }

    /** A snapshot once threads and descriptors stop falling (bounded: 15 s), or reach the baseline's tolerance. */
    static Snapshot settled(Snapshot baseline) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      Snapshot last = now();
      while (System.nanoTime() < deadline) {
        if (baseline != null && last.threads - baseline.threads <= THREAD_TOLERANCE
            && last.fds - baseline.fds <= FD_TOLERANCE) {
          return last;
        }
        CountDownLatch pause = new CountDownLatch(1);
        try {
          pause.await(250, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return last;
        }
        Snapshot next = now();
        if (baseline == null && next.threads == last.threads && next.fds == last.fds) {
          return next;
        }
        last = next;
      }
      return last;
    }

    static int openFds() {
      String[] entries = new File("/proc/self/fd").list();
      return entries == null ? -1 : entries.length;
    }

    @Override
    public String toString() {
      return "threads " + threads + ", fds " + fds + ", heap " + String.format("%.1f MiB", heap / (1024.0 * 1024));
    }
  }

}
