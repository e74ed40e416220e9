package io.stickyws.it.rig;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Certificates;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Landings;
import io.stickyws.testkit.Nginx;
import io.stickyws.testkit.RawWebSocket;
import io.stickyws.testkit.Rig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** nginx: upgrade recipe with application-level {@code srv} cookie routing, and nginx (TLS) → HAProxy → backends. */
class NginxIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;
  private static Nginx nginx;

  @BeforeAll
  static void startRig() {
    backends = RIG.rig().backends(3, id -> List.of("srv=" + id + "; Path=/"));
    nginx = RIG.rig().nginx(n -> n.backends(backends));
  }

  @Test
  void roundRobinsClientsWithoutCookieAndPassesTheBackendsCookie() {
    Landings spread = Landings.of(20, nginx.wsUri("/ws"), Map.of(), null);
    // >= 2, not 3: after a backend died nginx skips it in the pool for fail_timeout (10 s) even once it is back
    assertThat(spread.distinct()).as("%s", spread).isGreaterThanOrEqualTo(2);
    RawWebSocket one = RawWebSocket.probe(nginx.wsUri("/ws"), Map.of(), null);
    assertThat(one.cookiePair("srv")).isEqualTo("srv=" + one.server());
  }

  @Test
  void routesOnTheSrvCookieTwentyOfTwenty() {
    RawWebSocket first = RawWebSocket.probe(nginx.wsUri("/ws"), Map.of(), null);
    String cookie = first.cookiePair("srv");
    assertThat(Landings.of(20, nginx.wsUri("/ws"), Map.of("Cookie", cookie), null).servers())
        .containsOnly(first.server());
  }

  @Test
  void answers502WhileThePinnedBackendIsDownAndPoolClientsMoveOn() {
    Backend victim = backends.get("s3");
    try {
      victim.kill();
      RawWebSocket pinned = RawWebSocket.probe(nginx.wsUri("/ws"), Map.of("Cookie", "srv=s3"), null);
      assertThat(pinned.status()).as("nginx cookie routing never fails over").isEqualTo(502);
      assertThat(Landings.of(6, nginx.wsUri("/ws"), Map.of(), null).servers()).doesNotContain("s3");
    } finally {
      victim.start();
    }
    assertThat(RawWebSocket.probe(nginx.wsUri("/ws"), Map.of("Cookie", "srv=s3"), null).server()).isEqualTo("s3");
  }

  @Test
  void layeredChainNginxTlsToHaproxyCookieToBackends() {
    Rig rig = RIG.rig();
    Certificates certificates = rig.certificates();
    try (Haproxy haproxy = rig.haproxy(backends, h -> { });
        Nginx front = rig.nginx(n -> n.upstream(haproxy).tls(certificates))) {
      RawWebSocket first = RawWebSocket.probe(front.wssUri("/ws"), Map.of(), certificates.sslContext());
      assertThat(first.status()).isEqualTo(101);
      String cookie = first.cookiePair("SERVERID");
      assertThat(cookie).as("HAProxy's cookie through nginx").isEqualTo("SERVERID=" + first.server());

      assertThat(Landings.of(20, front.wssUri("/ws"), Map.of("Cookie", cookie), certificates.sslContext())
          .servers()).containsOnly(first.server());
      Landings spread = Landings.of(20, front.wssUri("/ws"), Map.of(), certificates.sslContext());
      assertThat(spread.distinct()).as("%s", spread).isGreaterThanOrEqualTo(2);
    }
  }
}
