package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar file, its {@code .lock}, its temporary files and its {@code .corrupt} copies are
 * owner-only from their first byte.
 *
 * <p>Method: the jar runs in a child JVM ({@link PermissionProbeChild}) started with
 * {@code umask 000}, where a file created without an explicit mode is {@code rw-rw-rw-} (checked
 * with a probe file); it creates and writes jar files over and over while a watcher thread in this
 * JVM polls the directory and reads the permissions of every entry it finds. Two controls show
 * that the watcher sees a window of wider permissions when there is one: a file created the racy
 * way (default mode, then chmod) and held wide until the watcher reports it, and files created
 * the racy way with a 1 ms window (counted, not asserted: timing depends on the machine). The jar
 * passes {@code rw-------} as a file attribute to the call that creates each file, which the JDK
 * applies in the {@code open(2)}/{@code mkstemp}-style creating system call, so there is no moment
 * with another mode; the watcher never seeing one, and every file ending {@code rw-------} under
 * umask 000, is the evidence.
 */
class FileCookieJarPermissionsTest {
  private static final int ROUNDS = 200;
  private static final int TIMED_CONTROLS = 20;

  @TempDir Path dir;

  @Test
  void jarFilesAreOwnerOnlyFromTheirFirstByte() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    assumeTrue(Files.isExecutable(Paths.get("/bin/sh")));
    Watcher watcher = new Watcher(dir);
    Thread watch = new Thread(watcher, "permission-watcher");
    watch.setDaemon(true);
    watch.start();

    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "umask 000 && exec \"$0\" \"$@\"",
        java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), PermissionProbeChild.class.getName(),
        dir.toString(), String.valueOf(ROUNDS), String.valueOf(TIMED_CONTROLS));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(line(out)).as("a file created without a mode under umask 000")
          .isEqualTo("probe rw-rw-rw-");
      assertThat(line(out)).isEqualTo("control-wide");
      // the watcher sees a file with wider permissions when there is one
      await().atMost(30, TimeUnit.SECONDS).until(() -> watcher.wide.contains("control-wide"));
      OutputStream in = child.getOutputStream();
      in.write("seen\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertThat(line(out)).isEqualTo("done");
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
    } finally {
      watcher.stop.set(true);
      watch.join(10_000);
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }

    List<String> jarWide = new ArrayList<>();
    for (String name : watcher.wide) {
      if (!name.startsWith("control-")) {
        jarWide.add(name);
      }
    }
    assertThat(jarWide).as("jar files seen with group or other permissions").isEmpty();
    assertThat(watcher.seenLock.get()).as("lock files observed").isPositive();
    assertThat(watcher.seenTemp.get()).as("temp files observed").isPositive();
    assertThat(watcher.seenFile.get()).as("cookie files observed").isPositive();
    assertThat(watcher.seenCorrupt.get()).as("corrupt copies observed").isPositive();
    List<String> finalModes = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        finalModes.add(p.getFileName() + " "
            + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
      }
    }
    assertThat(finalModes).isNotEmpty().allSatisfy(m -> assertThat(m).endsWith(" rw-------"));
    long timedCaught = watcher.wide.stream()
        .filter(n -> n.matches("control-[0-9]+")).count();
    System.out.printf(Locale.ROOT, "FileCookieJarPermissionsTest: umask 000, %d jar rounds;"
            + " watcher made %d directory polls and %d permission reads: cookie file %d, lock %d,"
            + " temp %d, corrupt copy %d observations, 0 wider than rw-------;"
            + " racy controls caught wide: held 1/1, 1 ms window %d/%d%n",
        ROUNDS, watcher.polls.get(), watcher.reads.get(), watcher.seenFile.get(),
        watcher.seenLock.get(), watcher.seenTemp.get(), watcher.seenCorrupt.get(), timedCaught,
        TIMED_CONTROLS);
  }

  /** Polls the directory and records every entry seen with group or other permissions. */
  static final class Watcher implements Runnable {
    final Path dir;
    final AtomicBoolean stop = new AtomicBoolean();
    final Set<String> wide = Collections.newSetFromMap(new ConcurrentHashMap<>());
    final AtomicLong polls = new AtomicLong();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong seenFile = new AtomicLong();
    final AtomicLong seenLock = new AtomicLong();
    final AtomicLong seenTemp = new AtomicLong();
    final AtomicLong seenCorrupt = new AtomicLong();

    Watcher(Path dir) {
      this.dir = dir;
    }

    @Override
    public void run() {
      while (!stop.get()) {
        polls.incrementAndGet();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
          for (Path p : entries) {
            check(p);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    private void check(Path p) {
      Set<PosixFilePermission> perms;
      try {
        perms = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
            .permissions();
      } catch (NoSuchFileException e) {
        return; // moved or deleted between the listing and the read
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      reads.incrementAndGet();
      String name = p.getFileName().toString();
      if (name.equals("cookies.txt")) {
        seenFile.incrementAndGet();
      } else if (name.endsWith(".lock")) {
        seenLock.incrementAndGet();
      } else if (name.endsWith(".tmp")) {
        seenTemp.incrementAndGet();
      } else if (name.contains(".corrupt-")) {
        seenCorrupt.incrementAndGet();
      }
      for (PosixFilePermission perm : perms) {
        if (perm.name().startsWith("GROUP_") || perm.name().startsWith("OTHERS_")) {
          wide.add(name);
          return;
        }
      }
    }
  }

  private static String line(BufferedReader reader) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return reader.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).get(60, TimeUnit.SECONDS);
  }
}
