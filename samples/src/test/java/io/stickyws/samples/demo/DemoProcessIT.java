package io.stickyws.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.samples.check.StickyCheckProcess;
import io.stickyws.samples.lab.ScriptProcess;
import io.stickyws.samples.lab.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo run as a process, as {@code scripts/demo} runs it: it leaves no temporary directory, also on Ctrl-C. */
class DemoProcessIT {
  private Path tmpdir;

  @BeforeEach
  void tmpdir() throws Exception {
    tmpdir = Files.createTempDirectory(Path.of("target"), "demo-tmpdir-");
  }

  @AfterEach
  void deleteTmpdir() {
    TempDirs.delete(tmpdir);
  }

  private ScriptProcess demo(String connections) {
    return ScriptProcess.start(tmpdir, Map.of(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", StickyCheckProcess.jar().toAbsolutePath().toString(), Demo.class.getName(), "--embedded",
        "--connections", connections);
  }

  @Test
  void aFinishedDemoLeavesNoTemporaryDirectory() {
    try (ScriptProcess demo = demo("6")) {
      assertThat(demo.awaitExit(Duration.ofSeconds(120))).as(demo.output()).isZero();
      assertThat(demo.output()).contains("stopped every process the demo started");
      assertThat(ScriptProcess.leftovers(tmpdir)).as(demo.output()).isEmpty();
    }
  }

  @Test
  void ctrlCStopsTheBackendsAndLeavesNoTemporaryDirectory() {
    try (ScriptProcess demo = demo("500")) { // long enough to be interrupted half-way
      demo.await(Pattern.compile("WebSocket URL ws://"), Duration.ofSeconds(60));
      List<Long> children = ProcessHandle.of(demo.pid()).orElseThrow().descendants().map(ProcessHandle::pid)
          .collect(Collectors.toList());
      assertThat(children).as(demo.output()).hasSizeGreaterThanOrEqualTo(3); // the backend JVMs
      assertThat(ScriptProcess.leftovers(tmpdir)).hasSize(1);

      ScriptProcess.signal("INT", demo.pid());

      assertThat(demo.awaitExit(Duration.ofSeconds(30))).as(demo.output()).isEqualTo(130);
      assertThat(demo.output()).contains("interrupted: stopped every process the demo started");
      assertThat(children).noneMatch(ScriptProcess::alive);
      assertThat(ScriptProcess.leftovers(tmpdir)).as(demo.output()).isEmpty();
    }
  }
}
