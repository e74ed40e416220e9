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
import java.util.function.Predicate;

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

    /** The last line starting with {@code prefix} (the text report's verdict line, say). */
    public String lineStartingWith(String... prefixes) {
      for (int i = stdout.size() - 1; i >= 0; i--) {
        for (String prefix : prefixes) {
          if (stdout.get(i).startsWith(prefix)) {
            return stdout.get(i);
          }
        }
      }
      throw new AssertionError("no line starting with " + List.of(prefixes) + " in\n" + this);
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

  /** Runs sticky-check with {@code args} to its end; {@code dir} holds the output files. */
  public static Run run(Path dir, String... args) {
    return start(dir, args).finish();
  }

  /** Starts sticky-check with {@code args}; {@code dir} holds the output files. The caller must {@link Running#finish()}. */
  public static Running start(Path dir, String... args) {
    try {
      Path out = Files.createTempFile(dir, "sticky-check-", ".out");
      Path err = Files.createTempFile(dir, "sticky-check-", ".err");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", jar().toAbsolutePath().toString()));
      command.addAll(List.of(args));
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      return new Running(process, out, err, String.join(" ", args));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A sticky-check process still running. */
  public static final class Running implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;
    private final String args;

    Running(Process process, Path out, Path err, String args) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.args = args;
    }

    /** Waits, bounded, for a stdout line matching {@code wanted}; returns it. Kills the process if none comes. */
    public String awaitLine(Predicate<String> wanted, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (System.nanoTime() < deadline) {
          for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (wanted.test(line)) {
              return line;
            }
          }
          if (!process.isAlive()) {
            break;
          }
          TimeUnit.MILLISECONDS.sleep(50);
        }
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError("sticky-check " + args + ": no such line within " + timeout + "\n"
            + Files.readString(out) + "\n" + Files.readString(err));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new AssertionError("interrupted", e);
      }
    }

    /** Kills the process if it still runs (a failed test must not leave it behind). */
    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Waits, bounded, for the end; the process is killed if it overruns (and the test fails). */
    public Run finish() {
      try {
        try {
          if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("sticky-check " + args + " did not finish within " + TIMEOUT
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
        process.destroyForcibly();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
