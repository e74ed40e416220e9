package io.stickyws.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.it.matrix.MatrixReport.Row;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Wait;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every backend behind HAProxy is down (killed) for 10 s: HAProxy answers 503 with {@code Retry-After: 2}. The client
 * (policy 100 ms doubling to 1 s, so it would try about every second on its own) waits at least the Retry-After
 * between attempts, makes a bounded number of them, and connects once a backend is back.
 */
class MatrixAllDownIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static final int RETRY_AFTER_SECONDS = 2;
  private static final Duration DOWN_FOR = Duration.ofSeconds(10);

  private static Backends backends;
  private static Haproxy haproxy;

  @BeforeAll
  static void startRig() {
    backends = RIG.rig().backends(2);
    haproxy = RIG.rig().haproxy(backends, h -> h.retryAfterOn503(RETRY_AFTER_SECONDS));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void allBackendsDown(String adapter) throws Exception {
    MatrixReport.run(Row.ALL_DOWN, adapter, m -> {
      backends.all().stream().filter(Backend::isAlive).forEach(Backend::kill);
      Wait.until(Duration.ofSeconds(10), "HAProxy to see every server DOWN", () -> haproxy.admin().serverStatus()
          .values().stream().allMatch("DOWN"::equals), haproxy.admin()::serversState);
      MatrixListener events = new MatrixListener();
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null).build()) {
        StickyWebSocket ws = session.connect(haproxy.wsUri("/ws"), events);
        boolean opened = events.happensWithin("open", DOWN_FOR);
        assertThat(opened).as("no open while every backend is down; events:%s", events.log()).isFalse();
        Backend back = backends.get("s1");
        back.start();
        Wait.until(Duration.ofSeconds(10), "HAProxy to see s1 UP", () -> "UP".equals(haproxy.admin().status("s1")),
            haproxy.admin()::serversState);
        long upAt = events.now();
        MatrixListener.Event open = events.await("open", 1, Scenarios.OPEN_TIMEOUT);
        assertThat(events.awaitServer(1, Scenarios.OPEN_TIMEOUT)).isEqualTo("s1");

        List<MatrixListener.Event> failures = events.events("disconnected");
        List<Long> delays = events.events("reconnecting").stream().map(e -> ((Duration) e.detail).toMillis())
            .collect(Collectors.toList());
        long with503 = failures.stream().filter(e -> Integer.valueOf(503).equals(e.detail)).count();
        long minDelay = delays.stream().mapToLong(Long::longValue).min().orElse(-1);
        // without Retry-After the policy (<= 1 s) would make ~15 attempts in the outage; with it at most one per 2 s
        long outage = open.atMillis;
        long bound = outage / (RETRY_AFTER_SECONDS * 1000L) + 2;
        m.put("failed attempts", failures.size() + " (" + with503 + "x503) in " + outage + " ms, bound " + bound)
            .put("min delay", minDelay + " ms")
            .put("connected after s1 UP", Math.max(0, open.atMillis - upAt) + " ms");
        assertThat(with503).as("503 answers; events:%s", events.log()).isEqualTo(failures.size());
        assertThat(minDelay).as("every delay honours Retry-After; events:%s", events.log())
            .isGreaterThanOrEqualTo(RETRY_AFTER_SECONDS * 1000L);
        assertThat((long) failures.size()).as("attempts bounded; events:%s", events.log())
            .isBetween(DOWN_FOR.toSeconds() / RETRY_AFTER_SECONDS - 1, bound);
        assertThat(open.atMillis - upAt).as("connects within one Retry-After once the backend is UP")
            .isLessThanOrEqualTo(RETRY_AFTER_SECONDS * 1000L + 1500L);
        ws.close();
      }
    });
  }
}
