package io.stickyws.samples.lab;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The backend JVMs are started with this JVM's class path from their own directory: a relative entry such as
 * {@code samples/target/sticky-check.jar} must be made absolute first.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class ClassPath {
  private ClassPath() {}

  /** Rewrites the {@code java.class.path} property with absolute entries. */
  public static void makeAbsolute() {
    String classPath = System.getProperty("java.class.path", "");
    System.setProperty("java.class.path", Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator)));
  }
}
