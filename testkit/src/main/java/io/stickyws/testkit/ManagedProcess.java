package io.stickyws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One external process of the rig (a backend JVM, HAProxy, nginx, Caddy) with its output in a log file. Every start is
 * registered with a JVM shutdown hook that SIGKILLs whatever is still alive (last resort: the rig stops its processes
 * itself, also on failure). Every wait is bounded.
 *
 * <p>Thread-safe.
 */
public final class ManagedProcess implements AutoCloseable {
  private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ManagedProcess::kill), "rig-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code workDir}, stdout and stderr appended to {@code log}. With {@code keepStdin} the
   * child's stdin stays a pipe from this JVM (the backend exits when it reaches EOF, i.e. when this JVM dies), else it
   * reads /dev/null.
   */
  public static ManagedProcess start(String name, List<String> command, Path workDir, Map<String, String> env,
      Path log, boolean keepStdin) {
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (!keepStdin) {
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    builder.environment().putAll(env);
    try {
      String shown = command.stream().map(arg -> arg.length() > 200 ? "<" + arg.length() + " chars>" : arg)
          .collect(Collectors.joining(" "));
      Files.writeString(log, "### " + shown + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      ManagedProcess started = new ManagedProcess(name, builder.start(), log);
      LIVE.add(started);
      started.process.onExit().thenRun(() -> LIVE.remove(started));
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** A short name for messages, e.g. {@code haproxy} or {@code backend s1}. */
  public String name() {
    return name;
  }

  /** The operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The log file (stdout and stderr). */
  public Path log() {
    return log;
  }

  /** The exit code, or -1 while alive. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** SIGKILL to the process and its descendants (nginx workers), then a bounded wait for the exit. */
  public void kill() {
    List<ProcessHandle> children = process.descendants().collect(Collectors.toList());
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    awaitExit(KILL_WAIT);
  }

  /** SIGTERM, a bounded wait of {@code grace}, then {@link #kill()}; leftover descendants are killed too. */
  public void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().collect(Collectors.toList());
    process.destroy();
    if (!awaitExit(grace)) {
      kill();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** Waits at most {@code timeout} for the process to exit; true when it has. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  public String logTail(int lines) {
    return tail(log, lines);
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return "--- " + file + " (last " + lines + " lines) ---\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "--- " + file + " unreadable: " + e;
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s). */
  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + (process.isAlive() ? ", alive)" : ", exited " + process.exitValue() + ")");
  }
}
