package io.stickyws.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.it.matrix.MatrixReport.Row;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.HaproxyAdmin;
import io.stickyws.testkit.Rig;
import io.stickyws.testkit.Wait;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The matrix on HAProxy: one rig for the class (three backend JVMs; HAProxy plain, HAProxy with TLS and a Secure
 * cookie, HAProxy with {@code timeout tunnel 3s}), state restored after every test (killed backends started, servers
 * READY and UP everywhere, HAProxy running).
 */
class MatrixHaproxyIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;
  private static Haproxy haproxy;
  private static Haproxy tls;
  private static Haproxy tunnel;

  @BeforeAll
  static void startRig() {
    Rig rig = RIG.rig();
    backends = rig.backends(3);
    haproxy = rig.haproxy(backends, h -> { });
    tls = rig.haproxy(backends, h -> h.tls(rig.certificates()).secureCookie(true));
    tunnel = rig.haproxy(backends, h -> h.timeoutTunnel(Duration.ofSeconds(3)));
  }

  @AfterEach
  void restore() {
    if (!haproxy.isAlive()) {
      haproxy.start();
    }
    backends.startStopped();
    for (Haproxy h : List.of(haproxy, tls, tunnel)) {
      for (Backend b : backends.all()) {
        h.admin().setState(b.id(), HaproxyAdmin.State.READY);
      }
      Wait.until(Duration.ofSeconds(15), "every server UP again", () -> h.admin().serverStatus().values().stream()
          .allMatch("UP"::equals), h.admin()::serversState);
    }
    Wait.until(Duration.ofSeconds(10), "no WebSocket left open on the backends",
        () -> backends.all().stream().mapToInt(Backend::openWebSockets).sum() == 0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void sticks(String adapter) throws Exception {
    MatrixReport.run(Row.STICKS_HAPROXY, adapter, m -> Scenarios.sticks(m, Adapter.of(adapter),
        haproxy.wsUri("/ws"), AffinityRules.defaults(), backends, null, 50));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void backendKilled(String adapter) throws Exception {
    MatrixReport.run(Row.KILLED_HAPROXY, adapter, m -> Scenarios.backendKilled(m, Adapter.of(adapter),
        haproxy.wsUri("/ws"), backends));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void drain(String adapter) throws Exception {
    MatrixReport.run(Row.DRAIN_HAPROXY, adapter, m -> {
      MatrixListener events = new MatrixListener();
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null).build()) {
        StickyWebSocket ws = session.connect(haproxy.wsUri("/ws"), events);
        String drained = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        haproxy.admin().setState(drained, HaproxyAdmin.State.DRAIN);
        long closedAt = events.now();
        assertThat(backends.get(drained).closeAll(1012)).isEqualTo(1);
        MatrixListener.Event reopened = events.await("open", 2, Scenarios.OPEN_TIMEOUT);
        String moved = events.awaitServer(2, Scenarios.OPEN_TIMEOUT);
        m.put("moved", drained + "→" + moved).put("after", (reopened.atMillis - closedAt) + " ms");
        assertThat(events.events("disconnected").get(0).text).startsWith("1012");
        assertThat(moved).as("off the drained server; events:%s", events.log()).isNotEqualTo(drained);
        List<String> after = Scenarios.reconnectsStayOn(events, backends, moved, 5);
        m.put("next 5 landings", after);
        assertThat(events.servers().subList(1, events.servers().size()))
            .as("never back on the drained server; events:%s", events.log()).doesNotContain(drained)
            .containsOnly(moved);
        assertThat(events.count("affinityChanged")).isEqualTo(1);
        ws.close();
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void balancerRestarted(String adapter) throws Exception {
    MatrixReport.run(Row.BALANCER_RESTART, adapter, m -> {
      MatrixListener events = new MatrixListener();
      ExpiryWatchingJar jar = new ExpiryWatchingJar("SERVERID");
      // A real outage: more refused attempts than dropAfterFailures (3). Refused connections say
      // nothing about the backend behind the cookie, so the engine must keep it.
      ReconnectPolicy policy = Scenarios.FAST;
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null).cookieJar(jar)
          .reconnectPolicy(policy).build()) {
        StickyWebSocket ws = session.connect(haproxy.wsUri("/ws"), events);
        String pinned = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        long stoppedAt = events.now();
        haproxy.stop();
        // the cut, then five refused attempts, before HAProxy comes back
        events.await("disconnected", 6, Scenarios.OPEN_TIMEOUT);
        long startAt = events.now();
        haproxy.start();
        long startedAt = events.now();
        MatrixListener.Event reopened = events.await("open", 2, Scenarios.OPEN_TIMEOUT);
        String back = events.awaitServer(2, Scenarios.OPEN_TIMEOUT);
        int failed = (int) events.events("disconnected").stream()
            .filter(e -> e.atMillis <= reopened.atMillis).count() - 1;
        m.put("landed", pinned + "→" + back)
            .put("HAProxy down", (startedAt - stoppedAt) + " ms (start took " + (startedAt - startAt) + " ms)")
            .put("failed attempts", failed)
            .put("affinity", jar.expirations() == 0 ? "kept" : "DROPPED")
            .put("open", reopened.text.replaceAll(" SERVERID| no-token", ""));
        assertThat(jar.expirations()).as("the client kept its affinity cookie through the restart; events:%s",
            events.log()).isZero();
        assertThat(back).as("same backend after the restart; events:%s", events.log()).isEqualTo(pinned);
        assertThat(reopened.text).contains("SAME");
        ws.close();
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void clientRestarted(String adapter) throws Exception {
    MatrixReport.run(Row.CLIENT_RESTART, adapter, m -> ClientRestart.run(m, adapter, haproxy.wsUri("/ws"),
        RIG.rig().dir(), "SERVERID", pinned -> "SERVERID=" + pinned));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void tls(String adapter) throws Exception {
    MatrixReport.run(Row.TLS, adapter, m -> {
      Scenarios.sticks(m, Adapter.of(adapter), tls.wssUri("/ws"), AffinityRules.defaults(), backends,
          RIG.rig().certificates(), 20);
      // the jar holds SERVERID as a Secure cookie: offered on wss://, never on ws://
      MatrixListener events = new MatrixListener();
      MemoryCookieJar jar = MemoryCookieJar.create();
      try (StickySession session = Scenarios.session(Adapter.of(adapter), RIG.rig().certificates())
          .cookieJar(jar).build()) {
        StickyWebSocket ws = session.connect(tls.wssUri("/ws"), events);
        events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        List<Cookie> cookies = jar.cookies();
        assertThat(cookies).filteredOn(c -> c.name().equals("SERVERID")).singleElement()
            .satisfies(c -> assertThat(c.secure()).as("Secure attribute").isTrue());
        assertThat(session.cookieJar().loadForRequest(tls.wssUri("/ws"))).extracting(Cookie::name)
            .contains("SERVERID");
        assertThat(session.cookieJar().loadForRequest(URI.create("ws://localhost:" + tls.httpPort() + "/ws")))
            .extracting(Cookie::name).doesNotContain("SERVERID");
        m.put("cookie", "Secure, not offered on ws://");
        ws.close();
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void idleTunnelWithHeartbeat(String adapter) throws Exception {
    MatrixReport.run(Row.IDLE_HEARTBEAT, adapter, m -> {
      MatrixListener events = new MatrixListener();
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null)
          .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(2)).build()) {
        StickyWebSocket ws = session.connect(tunnel.wsUri("/ws"), events);
        String pinned = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        boolean cut = events.happensWithin("disconnected", Duration.ofSeconds(10));
        m.put("idle", "10 s").put("disconnects", events.count("disconnected"));
        assertThat(cut).as("no disconnect in 10 idle seconds; events:%s", events.log()).isFalse();
        ws.send("still-here");
        assertThat(events.awaitEchoes(1, Duration.ofSeconds(5))).containsExactly("still-here");
        assertThat(events.servers()).containsExactly(pinned);
        m.put("echo after idle", "ok");
        ws.close();
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void idleTunnelWithoutHeartbeat(String adapter) throws Exception {
    MatrixReport.run(Row.IDLE_NO_HEARTBEAT, adapter, m -> {
      MatrixListener events = new MatrixListener();
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null).noHeartbeat().build()) {
        StickyWebSocket ws = session.connect(tunnel.wsUri("/ws"), events);
        String pinned = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        long openedAt = events.await("open", 1, Scenarios.OPEN_TIMEOUT).atMillis;
        MatrixListener.Event cut = events.await("disconnected", 1, Duration.ofSeconds(10));
        MatrixListener.Event reopened = events.await("open", 2, Scenarios.OPEN_TIMEOUT);
        String back = events.awaitServer(2, Scenarios.OPEN_TIMEOUT);
        m.put("cut after", (cut.atMillis - openedAt) + " ms")
            .put("back", pinned + "→" + back + " in " + (reopened.atMillis - cut.atMillis) + " ms");
        assertThat(cut.atMillis - openedAt).as("the tunnel timeout cut it").isBetween(2500L, 8000L);
        assertThat(back).as("same backend; events:%s", events.log()).isEqualTo(pinned);
        assertThat(reopened.text).contains("SAME");
        ws.close();
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void noDataLost(String adapter) throws Exception {
    MatrixReport.run(Row.NO_DATA_LOST, adapter, m -> {
      MatrixListener events = new MatrixListener();
      List<String> queued = IntStream.rangeClosed(1, 50).mapToObj(i -> "queued-" + i).collect(Collectors.toList());
      List<Boolean> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
      events.onFirstDisconnect(ws -> queued.forEach(text -> accepted.add(ws.send(text))));
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null).build()) {
        StickyWebSocket ws = session.connect(haproxy.wsUri("/ws"), events);
        String pinned = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        for (int i = 1; i <= 5; i++) {
          ws.send("before-" + i);
        }
        events.awaitEchoes(5, Duration.ofSeconds(5));
        backends.get(pinned).closeAll(1011);
        events.awaitServer(2, Scenarios.OPEN_TIMEOUT);
        List<String> echoes = events.awaitEchoes(5 + queued.size(), Duration.ofSeconds(10));
        m.put("queued while reconnecting", accepted.stream().filter(b -> b).count() + "/" + queued.size())
            .put("echoed in order", echoes.subList(5, echoes.size()).equals(queued)
                ? queued.size() + "/" + queued.size() : "no");
        assertThat(accepted).as("send() while reconnecting").hasSize(queued.size()).containsOnly(true);
        assertThat(echoes.subList(5, echoes.size())).as("echoes after the reconnect; events:%s", events.log())
            .containsExactlyElementsOf(queued);
        assertThat(events.count("dropped")).isZero();
        long firstQueuedEcho = events.events("echo").get(5).atMillis;
        assertThat(firstQueuedEcho).as("delivered after the reconnect")
            .isGreaterThanOrEqualTo(events.await("open", 2, Duration.ZERO).atMillis);
        ws.close();
      }
    });
  }
}
