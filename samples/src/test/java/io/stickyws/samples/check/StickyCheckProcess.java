package io.stickyws.samples.check;

import io.stickyws.testing.MiniJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code java -jar samples/target/sticky-check.jar ...} as a process, bounded, output captured in files. */
public final class StickyCheckProcess {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Exit code and output of one run. */
  public record Run(int exitCode, List<String> stdout, String stderr) {
    /** Every stdout line parsed as a JSON object (fails on a line that is not one). */
    public List<Map<String, Object>> json() {
      List<Map<String, Object>> objects = new ArrayList<>();
      for (String line : stdout) {
        objects.add(MiniJson.parseObject(line));
      }
      return objects;
    }

    /** The last JSON line, which must be the summary. */
    public Map<String, Object> summary() {
      List<Map<String, Object>> all = json();
      Map<String, Object> last = all.get(all.size() - 1);
      if (!"summary".equals(last.get("type"))) {
        throw new AssertionError("last line is not the summary: " + last);
      }
      return last;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + stderr;
    }
  }

  private StickyCheckProcess() {}

  /** The shaded jar built by the package phase. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("stickyws.samples.jar", "target/sticky-check.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: run the integration tests with `mvn verify` (package builds it)");
    }
    return jar;
  }

  /** Runs sticky-check with {@code args}; {@code dir} holds the output files. */
  public static Run run(Path dir, String... args) {
    try {
      Path out = Files.createTempFile(dir, "sticky-check-", ".out");
      Path err = Files.createTempFile(dir, "sticky-check-", ".err");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", jar().toAbsolutePath().toString()));
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      try {
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          throw new AssertionError("sticky-check " + String.join(" ", args) + " did not finish within " + TIMEOUT
              + "\n" + Files.readString(out) + "\n" + Files.readString(err));
        }
      } finally {
        process.destroyForcibly();
      }
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      return new Run(process.exitValue(), lines, Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
