package io.stickyws.it.rig;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Caddy;
import io.stickyws.testkit.Landings;
import io.stickyws.testkit.RawWebSocket;
import io.stickyws.testkit.Wait;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Caddy {@code lb_policy cookie}, with and without active health checks. */
class CaddyIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;

  @BeforeAll
  static void startBackends() {
    backends = RIG.rig().backends(3);
  }

  @Test
  void cookiePolicySpreadsNewClientsAndSticksReplayedCookie() {
    try (Caddy caddy = RIG.rig().caddy(backends, c -> c.healthChecks(true))) {
      Landings spread = Landings.of(20, caddy.wsUri("/ws"), Map.of(), null);
      assertThat(spread.distinct()).as("%s", spread).isGreaterThanOrEqualTo(2);

      RawWebSocket first = RawWebSocket.probe(caddy.wsUri("/ws"), Map.of(), null);
      String cookie = first.cookiePair("lb");
      assertThat(cookie).as("Caddy sets its cookie on the 101").isNotNull();
      assertThat(Landings.of(20, caddy.wsUri("/ws"), Map.of("Cookie", cookie), null).servers())
          .containsOnly(first.server());
    }
  }

  @Test
  void withHealthChecksAClientPinnedToADeadBackendIsMovedWithANewCookie() {
    try (Caddy caddy = RIG.rig().caddy(backends, c -> c.healthChecks(true))) {
      String cookie = pinnedCookie(caddy, "s1");
      Backend victim = backends.get("s1");
      try {
        victim.kill();
        Wait.until(Duration.ofSeconds(10), "Caddy to route the s1 cookie elsewhere", () -> {
          RawWebSocket moved = RawWebSocket.probe(caddy.wsUri("/ws"), Map.of("Cookie", cookie), null);
          return moved.status() == 101 && !"s1".equals(moved.server()) && moved.cookiePair("lb") != null;
        }, caddy::logTail);
      } finally {
        victim.start();
      }
    }
  }

  @Test
  void withoutHealthChecksAClientPinnedToADeadBackendGets502() {
    try (Caddy caddy = RIG.rig().caddy(backends, c -> c.healthChecks(false))) {
      String cookie = pinnedCookie(caddy, "s2");
      Backend victim = backends.get("s2");
      try {
        victim.kill();
        RawWebSocket refused = RawWebSocket.probe(caddy.wsUri("/ws"), Map.of("Cookie", cookie), null);
        assertThat(refused.status()).isEqualTo(502);
      } finally {
        victim.start();
      }
      assertThat(RawWebSocket.probe(caddy.wsUri("/ws"), Map.of("Cookie", cookie), null).server()).isEqualTo("s2");
    }
  }

  /** Connects until a landing on {@code server} and returns its lb cookie (Caddy's fallback is random). */
  private static String pinnedCookie(Caddy caddy, String server) {
    for (int i = 0; i < 60; i++) {
      RawWebSocket landing = RawWebSocket.probe(caddy.wsUri("/ws"), Map.of(), null);
      if (server.equals(landing.server())) {
        return landing.cookiePair("lb");
      }
    }
    throw new AssertionError("60 connections never landed on " + server);
  }
}
