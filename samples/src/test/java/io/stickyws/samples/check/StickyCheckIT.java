package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.samples.lab.TempDirs;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Certificates;
import io.stickyws.testkit.EnvoyRouter;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.HaproxyAdmin;
import io.stickyws.testkit.Nginx;
import io.stickyws.testkit.Ports;
import io.stickyws.testkit.Rig;
import io.stickyws.testing.MiniJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sticky-check run as a process (the shaded jar) against real HAProxy (and nginx as a plain round robin) in front of
 * three backend JVMs: one test per verdict, each asserting the verdict line, the JSON summary's verdict and the exit
 * code.
 */
class StickyCheckIT {
  private static final String CONVENTION = "HAProxy (cookie \"SERVERID\")";

  private static Path dir;
  private static Rig rig;
  private static Backends backends;
  private static Haproxy haproxy;
  private static Certificates wrongName;
  private static Haproxy wrongNameHaproxy;

  @BeforeAll
  static void startRig() throws Exception {
    dir = Files.createTempDirectory("stickyws-samples-it-");
    rig = Rig.in(dir);
    backends = rig.backends(3);
    haproxy = rig.haproxy(backends, h -> h.tls(rig.certificates()));
    wrongName = Certificates.generate(dir.resolve("wrong-name"), "wrong.example", "dns:wrong.example");
    wrongNameHaproxy = rig.haproxy(backends, h -> h.tls(wrongName));
  }

  @AfterAll
  static void stopRig() {
    try {
      if (rig != null) {
        rig.close();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  private static String ws() {
    return haproxy.wsUri("/ws").toString();
  }

  /** Asserts the verdict of a --json run: the summary's verdict, exit code and verdict line, and the exit code. */
  private static Map<String, Object> assertJsonVerdict(StickyCheckProcess.Run run, String verdict, int exitCode,
      String linePattern) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
    Map<String, Object> summary = run.summary();
    assertThat(summary).as(run.toString()).containsEntry("verdict", verdict)
        .containsEntry("exitCode", (long) exitCode);
    assertThat((String) summary.get("verdictLine")).as(run.toString()).matches(linePattern);
    assertThat(run.stderr()).as("the verdict line for a person, on stderr")
        .contains(summary.get("verdictLine") + "\n" + "next: " + summary.get("next"));
    return summary;
  }

  /** Asserts the verdict of a human run: the verdict line, the next-step line and the exit code. */
  private static String assertTextVerdict(StickyCheckProcess.Run run, int exitCode, String linePattern) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
    String line = run.lineStartingWith("sticky:", "NOT sticky:", "failed over:", "could not connect:", "cannot tell:");
    assertThat(line).as(run.toString()).matches(linePattern);
    assertThat(run.stdout().get(run.stdout().size() - 1)).startsWith("next: ");
    return line;
  }

  // ------------------------------------------------------------------------------------------ the JSON contract

  @Test
  void todaysJsonLinesKeepTheirFieldsAndTypes() {
    StickyCheckProcess.Run cycles = StickyCheckProcess.run(dir, ws(), "--connections", "2", "--json");
    StickyCheckProcess.Run failed = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + Ports.free() + "/ws",
        "--connections", "1", "--json");
    StickyCheckProcess.Run held = StickyCheckProcess.run(dir, ws(), "--hold", "1500ms", "--ping", "500ms", "--json");
    StickyCheckProcess.Run retrying = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + Ports.free() + "/ws",
        "--hold", "1500ms", "--json");

    for (StickyCheckProcess.Run run : List.of(cycles, failed, held, retrying)) {
      JsonContract.assertKept(run.json());
    }
    assertThat(cycles.json()).extracting(l -> l.get("type")).containsExactly("connection", "connection", "summary");
    assertThat(held.json()).extracting(l -> l.get("type")).containsExactly("open", "closed", "summary");
    assertThat(retrying.json()).extracting(l -> (String) l.get("type"))
        .contains("disconnected", "reconnecting", "closed", "summary");
    assertThat(cycles.json().get(0).keySet()).containsAll(JsonContract.fields("connection"))
        .contains("error");
    assertThat(cycles.summary()).containsKeys("verdict", "exitCode");
  }

  // ------------------------------------------------------------------------------------------ sticky

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void stickyThroughHaproxy(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", client, "--connections", "5", "--json");

    Map<String, Object> summary = assertJsonVerdict(run, "sticky", 0, "sticky: 5/5 on one backend");
    assertThat(summary).containsEntry("convention", CONVENTION).containsEntry("distinctAffinities", 1L);
    // every cycle is a new connection: the engine has no earlier backend to compare its one open with
    assertThat(summary.get("opens")).isEqualTo(Map.of("same", 0L, "changed", 0L, "unknown", 5L));
    assertThat(summary.get("reconnectMillis")).as("no reconnect: null percentiles")
        .isEqualTo(nullPercentiles());
    assertThat(String.join("\n", run.stdout())).doesNotContain("SERVERID=").doesNotContain("\"value\"");
  }

  @Test
  void stickyHumanOutputNamesTheConventionAndTheNextStep() {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--connections", "4");

    assertTextVerdict(run, 0, "sticky: 4/4 on one backend");
    assertThat(run.stdout()).contains("opens: 0 same, 0 changed, 4 unknown; 0 reconnects");
    assertThat(run.stdout().get(0)).startsWith("sticky-check ws://127.0.0.1:");
    assertThat(run.stdout()).anyMatch(l -> l.contains("first message") && l.contains("affinity"))
        .contains("convention: " + CONVENTION);
  }

  @Test
  void anEnvoyStatefulSessionCookieIsNamedByItsConvention() {
    EnvoyRouter envoy = rig.envoyRouter(backends, e -> e.cookieName("app-session"));
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, envoy.wsUri("/ws").toString(), "--connections", "4",
        "--json");
    StickyCheckProcess.Run text = StickyCheckProcess.run(dir, envoy.wsUri("/ws").toString(), "--connections", "2");

    assertJsonVerdict(run, "sticky", 0, "sticky: 4/4 on one backend");
    assertThat(run.summary()).containsEntry("convention", "Envoy stateful session (cookie \"app-session\")");
    assertTextVerdict(text, 0, "sticky: 2/2 on one backend");
    assertThat(text.stdout()).contains("convention: Envoy stateful session (cookie \"app-session\")");
  }

  @Test
  void revealAffinityShowsTheValueTheBalancerSet() {
    StickyCheckProcess.Run json = StickyCheckProcess.run(dir, ws(), "--connections", "2", "--json",
        "--reveal-affinity");
    StickyCheckProcess.Run text = StickyCheckProcess.run(dir, ws(), "--connections", "1", "--reveal-affinity");

    @SuppressWarnings("unchecked")
    Map<String, Object> affinity = (Map<String, Object>) json.json().get(0).get("affinity");
    assertThat(affinity).containsOnlyKeys("name", "fingerprint", "value");
    assertThat((String) affinity.get("value")).matches("s[123]");
    assertThat(text.stdout()).anyMatch(l -> l.matches(".*SERVERID [0-9a-f]{12} =s[123].*"));
  }

  // ------------------------------------------------------------------------------------------ failed over

  /** What breaks the pinned backend while a held connection is open. */
  private interface Breaker {
    void breakIt(Backends backends, Haproxy balancer, String pinned);
  }

  /**
   * Holds one connection for {@code hold} through its own HAProxy and backends, breaks the backend it is pinned to
   * once it is open, and returns the finished run; the pinned backend's id is in {@code pinned[0]}.
   */
  private static StickyCheckProcess.Run holdAndBreak(String hold, Breaker breaker, String[] pinned) {
    try (Backends own = rig.backends(3); Haproxy balancer = rig.haproxy(own, h -> { });
        StickyCheckProcess.Running running = StickyCheckProcess.start(dir, balancer.wsUri("/ws").toString(),
            "--hold", hold, "--json")) {
      String open = running.awaitLine(l -> l.contains("\"type\":\"open\""), Duration.ofSeconds(30));
      pinned[0] = ((String) MiniJson.parseObject(open).get("firstMessage")).replaceAll(".*\"(s\\d)\".*", "$1");
      assertThat(pinned[0]).as(open).matches("s[123]");
      breaker.breakIt(own, balancer, pinned[0]);
      return running.finish();
    }
  }

  @Test
  void failoverAfterKillMinus9IsACleanFailover() {
    String[] pinned = new String[1];
    StickyCheckProcess.Run run = holdAndBreak("8s", (backends, balancer, id) -> backends.get(id).kill(), pinned);

    assertJsonVerdict(run, "failed-over", 0,
        "failed over: moved once after the connection dropped \\(1006.*\\), then stayed on the new backend");
    List<Map<String, Object>> opens = run.json().stream().filter(l -> "open".equals(l.get("type"))).toList();
    assertThat(opens).as(run.toString()).hasSize(2);
    assertThat((String) opens.get(1).get("firstMessage")).doesNotContain(pinned[0]);
    assertThat(opens.get(1)).containsEntry("sameBackend", "CHANGED");
    assertThat(run.json()).anyMatch(l -> "disconnected".equals(l.get("type")) && l.get("error") instanceof Map);
    assertThat(run.json()).anyMatch(l -> "affinityChanged".equals(l.get("type")));
    JsonContract.assertKept(run.json());
    assertOneReconnectReported(run);
  }

  /** The summary's engine figures for a held connection that moved once: 1 UNKNOWN and 1 CHANGED open, 1 reconnect. */
  private static void assertOneReconnectReported(StickyCheckProcess.Run run) {
    Map<String, Object> summary = run.summary();
    assertThat(summary.get("opens")).as(run.toString()).isEqualTo(Map.of("same", 0L, "changed", 1L, "unknown", 1L));
    @SuppressWarnings("unchecked")
    Map<String, Object> reconnect = (Map<String, Object>) summary.get("reconnectMillis");
    assertThat(reconnect).as(run.toString()).containsEntry("count", 1L);
    assertThat(((Number) reconnect.get("p50")).doubleValue()).as(run.toString()).isPositive()
        .isEqualTo(((Number) reconnect.get("p99")).doubleValue()).isLessThan(6000.0);
  }

  private static Map<String, Object> nullPercentiles() {
    Map<String, Object> none = new HashMap<>();
    none.put("p50", null);
    none.put("p99", null);
    none.put("count", 0L);
    return none;
  }

  @Test
  void drainWith1012IsACleanFailover() {
    StickyCheckProcess.Run run = holdAndBreak("6s", (backends, balancer, id) -> {
      balancer.admin().setState(id, HaproxyAdmin.State.DRAIN);
      assertThat(backends.get(id).closeAll(1012)).isEqualTo(1);
    }, new String[1]);

    assertJsonVerdict(run, "failed-over", 0, "failed over: moved once after the backend restarted or drained "
        + "\\(close 1012\\), then stayed on the new backend");
    assertThat(run.json()).anyMatch(l -> "disconnected".equals(l.get("type")) && l.get("code").equals(1012L));
    assertOneReconnectReported(run);
  }

  // ------------------------------------------------------------------------------------------ not sticky

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void noCookiesIsNotSticky(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", client, "--connections", "6",
        "--no-cookies", "--json");

    Map<String, Object> summary = assertJsonVerdict(run, "not-sticky", 3,
        "NOT sticky: [23] backends in 6 connections: --no-cookies sends no affinity cookie, as a plain client does");
    assertThat((Long) summary.get("distinctFirstMessages")).isGreaterThan(1L);
    assertThat(run.json()).filteredOn(l -> "CHANGED".equals(l.get("sameBackend"))).isNotEmpty();
  }

  @Test
  void noCookiesHumanOutput() {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--connections", "6", "--no-cookies");

    assertTextVerdict(run, 3, "NOT sticky: [23] backends in 6 connections: --no-cookies sends no affinity cookie, "
        + "as a plain client does");
  }

  @Test
  void aRoundRobinWithoutCookiesDoesNoCookieAffinity() {
    Nginx roundRobin = rig.nginx(n -> n.backends(backends));
    String url = roundRobin.wsUri("/ws").toString();
    StickyCheckProcess.Run json = StickyCheckProcess.run(dir, url, "--connections", "6", "--json");
    StickyCheckProcess.Run text = StickyCheckProcess.run(dir, url, "--connections", "6");

    Map<String, Object> summary = assertJsonVerdict(json, "no-affinity-cookie", 3, "NOT sticky: [23] backends in 6 "
        + "connections \\(judged by first message\\) and the balancer set no cookie at all: it does not do cookie "
        + "affinity \\(Linkerd, Cilium without Gateway API session persistence, a plain round robin\\)");
    assertThat(summary).containsEntry("convention", null);
    assertThat((String) summary.get("next")).contains("header or query parameter");
    assertTextVerdict(text, 3, "NOT sticky: .* it does not do cookie affinity .*");
    assertThat(text.stdout()).contains("convention: no affinity cookie recognised");
  }

  // ------------------------------------------------------------------------------------------ could not connect

  @Test
  void refusedPort() {
    String url = "ws://127.0.0.1:" + Ports.free() + "/ws";
    StickyCheckProcess.Run json = StickyCheckProcess.run(dir, url, "--connections", "2", "--json");
    StickyCheckProcess.Run text = StickyCheckProcess.run(dir, url, "--connections", "1");

    assertJsonVerdict(json, "could-not-connect", 1, "could not connect: connection refused \\(0/2 opened\\)");
    assertThat(json.json().get(0)).containsEntry("opened", false).containsEntry("status", null)
        .containsEntry("sameBackend", "UNKNOWN");
    assertThat(error(json.json().get(0))).containsEntry("class", "refused");
    assertThat((String) error(json.json().get(0)).get("message")).contains("ConnectException");
    assertTextVerdict(text, 1, "could not connect: connection refused \\(0/1 opened\\)");
    assertThat(text.stdout()).anyMatch(l -> l.startsWith("      error: ") && l.contains("ConnectException"));
  }

  @Test
  void refusedPortInHoldMode() {
    StickyCheckProcess.Run held = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + Ports.free() + "/ws", "--hold",
        "1500ms", "--json");

    assertJsonVerdict(held, "could-not-connect", 1, "could not connect: connection refused \\(0/\\d+ opened\\)");
    assertThat(held.json()).anyMatch(l -> "disconnected".equals(l.get("type")) && Boolean.TRUE.equals(l.get("willRetry"))
        && l.get("code").equals(1006L) && l.get("nextDelayMillis") instanceof Long
        && "refused".equals(error(l).get("class")));
    assertThat(held.json()).filteredOn(l -> "disconnected".equals(l.get("type")))
        .allSatisfy(l -> assertThat((String) l.get("reason")).doesNotContain("Exception"));
    assertThat(held.json()).filteredOn(l -> "closed".equals(l.get("type"))).singleElement()
        .satisfies(l -> assertThat(error(l)).containsEntry("class", "refused"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void unknownHost(String client) {
    String url = "ws://nowhere.stickyws.invalid:8080/ws";
    StickyCheckProcess.Run json = StickyCheckProcess.run(dir, url, "--client", client, "--connections", "1",
        "--json");

    assertJsonVerdict(json, "could-not-connect", 1, "could not connect: unknown host \\(0/1 opened\\)");
    assertThat(error(json.json().get(0))).as(json.toString()).containsEntry("class", "unknown-host");
  }

  @Test
  void unknownHostHumanOutput() {
    StickyCheckProcess.Run text = StickyCheckProcess.run(dir, "ws://nowhere.stickyws.invalid/ws", "--connections",
        "1");

    assertTextVerdict(text, 1, "could not connect: unknown host \\(0/1 opened\\)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void tlsWithoutCacertSuggestsCacert(String client) {
    String wss = haproxy.wssUri("/ws").toString();
    StickyCheckProcess.Run trusted = StickyCheckProcess.run(dir, wss, "--client", client, "--connections", "2",
        "--cacert", rig.certificates().certPem().toString(), "--json");
    StickyCheckProcess.Run untrusted = StickyCheckProcess.run(dir, wss, "--client", client, "--connections", "1",
        "--json");

    assertJsonVerdict(trusted, "sticky", 0, "sticky: 2/2 on one backend");
    Map<String, Object> summary = assertJsonVerdict(untrusted, "could-not-connect", 1,
        "could not connect: TLS handshake failed \\(0/1 opened\\)");
    assertThat((String) summary.get("next")).contains("--cacert").contains("hostname verification is never turned off");
    assertThat(untrusted.json().get(0)).containsEntry("opened", false).containsEntry("status", null)
        .containsEntry("affinity", null).containsEntry("firstMessage", null);
    assertThat(error(untrusted.json().get(0))).containsEntry("class", "tls");
  }

  @Test
  void tlsWithoutCacertHumanOutputShowsTheWholeError() {
    StickyCheckProcess.Run text = StickyCheckProcess.run(dir, haproxy.wssUri("/ws").toString(), "--connections", "1");

    assertTextVerdict(text, 1, "could not connect: TLS handshake failed \\(0/1 opened\\)");
    String error = text.stdout().stream().filter(l -> l.startsWith("      error: ")).findFirst().orElseThrow();
    assertThat(error).as(text.toString()).contains("SSLHandshakeException").doesNotContain("...");
    assertThat(error.length()).isGreaterThan(60);
    assertThat(text.stdout().get(text.stdout().size() - 1)).contains("--cacert");
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void cacertAddsTrustButNotAnotherName(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, wrongNameHaproxy.wssUri("/ws").toString(),
        "--client", client, "--connections", "1", "--cacert", wrongName.certPem().toString(), "--json");

    assertJsonVerdict(run, "could-not-connect", 1, "could not connect: TLS handshake failed \\(0/1 opened\\)");
    assertThat(run.json().get(0)).as(run.toString()).containsEntry("opened", false)
        .containsEntry("status", null).containsEntry("firstMessage", null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void aServerThatNeverAnswersTimesOutPerHandshake(String client) throws Exception {
    try (Silent silent = new Silent()) {
      StickyCheckProcess.Run run = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + silent.port() + "/ws",
          "--client", client, "--connections", "3", "--handshake-timeout", "1s", "--json");

      assertJsonVerdict(run, "could-not-connect", 1, "could not connect: timed out \\(0/3 opened\\)");
      assertThat(run.json()).filteredOn(l -> "connection".equals(l.get("type"))).hasSize(3)
          .allSatisfy(l -> assertThat(error(l)).containsEntry("class", "timeout"));
      assertThat(silent.accepted()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aDeadlineEndsTheRun() throws Exception {
    try (Silent silent = new Silent()) {
      StickyCheckProcess.Run run = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + silent.port() + "/ws",
          "--connections", "10", "--handshake-timeout", "1s", "--deadline", "3500ms", "--json");

      assertJsonVerdict(run, "could-not-connect", 1, "could not connect: timed out \\(0/[1-4] opened\\) "
          + "\\(--deadline ended the run\\)");
      assertThat((Long) run.summary().get("connections")).isLessThan(10L);
    }
  }

  @Test
  void badArgumentsExitWithTwoAndAUsageMessage() {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", "curl");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr()).contains("Usage: sticky-check");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> error(Map<String, Object> line) {
    assertThat(line).containsKey("error");
    assertThat(line.get("error")).as(line.toString()).isInstanceOf(Map.class);
    Map<String, Object> error = (Map<String, Object>) line.get("error");
    assertThat(error).containsOnlyKeys("class", "message");
    return error;
  }

  /** Accepts TCP connections on loopback and never answers a byte. */
  private static final class Silent implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    Silent() throws IOException {
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            held.add(server.accept());
          } catch (IOException e) {
            return; // closed
          }
        }
      }, "silent-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return held.size();
    }

    @Override
    public void close() throws Exception {
      server.close();
      for (Socket socket : held) {
        socket.close();
      }
      acceptor.join(5000);
    }
  }
}
