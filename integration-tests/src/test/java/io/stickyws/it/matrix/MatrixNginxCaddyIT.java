package io.stickyws.it.matrix;

import io.stickyws.affinity.AffinityRules;
import io.stickyws.it.matrix.MatrixReport.Row;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Caddy;
import io.stickyws.testkit.Nginx;
import io.stickyws.testkit.RawWebSocket;
import io.stickyws.testkit.Rig;
import io.stickyws.testkit.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The matrix on nginx (application cookie {@code srv} routing, round-robin pool otherwise) and Caddy
 * ({@code lb_policy cookie}, with and without health checks): one rig for the class, three backends that set
 * {@code srv=<id>} on their 101. The stickiness cells run first, before any backend was killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MatrixNginxCaddyIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  /** srv is no built-in affinity cookie: the application names it. */
  private static final AffinityRules SRV = AffinityRules.builder().cookie("srv").build();

  private static Backends backends;
  private static Nginx nginx;
  private static Caddy caddy;
  private static Caddy caddyNoChecks;

  @BeforeAll
  static void startRig() {
    Rig rig = RIG.rig();
    backends = rig.backends(3, id -> List.of("srv=" + id + "; Path=/"));
    nginx = rig.nginx(n -> n.backends(backends));
    caddy = rig.caddy(backends, c -> c.healthChecks(true));
    caddyNoChecks = rig.caddy(backends, c -> c.healthChecks(false));
  }

  @AfterEach
  void restore() {
    List<Backend> restarted = backends.all().stream().filter(b -> !b.isAlive()).toList();
    backends.startStopped();
    for (Backend b : restarted) {
      // Caddy's health checker (every second) must see it again before the next test relies on it
      Wait.until(Duration.ofSeconds(15), "Caddy to route to " + b.id() + " again",
          () -> b.id().equals(RawWebSocket.probe(caddy.wsUri("/ws"), Map.of(), null).server()), caddy::logTail);
    }
    Wait.until(Duration.ofSeconds(10), "no WebSocket left open on the backends",
        () -> backends.all().stream().mapToInt(Backend::openWebSockets).sum() == 0);
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void sticksOnNginx(String adapter) throws Exception {
    MatrixReport.run(Row.STICKS_NGINX, adapter, m -> Scenarios.sticks(m, Adapter.of(adapter),
        nginx.wsUri("/ws"), SRV, backends, null, 50));
  }

  @Order(2)
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void sticksOnCaddy(String adapter) throws Exception {
    MatrixReport.run(Row.STICKS_CADDY, adapter, m -> Scenarios.sticks(m, Adapter.of(adapter),
        caddy.wsUri("/ws"), AffinityRules.defaults(), backends, null, 50));
  }

  @Order(3)
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void backendKilledBehindCaddyWithHealthChecks(String adapter) throws Exception {
    MatrixReport.run(Row.KILLED_CADDY, adapter, m -> Scenarios.backendKilled(m, Adapter.of(adapter),
        caddy.wsUri("/ws"), backends));
  }

  @Order(4)
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void nginxWillNotFailOver(String adapter) throws Exception {
    MatrixReport.run(Row.NO_FAILOVER_NGINX, adapter, m -> Scenarios.noFailover(m, Adapter.of(adapter),
        nginx.wsUri("/ws"), SRV, backends));
  }

  @Order(5)
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket", "jakarta"})
  void caddyWithoutHealthChecksWillNotFailOver(String adapter) throws Exception {
    MatrixReport.run(Row.NO_FAILOVER_CADDY, adapter, m -> Scenarios.noFailover(m, Adapter.of(adapter),
        caddyNoChecks.wsUri("/ws"), AffinityRules.defaults(), backends));
  }
}
