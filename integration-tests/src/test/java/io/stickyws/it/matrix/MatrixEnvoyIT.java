package io.stickyws.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.cookie.Cookie;
import io.stickyws.it.matrix.MatrixReport.Row;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.EnvoyRouter;
import io.stickyws.testkit.RawWebSocket;
import io.stickyws.testkit.Rig;
import io.stickyws.testkit.Wait;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matrix through the testkit's Envoy-style router, an <b>emulation</b> of Envoy's stateful session (cookie
 * {@code gw-session}, a name no built-in rule knows: the client recognises it by its value). One rig for the class:
 * three backend JVMs, a router, a strict router and a header-mode router ({@code x-gw-host}) in front of them; after
 * every test killed backends are started again and nothing is left draining. The client uses the default
 * {@link AffinityRules} except where a test says otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MatrixEnvoyIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;
  private static EnvoyRouter router;
  private static EnvoyRouter strict;
  private static EnvoyRouter header;

  @BeforeAll
  static void startRig() {
    Rig rig = RIG.rig();
    backends = rig.backends(3);
    router = rig.envoyRouter(backends, r -> r.cookieName("gw-session"));
    strict = rig.envoyRouter(backends, r -> r.cookieName("gw-session").strict(true));
    header = rig.envoyRouter(backends, r -> r.headerName("x-gw-host"));
  }

  /** Every adapter of the matrix, so that a column added to {@link MatrixReport#ADAPTERS} runs here too. */
  static List<String> adapters() {
    return MatrixReport.ADAPTERS;
  }

  @AfterEach
  void restore() {
    backends.startStopped();
    backends.all().forEach(router::ready);
    Wait.until(Duration.ofSeconds(10), "no WebSocket left open on the backends",
        () -> backends.all().stream().mapToInt(Backend::openWebSockets).sum() == 0);
  }

  @Test
  @Order(0)
  void theRouterWritesEnvoysCookieAndTheClientReadsItsAddress() {
    RawWebSocket landing = RawWebSocket.probe(router.wsUri("/ws"), Map.of(), null);
    String setCookie = landing.setCookie("gw-session");
    assertThat(setCookie).as("Envoy's makeSetCookieValue shape")
        .matches("gw-session=\"[A-Za-z0-9+/=]+\"; Max-Age=3600; Path=/; HttpOnly");
    Cookie cookie = Cookie.parse(router.wsUri("/ws"), setCookie, Instant.now()).orElseThrow();
    assertThat(AffinityToken.ofValue(cookie.name(), AffinityToken.Source.COOKIE, cookie.value()))
        .map(AffinityToken::backendId).contains(backends.get(landing.server()).address());
    // the cookie is honoured, and nothing is set again
    RawWebSocket again = RawWebSocket.probe(router.wsUri("/ws"),
        Map.of("Cookie", router.cookieHeader(backends.get(landing.server()))), null);
    assertThat(again.server()).isEqualTo(landing.server());
    assertThat(again.setCookie("gw-session")).isNull();
  }

  @Test
  @Order(0)
  void withValueShapesOffTheCookieIsStillResentButNotRecognised() {
    AffinityRules namesOnly = AffinityRules.builder().valueShapes(false).build();
    MatrixListener events = new MatrixListener();
    try (StickySession session = Scenarios.session(Adapter.OKHTTP, null).affinity(namesOnly).build()) {
      StickyWebSocket ws = session.connect(router.wsUri("/ws"), events);
      String first = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
      backends.get(first).closeAll(1011);
      assertThat(events.awaitServer(2, Scenarios.OPEN_TIMEOUT)).as("the jar resends the cookie").isEqualTo(first);
      assertThat(events.events("open")).extracting(e -> e.text)
          .as("no token, so no SAME; events:%s", events.log())
          .hasSize(2).allMatch(text -> text.endsWith(" UNKNOWN no-token"));
      ws.close();
    }
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void sticks(String adapter) throws Exception {
    MatrixReport.run(Row.STICKS_ENVOY, adapter, m -> Scenarios.sticks(m, Adapter.of(adapter),
        router.wsUri("/ws"), AffinityRules.defaults(), backends, null, 50));
  }

  @Order(2)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void backendKilled(String adapter) throws Exception {
    MatrixReport.run(Row.KILLED_ENVOY, adapter, m -> Scenarios.backendKilled(m, Adapter.of(adapter),
        router.wsUri("/ws"), backends));
  }

  @Order(3)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void backendKilledBehindStrictRouter(String adapter) throws Exception {
    MatrixReport.run(Row.KILLED_ENVOY_STRICT, adapter, m -> Scenarios.noFailover(m, Adapter.of(adapter),
        strict.wsUri("/ws"), AffinityRules.defaults(), backends, 503));
  }

  @Order(3)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void sticksInHeaderMode(String adapter) throws Exception {
    MatrixReport.run(Row.STICKS_ENVOY_HEADER, adapter, m -> Scenarios.sticks(m, Adapter.of(adapter),
        header.wsUri("/ws"), AffinityRules.defaults(), backends, null, 50));
  }

  @Order(3)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void backendKilledInHeaderMode(String adapter) throws Exception {
    MatrixReport.run(Row.KILLED_ENVOY_HEADER, adapter, m -> Scenarios.backendKilled(m, Adapter.of(adapter),
        header.wsUri("/ws"), backends));
  }

  @Order(4)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void drain(String adapter) throws Exception {
    MatrixReport.run(Row.DRAIN_ENVOY, adapter, m -> {
      MatrixListener events = new MatrixListener();
      try (StickySession session = Scenarios.session(Adapter.of(adapter), null).build()) {
        StickyWebSocket ws = session.connect(router.wsUri("/ws"), events);
        String drained = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
        router.drain(backends.get(drained));
        long closedAt = events.now();
        assertThat(backends.get(drained).closeAll(1012)).isEqualTo(1);
        MatrixListener.Event reopened = events.await("open", 2, Scenarios.OPEN_TIMEOUT);
        String moved = events.awaitServer(2, Scenarios.OPEN_TIMEOUT);
        m.put("moved", drained + "→" + moved).put("after", (reopened.atMillis - closedAt) + " ms");
        assertThat(events.events("disconnected").get(0).text).startsWith("1012");
        assertThat(moved).as("off the drained host; events:%s", events.log()).isNotEqualTo(drained);
        assertThat(reopened.text).as("the open reports the move").contains("CHANGED");
        List<String> after = Scenarios.reconnectsStayOn(events, backends, moved, 5);
        m.put("next 5 landings", after);
        assertThat(after).as("stays on the new host; events:%s", events.log()).containsOnly(moved);
        assertThat(events.count("affinityChanged")).isEqualTo(1);
        ws.close();
      }
    });
  }

  @Order(5)
  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void clientRestarted(String adapter) throws Exception {
    MatrixReport.run(Row.CLIENT_RESTART_ENVOY, adapter, m -> ClientRestart.run(m, adapter, router.wsUri("/ws"),
        RIG.rig().dir(), "gw-session", pinned -> router.cookieHeader(backends.get(pinned))));
  }
}
