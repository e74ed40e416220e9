package io.stickyws.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of core's tests in a child JVM with only core's classes, its test classes and
 * slf4j-api on the class path (no logging binding, as in the README): as uid 65534 through
 * {@code setpriv} when {@code unprivileged} (the tests run as root), else as the current user.
 * Returns the lines it printed; asserts that it exited 0 within 60 s and had no binding.
 *
 * <p>Not thread-safe.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * Runs {@code mainClass} with {@code args}.
   *
   * @param tmp a directory the child's user can read, for copies of jars and the child's stderr
   * @param unprivileged run as uid 65534
   * @return the lines of stdout
   */
  public static List<String> run(Path tmp, boolean unprivileged, Class<?> mainClass,
      String... args) throws IOException, InterruptedException {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    if (unprivileged) {
      command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    command.addAll(List.of(java, "-cp", classPath(tmp), mainClass.getName()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "child", ".log");
    Process child = new ProcessBuilder(command).redirectError(log.toFile()).start();
    try {
      byte[] stdout = child.getInputStream().readAllBytes();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
      assertThat(child.exitValue()).as("child exit status; stderr: %s", Files.readString(log))
          .isZero();
      assertThat(Files.readString(log)).as("no logging binding in the child")
          .contains("No SLF4J providers");
      return List.of(new String(stdout, StandardCharsets.UTF_8).split("\n"));
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * core's classes, its test classes and slf4j-api, copied where an unprivileged user can read
   * them (the local Maven repository is private to root).
   */
  private static String classPath(Path tmp) throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Paths.get(entry);
      String name = p.getFileName().toString();
      if (name.startsWith("slf4j-api")) {
        Path copy = tmp.resolve(name);
        if (!Files.exists(copy)) {
          Files.copy(p, copy);
          Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        }
        entries.add(copy.toString());
      } else if (name.equals("classes") || name.equals("test-classes")) {
        entries.add(p.toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
