package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write still pending when the JVM exits reaches the file (issue 13). */
class FileCookieJarShutdownTest {
  @TempDir Path dir;

  @Test
  void aPendingWriteSurvivesAMainThatReturnsWithoutClosingTheJar() throws Exception {
    Path file = dir.resolve("cookies.txt");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        UnclosedJarChild.class.getName(), file.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(file).exists();
    assertThat(Files.readString(file)).contains("lb.example.com\tFALSE\t/\tFALSE\t0\tSERVERID\ts3\n");
  }

  @Test
  void closeRemovesTheShutdownHook() {
    FileCookieJar jar = FileCookieJar.open(dir.resolve("cookies.txt"));
    Thread hook = jar.shutdownHook();
    assertThat(hook.getName()).isEqualTo(FileCookieJar.SHUTDOWN_THREAD_NAME);
    jar.close();
    assertThat(Runtime.getRuntime().removeShutdownHook(hook)).as("still registered").isFalse();

    FileCookieJar open = FileCookieJar.open(dir.resolve("cookies.txt"));
    try {
      assertThat(Runtime.getRuntime().removeShutdownHook(open.shutdownHook()))
          .as("registered while open").isTrue();
    } finally {
      open.close();
    }
    try (FileCookieJar none = FileCookieJar.builder(dir.resolve("cookies.txt"))
        .flushAtShutdown(false).build()) {
      assertThat(none.shutdownHook()).isNull();
    }
  }
}
