package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs ({@link CookieWriterChild}) each add 500 distinct cookies, one write per cookie, to the
 * same file at the same time; the file ends with all 1000.
 */
class FileCookieJarConcurrentMergeTest {
  private static final int COUNT = 500;

  @TempDir Path dir;

  @Test
  void twoJvmsAddingFiveHundredCookiesEachLoseNone() throws Exception {
    Path file = dir.resolve("cookies.txt");
    Process a = start(file, "a");
    Process b = start(file, "b");
    try {
      BufferedReader outA = reader(a);
      BufferedReader outB = reader(b);
      assertThat(line(outA)).isEqualTo("ready");
      assertThat(line(outB)).isEqualTo("ready");
      long started = System.nanoTime();
      go(a);
      go(b);
      assertThat(line(outA)).isEqualTo("done");
      assertThat(line(outB)).isEqualTo("done");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(a.exitValue()).isZero();
      assertThat(b.exitValue()).isZero();

      try (FileCookieJar reopened =
          FileCookieJar.builder(file).maxCookiesPerDomain(1000).build()) {
        Map<String, String> found = new HashMap<>();
        for (Cookie c : reopened.cookies()) {
          assertThat(found.put(c.name(), c.value())).as("duplicate %s", c.name()).isNull();
        }
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < COUNT; i++) {
          expected.put("a" + i, "v" + i);
          expected.put("b" + i, "v" + i);
        }
        assertThat(found).isEqualTo(expected);
        System.out.printf(Locale.ROOT, "FileCookieJarConcurrentMergeTest: %d/%d cookies in the file"
            + " after two JVMs wrote %d each (one write per cookie) at once, in %d ms%n",
            found.size(), 2 * COUNT, COUNT, millis);
      }
      assertThat(Files.readString(dir.resolve("a.err")) + Files.readString(dir.resolve("b.err")))
          .as("children's stderr").doesNotContain("WARN");
    } finally {
      a.destroyForcibly();
      b.destroyForcibly();
      a.waitFor(10, TimeUnit.SECONDS);
      b.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process start(Path file, String prefix) throws IOException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), CookieWriterChild.class.getName(),
        file.toString(), prefix, String.valueOf(COUNT));
    pb.redirectError(dir.resolve(prefix + ".err").toFile());
    return pb.start();
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  private static void go(Process p) throws IOException {
    OutputStream in = p.getOutputStream();
    in.write("go\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static String line(BufferedReader reader) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return reader.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).get(90, TimeUnit.SECONDS);
  }
}
