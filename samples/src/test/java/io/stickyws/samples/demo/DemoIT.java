package io.stickyws.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.samples.lab.TempDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

/** The demo, both ways: with real HAProxy and with the embedded sticky router. */
class DemoIT {

  private static Demo.Result runDemo(boolean embedded, ByteArrayOutputStream log) throws Exception {
    Path dir = Files.createTempDirectory("stickyws-demo-it-");
    long start = System.nanoTime();
    Demo.Result result;
    try {
      result = Demo.run(new PrintStream(log, true, StandardCharsets.UTF_8), embedded, 6, dir);
    } finally {
      TempDirs.delete(dir);
    }
    assertThat((System.nanoTime() - start) / 1e9).as("seconds").isLessThan(60);
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
        .as("processes left running").isEmpty();
    return result;
  }

  private static void assertStoryHolds(Demo.Result result, String log) {
    assertThat(new HashSet<>(result.plain())).as(log).hasSizeGreaterThan(1);
    assertThat(new HashSet<>(result.sticky())).as(log).hasSize(1);
    assertThat(result.killed()).isEqualTo(result.sticky().get(0));
    assertThat(result.failedOverTo()).isNotEqualTo(result.killed());
    assertThat(result.affinityChanged()).isTrue();
    assertThat(result.after()).as(log).containsOnly(result.failedOverTo());
    assertThat(log).contains("summary (").contains("failed over once, then sticky on " + result.failedOverTo())
        .contains("stopped every process the demo started").doesNotContain("SERVERID=");
  }

  @Test
  void withHaproxy() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Demo.Result result = runDemo(false, log);
    String text = log.toString(StandardCharsets.UTF_8);

    assertThat(result.balancer()).isEqualTo("HAProxy");
    assertThat(text).contains("balancer: real HAProxy");
    assertStoryHolds(result, text);
  }

  @Test
  void withTheEmbeddedRouter() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Demo.Result result = runDemo(true, log);
    String text = log.toString(StandardCharsets.UTF_8);

    assertThat(result.balancer()).isEqualTo("embedded router");
    assertThat(text).contains("balancer: the embedded sticky router");
    assertStoryHolds(result, text);
  }
}
