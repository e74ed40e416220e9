package io.stickyws.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.it.matrix.MatrixReport.Figure;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Certificates;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scenarios that run the same way on several balancers: sticks, pinned backend killed, balancer will not fail
 * over. Each fills the cell's {@link Figure} as it goes and asserts with a message holding the connection's events.
 *
 * <p>Stateless; thread-safe.
 */
final class Scenarios {
  /** Fast policy for tests: 100 ms doubling to 1 s, full jitter. */
  static final ReconnectPolicy FAST = ReconnectPolicy.builder()
      .initialDelay(Duration.ofMillis(100))
      .maxDelay(Duration.ofSeconds(1))
      .maxAttempts(40)
      .build();
  static final Duration OPEN_TIMEOUT = Duration.ofSeconds(15);

  private Scenarios() {}

  /** A session on {@code adapter} with the fast policy and short handshake/close timeouts. */
  static StickySession.Builder session(Adapter adapter, Certificates tls) {
    return StickySession.builder(adapter.transport(tls))
        .reconnectPolicy(FAST)
        .handshakeTimeout(Duration.ofSeconds(5))
        .closeTimeout(Duration.ofSeconds(2));
  }

  /**
   * Raw client spreads over at least 2 backends in 10 connections; a sticky connection reconnected {@code reconnects}
   * times by its backend (close 1011) lands on the same backend every time, each open reported SAME.
   */
  static void sticks(Figure figure, Adapter adapter, URI uri, AffinityRules rules, Backends backends,
      Certificates tls, int reconnects) throws Exception {
    if (tls == null) {
      Map<String, Integer> raw = new TreeMap<>();
      for (int i = 0; i < 10; i++) {
        raw.merge(adapter.rawLanding(uri), 1, Integer::sum);
      }
      figure.put("raw " + adapter.id + " x10 →", raw);
      assertThat(raw).as("the raw client (no stickyws) spreads: the balancer balances").hasSizeGreaterThanOrEqualTo(2);
    }
    // the backoff starts again after each open: the 50 cycles run at the initial delay
    ReconnectPolicy quick = FAST.newBuilder().initialDelay(Duration.ofMillis(20)).resetAfter(Duration.ofMillis(1))
        .build();
    MatrixListener events = new MatrixListener();
    try (StickySession session = session(adapter, tls).affinity(rules).reconnectPolicy(quick).build()) {
      StickyWebSocket ws = session.connect(uri, events);
      String first = events.awaitServer(1, OPEN_TIMEOUT);
      for (int i = 1; i <= reconnects; i++) {
        backends.get(events.lastServer()).closeAll(1011);
        events.awaitServer(i + 1, OPEN_TIMEOUT);
      }
      List<String> servers = events.servers();
      long onFirst = servers.stream().filter(first::equals).count();
      long same = events.events("open").stream().filter(e -> e.text.contains("SAME")).count();
      figure.put("sticky landings", onFirst + "/" + servers.size() + " on " + first)
          .put("SAME", same + "/" + reconnects);
      assertThat(servers).as("every landing of the sticky connection; events:%s", events.log())
          .hasSize(reconnects + 1).containsOnly(first);
      assertThat(same).as("opens reported SAME; events:%s", events.log()).isEqualTo(reconnects);
      assertThat(events.count("affinityChanged")).isZero();
      ws.close();
    }
  }

  /** Stays on one backend across {@code n} more server-initiated reconnects (close 1011); returns the landings. */
  static List<String> reconnectsStayOn(MatrixListener events, Backends backends, String server, int n) {
    List<String> landed = new ArrayList<>();
    int opens = events.servers().size();
    for (int i = 1; i <= n; i++) {
      backends.get(events.lastServer()).closeAll(1011);
      landed.add(events.awaitServer(opens + i, OPEN_TIMEOUT));
    }
    return landed;
  }

  /**
   * kill -9 of the pinned backend: the client reconnects within the policy's bounds to a live backend, exactly one
   * affinity change, then stays there.
   */
  static void backendKilled(Figure figure, Adapter adapter, URI uri, Backends backends) throws Exception {
    MatrixListener events = new MatrixListener();
    try (StickySession session = session(adapter, null).build()) {
      StickyWebSocket ws = session.connect(uri, events);
      String pinned = events.awaitServer(1, OPEN_TIMEOUT);
      long killedAt = events.now();
      backends.get(pinned).kill();
      MatrixListener.Event reopened = events.await("open", 2, OPEN_TIMEOUT);
      String moved = events.awaitServer(2, OPEN_TIMEOUT);
      int attempts = (int) events.events("disconnected").stream().filter(e -> e.atMillis <= reopened.atMillis).count();
      figure.put("moved", pinned + "→" + moved)
          .put("reconnected after", (reopened.atMillis - killedAt) + " ms")
          .put("failed attempts", attempts - 1);
      assertThat(moved).as("a live backend; events:%s", events.log()).isNotEqualTo(pinned);
      assertThat(backends.get(moved).isAlive()).isTrue();
      assertThat(reopened.atMillis - killedAt).as("time to reconnect (ms)").isLessThan(12_000);
      assertThat(reopened.text).as("the open reports the move").contains("CHANGED");
      List<String> after = reconnectsStayOn(events, backends, moved, 3);
      figure.put("affinity changes", events.count("affinityChanged")).put("then stayed", after);
      assertThat(after).as("reconnects after the move; events:%s", events.log()).containsOnly(moved);
      assertThat(events.count("affinityChanged")).as("affinity-changed events; events:%s", events.log())
          .isEqualTo(1);
      assertThat(events.count("gaveUp")).isZero();
      ws.close();
    }
  }

  /**
   * The balancer routes the cookie to the dead backend and answers 502: the client drops affinity after
   * {@code dropAfterFailures} failed handshakes and lands on a live backend.
   */
  static void noFailover(Figure figure, Adapter adapter, URI uri, AffinityRules rules, Backends backends)
      throws Exception {
    noFailover(figure, adapter, uri, rules, backends, 502);
  }

  /**
   * The same as {@link #noFailover(Figure, Adapter, URI, AffinityRules, Backends)} for a balancer that answers
   * {@code status} while the pinned backend is down (Envoy's strict stateful session: 503).
   */
  static void noFailover(Figure figure, Adapter adapter, URI uri, AffinityRules rules, Backends backends, int status)
      throws Exception {
    MatrixListener events = new MatrixListener();
    try (StickySession session = session(adapter, null).affinity(rules).build()) {
      StickyWebSocket ws = session.connect(uri, events);
      String pinned = events.awaitServer(1, OPEN_TIMEOUT);
      long killedAt = events.now();
      backends.get(pinned).kill();
      MatrixListener.Event reopened = events.await("open", 2, OPEN_TIMEOUT);
      String moved = events.awaitServer(2, OPEN_TIMEOUT);
      long bad = events.events("disconnected").stream()
          .filter(e -> e.atMillis <= reopened.atMillis && Integer.valueOf(status).equals(e.detail)).count();
      figure.put("moved", pinned + "→" + moved)
          .put(status + "s", bad)
          .put("reconnected after", (reopened.atMillis - killedAt) + " ms");
      assertThat(moved).as("a live backend; events:%s", events.log()).isNotEqualTo(pinned);
      assertThat(bad).as(status + " answers before the move (dropAfterFailures %s); events:%s",
          rules.dropAfterFailures(), events.log()).isGreaterThanOrEqualTo(rules.dropAfterFailures());
      List<String> after = reconnectsStayOn(events, backends, moved, 2);
      figure.put("affinity changes", events.count("affinityChanged")).put("then stayed", after);
      assertThat(after).as("reconnects after the move; events:%s", events.log()).containsOnly(moved);
      assertThat(events.count("affinityChanged")).as("events:%s", events.log()).isEqualTo(1);
      ws.close();
    }
  }
}
