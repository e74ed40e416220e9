package io.stickyws.it.rig;

import io.stickyws.testkit.Rig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One {@link Rig} per test class: {@code @RegisterExtension static final RigExtension RIG = new RigExtension();}.
 * The directory is a fresh temp directory (short, so HAProxy's unix socket path fits); after the class every process
 * is stopped, and the directory is deleted, or kept and printed when a test failed (its logs explain why).
 *
 * <p>Not thread-safe: JUnit calls it from the test thread.
 */
public final class RigExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  private Rig rig;
  private boolean failed;

  /** The rig of the running test class. */
  public Rig rig() {
    if (rig == null) {
      throw new IllegalStateException("RigExtension must be registered as a static field");
    }
    return rig;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    rig = Rig.in(Files.createTempDirectory("stickyws-it-"));
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    failed = true;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Path dir = rig.dir();
    try {
      rig.close();
    } finally {
      if (failed || context.getExecutionException().isPresent()) {
        System.err.println("rig files of " + context.getDisplayName() + " kept in " + dir);
      } else {
        deleteTree(dir);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
