package io.stickyws.it.rig;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.HaproxyAdmin;
import io.stickyws.testkit.Landings;
import io.stickyws.testkit.RawWebSocket;
import io.stickyws.testkit.Rig;
import io.stickyws.testkit.Wait;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HAProxy rig, proven with raw clients (no stickyws code): one HAProxy and three backend JVMs for the class. */
class HaproxyIT {
  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static Backends backends;
  private static Haproxy haproxy;

  @BeforeAll
  static void startRig() {
    Rig rig = RIG.rig();
    backends = rig.backends(3, id -> List.of("JSESSIONID=app-" + id + "; Path=/; HttpOnly"));
    haproxy = rig.haproxy(backends, h -> { });
  }

  @Test
  void spreadsClientsWithoutCookieAndInsertsServerId() {
    List<String> cookies = new ArrayList<>();
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      RawWebSocket landing = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null);
      assertThat(landing.status()).isEqualTo(101);
      servers.add(landing.server());
      cookies.add(landing.cookiePair("SERVERID"));
      assertThat(landing.setCookie("SERVERID")).containsIgnoringCase("path=/");
      assertThat(landing.setCookie("JSESSIONID")).as("the application's own cookie passes").isNotNull();
    }
    assertThat(servers).doesNotContainNull();
    assertThat(servers.stream().distinct().count()).as("landings %s", servers).isGreaterThanOrEqualTo(2);
    for (int i = 0; i < servers.size(); i++) {
      assertThat(cookies.get(i)).isEqualTo("SERVERID=" + servers.get(i));
    }
  }

  @Test
  void replayedServerIdCookieSticksTwentyOfTwenty() {
    RawWebSocket first = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null);
    String cookie = first.cookiePair("SERVERID");
    assertThat(cookie).isEqualTo("SERVERID=" + first.server());

    for (int i = 0; i < 20; i++) {
      RawWebSocket again = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of("Cookie", cookie), null);
      assertThat(again.server()).as("landing %d", i + 1).isEqualTo(first.server());
      assertThat(again.setCookie("SERVERID")).as("indirect: no new cookie for a valid one").isNull();
    }
  }

  @Test
  void killedBackendIsMarkedDownAndItsCookieRedispatched() {
    Backend victim = backends.get("s2");
    try {
      long start = System.nanoTime();
      victim.kill();
      assertThat(victim.isAlive()).isFalse();
      Wait.until(Duration.ofSeconds(10), "HAProxy to mark s2 DOWN",
          () -> "DOWN".equals(haproxy.admin().status("s2")), haproxy.admin()::serversState);
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      System.out.println("HAProxy saw kill -9 of s2 after " + millis + " ms");
      assertThat(millis).isLessThan(6000);

      RawWebSocket moved = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s2"), null);
      assertThat(moved.status()).isEqualTo(101);
      assertThat(moved.server()).isIn("s1", "s3");
      assertThat(moved.cookiePair("SERVERID")).as("a new affinity cookie").isEqualTo("SERVERID=" + moved.server());
    } finally {
      victim.start();
      Wait.until(Duration.ofSeconds(10), "s2 UP again", () -> "UP".equals(haproxy.admin().status("s2")),
          haproxy.admin()::serversState);
    }
  }

  @Test
  void drainTakesNoNewClientsButKeepsCookieClientsWhileMaintRedispatchesThem() {
    HaproxyAdmin admin = haproxy.admin();
    try {
      admin.setState("s1", HaproxyAdmin.State.DRAIN);
      assertThat(admin.status("s1")).isEqualTo("DRAIN");
      Landings fresh = Landings.of(12, haproxy.wsUri("/ws"), Map.of(), null);
      assertThat(fresh.servers()).as("new clients").doesNotContain("s1");
      RawWebSocket pinned = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s1"), null);
      assertThat(pinned.server()).as("a drained server still takes its cookie clients").isEqualTo("s1");

      admin.setState("s1", HaproxyAdmin.State.MAINT);
      assertThat(admin.status("s1")).isEqualTo("MAINT");
      RawWebSocket moved = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s1"), null);
      assertThat(moved.server()).as("maint redispatches cookie clients").isIn("s2", "s3");
      assertThat(moved.cookiePair("SERVERID")).isEqualTo("SERVERID=" + moved.server());
    } finally {
      admin.setState("s1", HaproxyAdmin.State.READY);
    }
    Wait.until(Duration.ofSeconds(5), "s1 UP after ready", () -> "UP".equals(admin.status("s1")));
  }

  @Test
  void answers503WithRetryAfterWhenNoServerIsAvailable() {
    HaproxyAdmin admin = haproxy.admin();
    try {
      backends.all().forEach(b -> admin.setState(b.id(), HaproxyAdmin.State.MAINT));
      RawWebSocket refused = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isEqualTo("1");
    } finally {
      backends.all().forEach(b -> admin.setState(b.id(), HaproxyAdmin.State.READY));
    }
    assertThat(RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null).status()).isEqualTo(101);
  }

  @Test
  void leastconnSpreadsHundredsOfOpenWebSockets() throws Exception {
    List<RawWebSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 150; i++) {
        open.add(RawWebSocket.open(haproxy.wsUri("/ws"), Map.of()));
      }
      for (Backend backend : backends.all()) {
        assertThat(backend.openWebSockets()).as("open on %s", backend.id()).isBetween(45, 55);
      }
      RawWebSocket one = open.get(149);
      one.send("hello");
      assertThat(one.receive()).isEqualTo("hello");
    } finally {
      open.forEach(RawWebSocket::close);
    }
    Wait.until(Duration.ofSeconds(10), "backends to see every socket closed",
        () -> backends.all().stream().mapToInt(Backend::openWebSockets).sum() == 0);
  }

  @Test
  void adminCloseSendsTheCloseCodeThroughTheTunnel() {
    try (RawWebSocket pinned = RawWebSocket.open(haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s3"))) {
      assertThat(pinned.server()).isEqualTo("s3");
      assertThat(backends.get("s3").closeAll(1012)).isGreaterThanOrEqualTo(1);
      assertThat(pinned.awaitClose(Duration.ofSeconds(5))).isEqualTo(1012);
    }
  }

  @Test
  void statsPageServesCsv() throws Exception {
    HttpResponse<String> csv = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(haproxy.statsUri() + ";csv")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body()).contains("be,s1,").contains("be,s2,").contains("be,s3,");
  }

  @Test
  void restartKeepsPortsAndCookieRouting() {
    int port = haproxy.httpPort();
    long oldPid = haproxy.pid();
    haproxy.restart();
    assertThat(haproxy.httpPort()).isEqualTo(port);
    assertThat(haproxy.pid()).isNotEqualTo(oldPid);
    assertThat(Landings.of(5, haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s2"), null).servers())
        .containsOnly("s2");
  }

  @Test
  void reloadLetsOpenTunnelsLiveOnInTheOldProcess() throws Exception {
    try (RawWebSocket open = RawWebSocket.open(haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s1"))) {
      long oldPid = haproxy.pid();
      haproxy.reload();
      assertThat(haproxy.pid()).isNotEqualTo(oldPid);
      assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive)).as("old process finishing its tunnel")
          .contains(true);
      open.send("still here");
      assertThat(open.receive()).isEqualTo("still here");
      assertThat(RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of("Cookie", "SERVERID=s1"), null).server())
          .isEqualTo("s1");
    }
    // the old process leaves once its last tunnel is closed (or after hard-stop-after)
  }
}
