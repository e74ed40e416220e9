package io.stickyws.samples.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.samples.check.StickyCheckProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Each balancer of the lab, started from the checked-in configuration, is sticky for sticky-check. */
class LabIT {
  private static final Path CONFIGS = Path.of(System.getProperty("stickyws.samples.lab", "lab"));

  @ParameterizedTest
  @EnumSource(Lab.Balancer.class)
  void eachBalancerOfTheLabIsSticky(Lab.Balancer balancer) throws Exception {
    Path dir = Files.createTempDirectory("stickyws-lab-it-");
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
          .containsEntry("distinctFirstMessages", 1L).containsEntry("distinctAffinities", 1L);
      assertThat((Long) plain.summary().get("distinctFirstMessages")).as(plain.toString()).isGreaterThan(1L);
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void theScriptPrintsTheUrlsAndStopsEverythingOnSigterm() throws Exception {
    Path dir = Files.createTempDirectory("stickyws-lab-script-");
    Process script = new ProcessBuilder(CONFIGS.resolve("run-lab.sh").toAbsolutePath().toString(), "haproxy",
        "--dir", dir.toString())
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(script.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        // the script ended
      }
    }, "lab-script-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String ws = null;
      String stats = null;
      StringBuilder seen = new StringBuilder();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null) {
          continue;
        }
        seen.append(line).append('\n');
        Matcher m = Pattern.compile("WebSocket\\s+(ws://\\S+)").matcher(line);
        if (m.find()) {
          ws = m.group(1);
        }
        Matcher s = Pattern.compile("stats page\\s+(http://\\S+)").matcher(line);
        if (s.find()) {
          stats = s.group(1);
        }
        if (line.startsWith("Ctrl-C stops everything")) {
          break;
        }
      }
      assertThat(ws).as(seen.toString()).isNotNull();
      assertThat(stats).as(seen.toString()).endsWith("/stats");

      StickyCheckProcess.Run run = StickyCheckProcess.run(dir, ws, "--connections", "4", "--json");
      Map<String, Object> summary = run.summary();
      assertThat(summary).as(run.toString()).containsEntry("opened", 4L).containsEntry("distinctAffinities", 1L);
    } finally {
      script.destroy(); // SIGTERM: the lab's shutdown hook stops the balancer and the backends
      boolean exited = script.waitFor(20, TimeUnit.SECONDS);
      if (!exited) {
        script.descendants().forEach(ProcessHandle::destroyForcibly);
        script.destroyForcibly();
      }
      assertThat(exited).isTrue();
    }
    // the backends watch their stdin and the balancer is stopped by the hook: nothing of the lab survives
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && ProcessHandle.allProcesses()
        .anyMatch(p -> p.info().commandLine().orElse("").contains(dir.toString()))) {
      Thread.onSpinWait();
      TimeUnit.MILLISECONDS.sleep(100);
    }
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString())))
        .isEmpty();
  }
}
