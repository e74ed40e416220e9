package io.stickyws.samples.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.samples.check.StickyCheckProcess;
import io.stickyws.testing.MiniJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each balancer of the lab, started from the checked-in configuration, is sticky for sticky-check; {@code run-lab.sh}
 * prints every process id, kills and restarts a backend on command, stops everything when the balancer dies or on
 * Ctrl-C, and leaves no temporary directory behind.
 */
class LabIT {
  private static final Path CONFIGS = Path.of(System.getProperty("stickyws.samples.lab", "lab"));
  private static final Duration START = Duration.ofSeconds(90);

  private Path dir;
  private Path tmpdir;

  @BeforeEach
  void dirs() throws Exception {
    dir = Files.createTempDirectory("stickyws-lab-it-");
    // short: HAProxy refuses an admin socket path over 97 characters
    tmpdir = Files.createTempDirectory("lab-tmpdir-");
  }

  @AfterEach
  void deleteDirs() {
    TempDirs.delete(dir);
    TempDirs.delete(tmpdir);
  }

  @ParameterizedTest
  @EnumSource(Lab.Balancer.class)
  void eachBalancerOfTheLabIsSticky(Lab.Balancer balancer) throws Exception {
    try (Lab lab = Lab.start(balancer, CONFIGS, dir)) {
      String rendered = Files.readString(lab.renderedConfig());
      assertThat(rendered).doesNotContainPattern("\\{\\{[A-Z0-9_]+}}");
      String template = Files.readString(CONFIGS.resolve(balancer.configFile()));
      String shape = Pattern.quote(template).replaceAll("\\{\\{[A-Z0-9_]+}}", "\\\\E[^\\\\n]*\\\\Q");
      assertThat(Pattern.compile(shape).matcher(rendered).matches())
          .as("the rendered config is the checked-in one with only its placeholders filled:\n" + rendered).isTrue();

      StickyCheckProcess.Run sticky = StickyCheckProcess.run(dir, lab.wsUri("/ws").toString(), "--connections", "5",
          "--json");
      StickyCheckProcess.Run plain = StickyCheckProcess.run(dir, lab.wsUri("/ws").toString(), "--connections", "8",
          "--no-cookies", "--json");

      assertThat(sticky.exitCode()).as(sticky.toString()).isZero();
      assertThat(sticky.summary()).as(sticky.toString()).containsEntry("opened", 5L)
          .containsEntry("distinctFirstMessages", 1L).containsEntry("distinctAffinities", 1L)
          .containsEntry("verdict", "sticky").containsEntry("convention", Map.of(
              Lab.Balancer.HAPROXY, "HAProxy (cookie \"SERVERID\")",
              Lab.Balancer.NGINX, "nginx (cookie \"route\")",
              Lab.Balancer.CADDY, "Caddy (cookie \"lb\")").get(balancer));
      assertThat((Long) plain.summary().get("distinctFirstMessages")).as(plain.toString()).isGreaterThan(1L);
      assertThat(plain.exitCode()).as(plain.toString()).isEqualTo(3);
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  /** The pids the script printed: lab, haproxy, s1..s3. */
  private static Map<String, Long> pids(ScriptProcess script) {
    Map<String, Long> pids = new LinkedHashMap<>();
    pids.put("lab", Long.parseLong(script.await(Pattern.compile("^  lab +pid (\\d+)"), START).group(1)));
    pids.put("haproxy", Long.parseLong(script.await(Pattern.compile("^  haproxy +pid (\\d+)"), START).group(1)));
    for (String id : List.of("s1", "s2", "s3")) {
      pids.put(id, Long.parseLong(script.await(Pattern.compile("backend " + id + " +http://\\S+ +\\(pid (\\d+)\\)"),
          START).group(1)));
    }
    return pids;
  }

  private ScriptProcess runLab() {
    return ScriptProcess.start(tmpdir, Map.of(), CONFIGS.resolve("run-lab.sh").toAbsolutePath().toString(),
        "haproxy");
  }

  @Test
  void theScriptPrintsEveryPidKillsRestartsAndDrainsABackendAndStopsEverythingOnCtrlC() throws Exception {
    try (ScriptProcess script = runLab()) {
      Map<String, Long> pids = pids(script);
      String ws = script.await(Pattern.compile("WebSocket\\s+(ws://\\S+)"), START).group(1);
      script.await(Pattern.compile("stats page\\s+http://\\S+/stats"), START);
      script.await(Pattern.compile("^Ctrl-C stops everything"), START);
      assertThat(pids.get("lab")).isEqualTo(script.pid());
      assertThat(pids.values()).allMatch(ScriptProcess::alive);

      StickyCheckProcess.Run first = StickyCheckProcess.run(dir, ws, "--connections", "3", "--json");
      assertThat(first.summary()).as(first.toString()).containsEntry("verdict", "sticky");
      String pinned = backendOf(first);

      script.send("kill " + pinned);
      script.await(Pattern.compile("^killed \\(SIGKILL\\) backend " + pinned + " \\(pid " + pids.get(pinned) + "\\)"),
          START);
      script.await(Pattern.compile("^backend " + pinned + " \\(pid " + pids.get(pinned) + "\\) died; `start "
          + pinned + "` starts it again"), START);
      assertThat(ScriptProcess.alive(pids.get(pinned))).isFalse();
      StickyCheckProcess.Run moved = StickyCheckProcess.run(dir, ws, "--connections", "3", "--json");
      assertThat(moved.summary()).as(moved.toString()).containsEntry("verdict", "sticky");
      assertThat(backendOf(moved)).isNotEqualTo(pinned);

      script.send("start " + pinned);
      Matcher started = script.await(Pattern.compile("^started backend " + pinned + " \\(pid (\\d+)\\) http://(\\S+)"),
          START);
      long restarted = Long.parseLong(started.group(1));
      assertThat(restarted).isNotEqualTo(pids.get(pinned));
      assertThat(ScriptProcess.alive(restarted)).isTrue();
      HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://" + started.group(2) + "/health")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      script.send("status");
      script.await(Pattern.compile("^backend " + pinned + " \\S+ up \\(pid " + restarted + ","), START);

      try (StickyCheckProcess.Running held = StickyCheckProcess.start(dir, ws, "--hold", "6s")) {
        String open = held.awaitLine(l -> l.contains("open #1"), START);
        String on = open.replaceAll(".*\"server\":\"(s\\d)\".*", "$1");
        script.send("drain " + on);
        script.await(Pattern.compile("^haproxy: server " + on + " set to drain"), START);
        script.await(Pattern.compile("^backend " + on + " closed 1 WebSockets with 1012"), START);
        StickyCheckProcess.Run drained = held.finish();
        assertThat(drained.exitCode()).as(drained.toString()).isZero();
        assertThat(drained.lineStartingWith("failed over:")).contains("(close 1012)");
      }

      ScriptProcess.signal("INT", script.pid()); // Ctrl-C
      assertThat(script.awaitExit(Duration.ofSeconds(30))).isEqualTo(130);
      pids.put(pinned, restarted);
      assertNothingLeft(pids, script);
    }
  }

  @Test
  void theLabStopsEverythingAndSaysSoWhenTheBalancerDies() {
    try (ScriptProcess script = runLab()) {
      Map<String, Long> pids = pids(script);
      script.await(Pattern.compile("^Ctrl-C stops everything"), START);
      assertThat(ScriptProcess.leftovers(tmpdir)).hasSize(1); // its temporary directory, while it runs

      ScriptProcess.signal("KILL", pids.get("haproxy"));

      script.await(Pattern.compile("^haproxy \\(pid " + pids.get("haproxy") + "\\) died \\(signal 9\\): stopping the "
          + "backends and the lab"), START);
      assertThat(script.awaitExit(Duration.ofSeconds(30))).as(script.output()).isEqualTo(1);
      assertNothingLeft(pids, script);
    }
  }

  @Test
  void quitStopsEverythingAndLeavesNoTemporaryDirectory() {
    try (ScriptProcess script = runLab()) {
      Map<String, Long> pids = pids(script);
      script.await(Pattern.compile("^Ctrl-C stops everything"), START);

      script.send("quit");

      assertThat(script.awaitExit(Duration.ofSeconds(30))).as(script.output()).isZero();
      assertNothingLeft(pids, script);
    }
  }

  private static String backendOf(StickyCheckProcess.Run run) {
    Object first = run.json().get(0).get("firstMessage");
    return String.valueOf(MiniJson.parseObject((String) first).get("server"));
  }

  /** Every process the lab printed is gone, and so is its temporary directory. */
  private void assertNothingLeft(Map<String, Long> pids, ScriptProcess script) {
    for (Map.Entry<String, Long> pid : pids.entrySet()) {
      awaitDead(pid.getKey(), pid.getValue(), script);
    }
    assertThat(ScriptProcess.leftovers(tmpdir)).as(script.output()).isEmpty();
  }

  /** Backends exit when their parent's pipe closes: allow them a bounded moment. */
  private static void awaitDead(String name, long pid, ScriptProcess script) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (ScriptProcess.alive(pid) && System.nanoTime() < deadline) {
      ProcessHandle.of(pid).ifPresent(h -> {
        try {
          h.onExit().get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          // still alive: look again
        }
      });
    }
    assertThat(ScriptProcess.alive(pid)).as(name + " (pid " + pid + ") still runs\n" + script.output()).isFalse();
  }
}
