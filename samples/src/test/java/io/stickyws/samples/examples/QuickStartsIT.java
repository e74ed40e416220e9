package io.stickyws.samples.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Rig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every README quick start runs as written, as its own JVM, against real HAProxy in front of three
 * backend JVMs: it lands on a backend, prints it and exits 0 within a few seconds (issue 13).
 */
class QuickStartsIT {
  private static Path dir;
  private static Rig rig;
  private static Haproxy haproxy;

  @BeforeAll
  static void startRig() throws Exception {
    dir = Files.createTempDirectory("stickyws-quickstarts-");
    rig = Rig.in(dir);
    haproxy = rig.haproxy(rig.backends(3), h -> { });
  }

  @AfterAll
  static void stopRig() {
    if (rig != null) {
      rig.close();
    }
  }

  /** Runs a quick start's main in a JVM of its own, in {@code workDir}; returns its stdout lines. */
  private static List<String> run(Class<?> quickStart, Path workDir) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path err = workDir.resolve(quickStart.getSimpleName() + ".err");
    Process process = new ProcessBuilder(java, "-cp", classPath, quickStart.getName(),
        haproxy.wsUri("/ws").toString())
        .directory(workDir.toFile()).redirectError(err.toFile()).start();
    try {
      long start = System.nanoTime();
      byte[] out = process.getInputStream().readAllBytes();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
      assertThat(process.exitValue()).as("exit status; stderr: %s", Files.readString(err))
          .isZero();
      System.out.println(quickStart.getSimpleName() + " ran in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
      return List.of(new String(out, StandardCharsets.UTF_8).split("\n"));
    } finally {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(classes = {JdkQuickStart.class, JavaWebSocketQuickStart.class})
  void theQuickStartLandsOnABackendAndExits(Class<?> quickStart) throws Exception {
    Path work = Files.createDirectories(dir.resolve(quickStart.getSimpleName()));
    List<String> out = run(quickStart, work);
    assertThat(out).anyMatch(line -> line.matches("landed on s[123]"));
  }

  @Test
  void theOkHttpQuickStartStaysOnItsBackendAcrossRestartsThroughItsFileJar() throws Exception {
    Path work = Files.createDirectories(dir.resolve("okhttp"));
    List<String> first = run(OkHttpQuickStart.class, work);
    assertThat(first).contains("open, backend UNKNOWN");
    String landed = first.stream().filter(l -> l.startsWith("landed on ")).findFirst().orElseThrow();
    assertThat(landed).matches("landed on s[123]");
    assertThat(Files.readString(work.resolve("cookies.txt"))).contains("SERVERID");

    List<String> second = run(OkHttpQuickStart.class, work);
    assertThat(second).contains("open, backend SAME", landed);
  }

  @Test
  void theClassPathIsTheTestClassPath() {
    assertThat(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")))
        .contains(File.pathSeparator);
  }
}
