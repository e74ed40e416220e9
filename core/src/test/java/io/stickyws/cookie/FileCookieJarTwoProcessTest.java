package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCookieJarTwoProcessTest {
  private static final int COUNT = 40;

  @TempDir Path dir;

  @Test
  void twoProcessesSharingTheFileKeepEachOthersCookies() throws Exception {
    Path file = dir.resolve("cookies.txt");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CookieWriterChild.class.getName(), file.toString(), "child", String.valueOf(COUNT));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    try (FileCookieJar jar = FileCookieJar.builder(file).maxCookiesPerDomain(1000).build()) {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
      assertThat(ready).isEqualTo("ready");
      OutputStream in = child.getOutputStream();
      in.write("go\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      CookieWriterChild.addCookies(jar, "parent", COUNT);
      String done = CompletableFuture.supplyAsync(() -> readLine(out)).get(60, TimeUnit.SECONDS);
      assertThat(done).isEqualTo("done");
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      child.destroyForcibly();
    }
    try (FileCookieJar reopened = FileCookieJar.builder(file).maxCookiesPerDomain(1000).build()) {
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        expected.add("child" + i);
        expected.add("parent" + i);
      }
      assertThat(reopened.cookies()).extracting(Cookie::name)
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static String readLine(BufferedReader reader) {
    try {
      return reader.readLine();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
