package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Certificates;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Rig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** sticky-check run as a process (the shaded jar) against real HAProxy in front of three backend JVMs. */
class StickyCheckIT {
  private static final Set<String> CONNECTION_FIELDS =
      Set.of("type", "n", "client", "opened", "status", "firstMessage", "affinity", "sameBackend", "millis");
  private static final Set<String> SUMMARY_FIELDS =
      Set.of("type", "connections", "opened", "distinctFirstMessages", "distinctAffinities");

  private static Path dir;
  private static Rig rig;
  private static Haproxy haproxy;
  private static Certificates wrongName;
  private static Haproxy wrongNameHaproxy;

  @BeforeAll
  static void startRig() throws Exception {
    dir = Files.createTempDirectory("stickyws-samples-it-");
    rig = Rig.in(dir);
    Backends backends = rig.backends(3);
    haproxy = rig.haproxy(backends, h -> h.tls(rig.certificates()));
    wrongName = Certificates.generate(dir.resolve("wrong-name"), "wrong.example", "dns:wrong.example");
    wrongNameHaproxy = rig.haproxy(backends, h -> h.tls(wrongName));
  }

  @AfterAll
  static void stopRig() {
    if (rig != null) {
      rig.close();
    }
  }

  private static String ws() {
    return haproxy.wsUri("/ws").toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void connectionsModeIsStickyAndKeepsTheJsonContract(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", client, "--connections", "5", "--json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<Map<String, Object>> lines = run.json();
    assertThat(lines).hasSize(6);
    for (int i = 0; i < 5; i++) {
      Map<String, Object> line = lines.get(i);
      assertThat(line.keySet()).as(line.toString()).isEqualTo(CONNECTION_FIELDS);
      assertThat(line).containsEntry("type", "connection").containsEntry("n", (long) i + 1)
          .containsEntry("client", client).containsEntry("opened", true).containsEntry("status", 101L);
      assertThat((String) line.get("firstMessage")).matches("\\{\"server\":\"s[123]\"}");
      @SuppressWarnings("unchecked")
      Map<String, Object> affinity = (Map<String, Object>) line.get("affinity");
      assertThat(affinity).containsOnlyKeys("name", "fingerprint").containsEntry("name", "SERVERID");
      assertThat((String) affinity.get("fingerprint")).matches("[0-9a-f]{12}").doesNotContain("s1", "s2", "s3");
      assertThat(line.get("sameBackend")).isEqualTo(i == 0 ? "UNKNOWN" : "SAME");
      assertThat(line.get("millis")).isInstanceOf(Number.class);
    }
    Map<String, Object> summary = run.summary();
    assertThat(summary.keySet()).isEqualTo(SUMMARY_FIELDS);
    assertThat(summary).containsEntry("connections", 5L).containsEntry("opened", 5L)
        .containsEntry("distinctFirstMessages", 1L).containsEntry("distinctAffinities", 1L);
    assertThat(String.join("\n", run.stdout())).doesNotContain("SERVERID=");
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void holdModeReportsTheOpenAndTheCloseAsJsonLines(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", client, "--hold", "2s", "--ping",
        "500ms", "--wait", "1s", "--json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<Map<String, Object>> lines = run.json();
    Map<String, Object> open = lines.get(0);
    assertThat(open.keySet()).containsExactly("type", "n", "firstMessage", "affinity", "sameBackend");
    assertThat(open).containsEntry("type", "open").containsEntry("n", 1L).containsEntry("sameBackend", "UNKNOWN");
    assertThat((String) open.get("firstMessage")).matches("\\{\"server\":\"s[123]\"}");
    assertThat(lines).filteredOn(l -> "closed".equals(l.get("type"))).singleElement()
        .satisfies(closed -> assertThat(closed).containsEntry("code", 1000L).containsKey("reason"));
    assertThat(run.summary()).containsEntry("opened", 1L).containsEntry("connections", 1L)
        .containsEntry("distinctAffinities", 1L);
  }

  @Test
  void holdModeReportsTheFailoverWhenThePinnedBackendDies() throws Exception {
    Backends backends = rig.backends(3);
    Haproxy own = rig.haproxy(backends, h -> { });
    // pin the jar to s1 first, then hold from the same jar file while s1 is killed
    Path jar = dir.resolve("failover-cookies.txt");
    StickyCheckProcess.Run first = StickyCheckProcess.run(dir, own.wsUri("/ws").toString(), "--jar", jar.toString(),
        "--connections", "1", "--json");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    String pinned = ((String) first.json().get(0).get("firstMessage")).replaceAll(".*\"(s\\d)\".*", "$1");
    backends.get(pinned).kill();

    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, own.wsUri("/ws").toString(), "--jar", jar.toString(),
        "--hold", "4s", "--json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<Map<String, Object>> lines = run.json();
    Map<String, Object> open = lines.stream().filter(l -> "open".equals(l.get("type"))).reduce((a, b) -> b).get();
    assertThat((String) open.get("firstMessage")).as(run.toString()).doesNotContain(pinned);
    assertThat(run.summary()).containsEntry("distinctAffinities", 1L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void noCookiesIsShownNotSticky(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", client, "--connections", "6",
        "--no-cookies", "--json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    Map<String, Object> summary = run.summary();
    assertThat((Long) summary.get("distinctFirstMessages")).as(run.toString()).isGreaterThan(1L);
    assertThat((Long) summary.get("distinctAffinities")).isGreaterThan(1L);
    assertThat(run.json()).filteredOn(l -> "CHANGED".equals(l.get("sameBackend"))).isNotEmpty();
  }

  @Test
  void humanOutputIsATableAndAVerdict() {
    StickyCheckProcess.Run sticky = StickyCheckProcess.run(dir, ws(), "--connections", "4");
    StickyCheckProcess.Run plain = StickyCheckProcess.run(dir, ws(), "--connections", "6", "--no-cookies");

    assertThat(sticky.exitCode()).isZero();
    assertThat(sticky.stdout().get(0)).startsWith("sticky-check ws://127.0.0.1:");
    assertThat(sticky.stdout()).anyMatch(l -> l.contains("first message") && l.contains("affinity"));
    assertThat(sticky.stdout().get(sticky.stdout().size() - 1)).isEqualTo("sticky: 4/4 on one backend");
    assertThat(plain.stdout().get(plain.stdout().size() - 1)).as(plain.toString())
        .matches("NOT sticky: [23] backends in 6 connections: .*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void wssWithCacertTrustsTheGivenCertificate(String client) {
    String wss = haproxy.wssUri("/ws").toString();
    StickyCheckProcess.Run trusted = StickyCheckProcess.run(dir, wss, "--client", client, "--connections", "2",
        "--cacert", rig.certificates().certPem().toString(), "--json");
    StickyCheckProcess.Run untrusted = StickyCheckProcess.run(dir, wss, "--client", client, "--connections", "1",
        "--json");

    assertThat(trusted.exitCode()).as(trusted.toString()).isZero();
    assertThat(trusted.summary()).containsEntry("opened", 2L).containsEntry("distinctAffinities", 1L);
    assertThat(untrusted.exitCode()).as(untrusted.toString()).isEqualTo(1);
    assertThat(untrusted.json().get(0)).containsEntry("opened", false).containsEntry("status", null)
        .containsEntry("affinity", null).containsEntry("firstMessage", null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"okhttp", "jdk", "java-websocket"})
  void cacertAddsTrustButNotAnotherName(String client) {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, wrongNameHaproxy.wssUri("/ws").toString(),
        "--client", client, "--connections", "1", "--cacert", wrongName.certPem().toString(), "--json");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.json().get(0)).as(run.toString()).containsEntry("opened", false)
        .containsEntry("status", null).containsEntry("firstMessage", null);
  }

  @Test
  void failedConnectionsExitWithOne() {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + io.stickyws.testkit.Ports.free()
        + "/ws", "--connections", "2", "--json");
    StickyCheckProcess.Run held = StickyCheckProcess.run(dir, "ws://127.0.0.1:" + io.stickyws.testkit.Ports.free()
        + "/ws", "--hold", "1500ms", "--json");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.json().get(0)).containsEntry("opened", false).containsEntry("sameBackend", "UNKNOWN");
    assertThat(run.summary()).containsEntry("connections", 2L).containsEntry("opened", 0L);
    assertThat(held.exitCode()).as(held.toString()).isEqualTo(1);
    assertThat(held.json()).anyMatch(l -> "disconnected".equals(l.get("type")) && Boolean.TRUE.equals(l.get("willRetry"))
        && l.get("code").equals(1006L) && l.get("nextDelayMillis") instanceof Long);
    assertThat(held.json()).anyMatch(l -> "reconnecting".equals(l.get("type")) && l.get("attempt").equals(2L));
  }

  @Test
  void badArgumentsExitWithTwoAndAUsageMessage() {
    StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws(), "--client", "curl");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr()).contains("Usage: sticky-check");
  }
}
