package io.stickyws.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.SameBackend;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.micrometer.StickyWebSocketMetrics;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.HaproxyAdmin;
import io.stickyws.testkit.Rig;
import io.stickyws.testkit.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Micrometer binder on a real HAProxy: 20 connections of one session, kill -9 of the backend the first one is
 * pinned to, then a 1012 drain of another backend. The meters must say exactly what the connections' own listeners
 * saw: every open, one CHANGED per moved connection, the drops by close code and affinity reason, and one reconnect
 * duration per reconnect.
 */
class MetricsHaproxyIT {
  private static final int CONNECTIONS = 20;

  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;
  private static Haproxy haproxy;

  @BeforeAll
  static void startRig() {
    Rig rig = RIG.rig();
    backends = rig.backends(3);
    haproxy = rig.haproxy(backends, h -> { });
  }

  @Test
  void metersCountEveryOpenMoveDropAndReconnect() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StickyWebSocketMetrics metrics = StickyWebSocketMetrics.of(registry);
    List<MatrixListener> listeners = new ArrayList<>();
    try (StickySession session = Scenarios.session(Adapter.of("okhttp"), null).observer(metrics).build()) {
      List<StickyWebSocket> sockets = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        MatrixListener events = new MatrixListener();
        listeners.add(events);
        sockets.add(session.connect(haproxy.wsUri("/ws"), events));
      }
      for (MatrixListener events : listeners) {
        events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
      }
      assertThat(gauge(registry, "open")).isEqualTo(CONNECTIONS);

      // kill -9 of the backend connection 1 is pinned to: every connection on it moves once
      String killed = listeners.get(0).lastServer();
      List<MatrixListener> onKilled = on(listeners, killed);
      backends.get(killed).kill();
      for (MatrixListener events : onKilled) {
        assertThat(events.awaitServer(2, Scenarios.OPEN_TIMEOUT)).as("events:%s", events.log()).isNotEqualTo(killed);
      }

      // 1012 from a backend the balancer drains: its connections drop the token and move to the last one
      String drained = backends.all().stream().map(b -> b.id()).filter(id -> !id.equals(killed))
          .filter(id -> !on(listeners, id).isEmpty()).findFirst().orElseThrow();
      List<MatrixListener> onDrained = on(listeners, drained);
      List<Integer> landings = onDrained.stream().map(events -> events.servers().size()).toList();
      haproxy.admin().setState(drained, HaproxyAdmin.State.DRAIN);
      assertThat(backends.get(drained).closeAll(1012)).isEqualTo(onDrained.size());
      for (int i = 0; i < onDrained.size(); i++) {
        MatrixListener events = onDrained.get(i);
        events.awaitServer(landings.get(i) + 1, Scenarios.OPEN_TIMEOUT);
        assertThat(events.lastServer()).as("events:%s", events.log()).isNotIn(killed, drained);
      }
      Wait.until(Duration.ofSeconds(5), "every connection open again", () -> gauge(registry, "open") == CONNECTIONS);
      Record seen = Record.of(listeners);
      System.out.printf("metrics IT: killed %s (%d connections), drained %s (%d connections), listeners saw %s%n",
          killed, onKilled.size(), drained, onDrained.size(), seen);

      int moved = onKilled.size() + onDrained.size();
      assertThat(seen.changed).as("one CHANGED per moved connection").isEqualTo(moved);
      assertThat(seen.reconnects).isEqualTo(moved);
      assertThat(counter(registry, StickyWebSocketMetrics.CONNECT_ATTEMPTS, "kind", "initial", "outcome", "open"))
          .isEqualTo(CONNECTIONS);
      assertThat(counter(registry, StickyWebSocketMetrics.CONNECT_ATTEMPTS, "kind", "reconnect", "outcome", "open"))
          .isEqualTo(moved);
      assertThat(counter(registry, StickyWebSocketMetrics.CONNECT_ATTEMPTS, "outcome", "failed"))
          .as("failed handshakes the listeners saw").isEqualTo(seen.failedAttempts);
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_OPENS, "same", "changed")).isEqualTo(moved);
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_OPENS, "same", "same")).isEqualTo(seen.same);
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_OPENS, "same", "unknown"))
          .isEqualTo(CONNECTIONS + moved - seen.changed - seen.same);
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_OPENS, "balancer", "HAProxy"))
          .as("every open held HAProxy's SERVERID").isEqualTo(CONNECTIONS + moved);
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_DROPPED, "reason", "drain"))
          .isEqualTo(onDrained.size());
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_DROPPED, "reason", "failures"))
          .as("connections with %d failed handshakes in a row", AffinityRules.defaults().dropAfterFailures())
          .isEqualTo(seen.droppedAfterFailures);
      assertThat(counter(registry, StickyWebSocketMetrics.AFFINITY_DROPPED, "reason", "application")).isZero();
      assertThat(counter(registry, StickyWebSocketMetrics.GIVEUPS)).isZero();
      assertThat(timersByCloseCode(registry)).as("drops by close code").isEqualTo(seen.dropsByCode);
      assertThat(seen.dropsByCode.get(1012)).isEqualTo(onDrained.size());

      Timer reconnect = registry.get(StickyWebSocketMetrics.RECONNECT_DURATION).timer();
      assertThat(reconnect.count()).as("one reconnect duration per reconnect").isEqualTo(moved);
      assertThat(reconnect.totalTime(TimeUnit.MILLISECONDS)).as("drop to reopen, as the listeners timed it")
          .isBetween(seen.downMillis - 250.0 * moved, seen.downMillis + 250.0 * moved);
      assertThat(reconnect.max(TimeUnit.MILLISECONDS)).isLessThan(Scenarios.OPEN_TIMEOUT.toMillis());

      sockets.forEach(StickyWebSocket::close);
      for (MatrixListener events : listeners) {
        events.await("closed", 1, Scenarios.OPEN_TIMEOUT);
      }
      Wait.until(Duration.ofSeconds(5), "the close of every connection counted",
          () -> timersByCloseCode(registry).getOrDefault(1000, 0L) == CONNECTIONS);
      assertThat(gauge(registry, "open")).isZero();
    } finally {
      backends.all().forEach(b -> haproxy.admin().setState(b.id(), HaproxyAdmin.State.READY));
      backends.startStopped();
    }
  }

  private static List<MatrixListener> on(List<MatrixListener> listeners, String server) {
    List<MatrixListener> on = new ArrayList<>();
    for (MatrixListener events : listeners) {
      if (server.equals(events.lastServer())) {
        on.add(events);
      }
    }
    return on;
  }

  private static long counter(SimpleMeterRegistry registry, String name, String... tags) {
    return Math.round(registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum());
  }

  private static double gauge(SimpleMeterRegistry registry, String state) {
    return registry.find(StickyWebSocketMetrics.CONNECTIONS).tag("state", state).gauges().stream()
        .mapToDouble(Gauge::value).sum();
  }

  private static Map<Integer, Long> timersByCloseCode(SimpleMeterRegistry registry) {
    Map<Integer, Long> byCode = new TreeMap<>();
    for (Timer timer : registry.find(StickyWebSocketMetrics.CONNECTION_DURATION).timers()) {
      byCode.merge(Integer.valueOf(timer.getId().getTag("close.code")), timer.count(), Long::sum);
    }
    return byCode;
  }

  /** What the connections' own listeners saw, summed over the connections. */
  private static final class Record {
    long same;
    long changed;
    long reconnects;
    long failedAttempts;
    long droppedAfterFailures;
    long downMillis;
    final Map<Integer, Long> dropsByCode = new TreeMap<>();

    static Record of(List<MatrixListener> listeners) {
      Record record = new Record();
      for (MatrixListener events : listeners) {
        boolean open = false;
        boolean everOpen = false;
        int failuresInARow = 0;
        long droppedAt = -1;
        for (MatrixListener.Event e : events.events()) {
          if (e.kind.equals("open")) {
            SameBackend verdict = (SameBackend) e.detail;
            record.same += verdict == SameBackend.SAME ? 1 : 0;
            record.changed += verdict == SameBackend.CHANGED ? 1 : 0;
            if (everOpen) {
              record.reconnects++;
              record.downMillis += e.atMillis - droppedAt;
            }
            open = true;
            everOpen = true;
            failuresInARow = 0;
          } else if (e.kind.equals("disconnected") && open) {
            record.dropsByCode.merge(Integer.valueOf(e.text.split(" ")[0]), 1L, Long::sum);
            droppedAt = e.atMillis;
            open = false;
          } else if (e.kind.equals("disconnected")) {
            record.failedAttempts++;
            if (++failuresInARow == AffinityRules.defaults().dropAfterFailures()) {
              record.droppedAfterFailures++;
            }
          }
        }
      }
      return record;
    }

    @Override
    public String toString() {
      return "same " + same + ", changed " + changed + ", reconnects " + reconnects + ", failed attempts "
          + failedAttempts + ", drops by code " + dropsByCode + ", down " + downMillis + " ms in all";
    }
  }
}
