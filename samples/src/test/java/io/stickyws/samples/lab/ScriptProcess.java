package io.stickyws.samples.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The demo or the lab run as a process, the way a person runs them: output read line by line, commands written to its
 * standard input, signals sent with {@code kill}. SIGINT is reset to its default first ({@code env
 * --default-signal=INT}), since a process started in the background may inherit it ignored. {@link #close()} kills
 * the process and every descendant still alive, so a failed test leaves nothing running.
 *
 * <p>Not thread-safe; one test thread.
 */
public final class ScriptProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;
  private final Writer stdin;

  private ScriptProcess(Process process) {
    this.process = process;
    this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "script-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command} with {@code java.io.tmpdir} (of it and of every JVM it starts) set to {@code tmpdir}, so
   * the test can tell which temporary directories it left; stdout and stderr merged.
   */
  public static ScriptProcess start(Path tmpdir, Map<String, String> env, String... command) {
    List<String> full = new ArrayList<>(List.of("env", "--default-signal=INT"));
    full.addAll(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmpdir.toAbsolutePath());
    try {
      return new ScriptProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process id (the script {@code exec}s java, so it is also the JVM's). */
  public long pid() {
    return process.pid();
  }

  /** Waits, bounded, for a line that {@code pattern} finds something in (searching from the first line). */
  public Matcher await(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = pattern.matcher(lines.get(seen));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no line matching " + pattern + " within " + timeout + ":\n" + output());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lines, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Every line so far. */
  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** Writes one command line to its standard input. */
  public void send(String command) {
    try {
      stdin.write(command + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send " + command, e);
    }
  }

  /** {@code kill -<signal> pid}. */
  public static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits, bounded, for the exit; its code, or fails. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + timeout + ":\n" + output());
      }
      reader.join(5000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Whether process {@code pid} still runs. */
  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The {@code stickyws-*} entries of {@code tmpdir}: what the demo or the lab left behind. */
  public static List<String> leftovers(Path tmpdir) {
    try (Stream<Path> entries = Files.list(tmpdir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("stickyws-"))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the process and every descendant still alive (a test that failed half-way). */
  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
