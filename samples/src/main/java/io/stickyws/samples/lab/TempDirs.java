package io.stickyws.samples.lab;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes the temporary directory of the demo or the lab when they end, also from a shutdown hook (Ctrl-C). A process
 * that was just killed may still be closing a log file in it, so a failed pass is tried again, a few times.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class TempDirs {
  private static final int PASSES = 5;

  private TempDirs() {}

  /** Deletes {@code dir} and everything under it; returns whether it is gone. Never throws. */
  public static boolean delete(Path dir) {
    for (int pass = 1; pass <= PASSES; pass++) {
      try {
        if (!Files.exists(dir)) {
          return true;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
            Files.deleteIfExists(directory);
            return FileVisitResult.CONTINUE;
          }
        });
        return true;
      } catch (IOException e) {
        try {
          Thread.sleep(100L * pass); // a file was still being written by a process that is exiting
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !Files.exists(dir);
  }
}
