package io.stickyws.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.spi.Transport;
import io.stickyws.testing.Threads;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code StickySession.close()} against a server that accepts the handshake and never answers the
 * close frame: every connection ends within its close timeout (+ 1 s) with its terminal callback,
 * and after 50 sessions the live threads (daemon or not: a non-daemon one keeps the JVM alive) and
 * the open file descriptors are back to their baseline.
 */
class SessionCloseIT {
  private static final int CYCLES = 50;
  private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(300);
  private static final int THREAD_TOLERANCE = 2;
  private static final int FD_TOLERANCE = 10;

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void sessionCloseEndsConnectionsWhoseServerNeverAnswersTheClose(Adapter adapter) throws Exception {
    long slowest = 0;
    Transport transport = adapter.transport(); // the application's client outlives its sessions
    try (GarbageServer server = GarbageServer.start(answerThenIgnoreTheClose())) {
      for (int i = 0; i < 5; i++) {
        slowest = Math.max(slowest, cycle(transport, server));
      }
      LeakIT.Snapshot baseline = LeakIT.Snapshot.settled(null);
      int nonDaemonBefore = nonDaemonThreads();
      for (int i = 0; i < CYCLES; i++) {
        slowest = Math.max(slowest, cycle(transport, server));
      }
      LeakIT.Snapshot after = LeakIT.Snapshot.settled(baseline);
      System.out.printf("SESSION CLOSE %s: %d cycles, slowest close-to-terminal %d ms (close timeout %d ms);"
              + " baseline %s; after %s; non-daemon threads %d -> %d%n", adapter, CYCLES, slowest,
          CLOSE_TIMEOUT.toMillis(), baseline, after, nonDaemonBefore, nonDaemonThreads());
      assertThat(after.threads - baseline.threads).as("threads").isLessThanOrEqualTo(THREAD_TOLERANCE);
      assertThat(after.fds - baseline.fds).as("file descriptors").isLessThanOrEqualTo(FD_TOLERANCE);
      // OkHttp's dispatcher threads are not daemons and idle out after 60 s: the client's own pool
      assertThat(nonDaemonThreads()).as("non-daemon threads (they keep the JVM alive)")
          .isLessThanOrEqualTo(nonDaemonBefore + THREAD_TOLERANCE);
    }
    Threads.assertNoStickywsThreads(Duration.ofSeconds(10));
  }

  /** One session: open, then close the session; returns the ms from close() to the terminal callback. */
  private static long cycle(Transport transport, GarbageServer server) throws InterruptedException {
    Recording listener = new Recording();
    StickySession session = StickySession.builder(transport)
        .noHeartbeat()
        .closeTimeout(CLOSE_TIMEOUT)
        .build();
    StickyWebSocket ws = session.connect(server.wsUri(), listener);
    assertThat(listener.opened.await(10, TimeUnit.SECONDS)).as("opened").isTrue();
    long started = System.nanoTime();
    session.close();
    boolean ended = listener.terminal.await(CLOSE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(ended).as("terminal callback within the close timeout + 1 s (%s)", transport.name()).isTrue();
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    return millis;
  }

  private static int nonDaemonThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon() && !"main".equals(t.getName())).count();
  }

  /** A good 101, then read whatever comes (the close frame included) and never write again. */
  private static GarbageServer.Behavior answerThenIgnoreTheClose() {
    return (socket, key, head) -> {
      socket.getOutputStream().write(GarbageServer.goodResponse(key, "").getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1024];
      while (in.read(buffer) >= 0) {
        // never answer
      }
    };
  }

  private static final class Recording implements StickyWebSocketListener {
    final CountDownLatch opened = new CountDownLatch(1);
    final CountDownLatch terminal = new CountDownLatch(1);

    @Override
    public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend same) {
      opened.countDown();
    }

    @Override
    public void onClosed(StickyWebSocket ws, int code, String reason) {
      terminal.countDown();
    }

    @Override
    public void onGaveUp(StickyWebSocket ws, Throwable cause, int attempts, Duration elapsed) {
      terminal.countDown();
    }
  }
}
