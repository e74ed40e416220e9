package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.MemoryCookieJarTest.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileCookieJar#health()}, the storage listener (one event per transition, none per write)
 * and {@link FileCookieJar#clear()} (issue 13).
 */
class FileCookieJarHealthTest {
  private static final URI WSS = URI.create("wss://lb.example.com/ws");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
  @RegisterExtension final JarWarnings jarWarnings = new JarWarnings();

  /** Records every event as {@code failed <type>} or {@code recovered}, with its thread. */
  static final class Recorder implements CookieStorageListener {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<CookieStorageHealth> healths = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onStorageFailed(CookieStorageHealth health) {
      events.add("failed " + health.failureType().orElse("?"));
      healths.add(health);
    }

    @Override
    public void onStorageRecovered(CookieStorageHealth health) {
      events.add("recovered");
      healths.add(health);
    }
  }

  private List<String> warnings() {
    return jarWarnings.list();
  }

  private FileCookieJar.Builder builder(Path file) {
    return FileCookieJar.builder(file).clock(clock).coalesceDelay(Duration.ofHours(1));
  }

  @Test
  void aWritableJarIsHealthyAndReportsNothing() {
    Recorder recorder = new Recorder();
    try (FileCookieJar jar = builder(dir.resolve("cookies.txt")).build()) {
      jar.addStorageListener(recorder);
      assertThat(jar.health().writable()).isTrue();
      assertThat(jar.health().failureType()).isEmpty();
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      assertThat(jar.health().status()).isEqualTo(CookieStorageHealth.Status.WRITABLE);
    }
    assertThat(recorder.events).isEmpty();
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aMissingDirectoryIsDegradedFromTheStartReportedOnceAndRecoveredOnce() throws IOException {
    Path missing = dir.resolve("not-yet");
    Recorder recorder = new Recorder();
    try (FileCookieJar jar = builder(missing.resolve("cookies.txt")).build()) {
      CookieStorageHealth health = jar.health();
      assertThat(health.status()).isEqualTo(CookieStorageHealth.Status.DEGRADED);
      assertThat(health.failureType()).contains("java.nio.file.NoSuchFileException");
      assertThat(health.failureMessage().orElseThrow()).contains(missing.toString());
      assertThat(health.since()).isEqualTo(clock.now);

      jar.addStorageListener(recorder); // subscribing late still sees the failure
      assertThat(recorder.events).containsExactly("failed java.nio.file.NoSuchFileException");
      for (int i = 0; i < 5; i++) {
        jar.receive(WSS, List.of("c" + i + "=secretvalue" + i));
        jar.flush();
      }
      assertThat(recorder.events).hasSize(1);
      assertThat(jar.cookieHeader(WSS)).contains("c4=secretvalue4");

      Files.createDirectory(missing);
      clock.advance(Duration.ofMinutes(1));
      jar.receive(WSS, List.of("after=1"));
      jar.flush();
      assertThat(recorder.events).containsExactly(
          "failed java.nio.file.NoSuchFileException", "recovered");
      assertThat(jar.health().writable()).isTrue();
      assertThat(jar.health().since()).isEqualTo(clock.now);
      assertThat(jar.health().failureType()).as("the last failure is kept")
          .contains("java.nio.file.NoSuchFileException");
      jar.receive(WSS, List.of("more=1"));
      jar.flush();
      assertThat(recorder.events).hasSize(2);
    }
    assertThat(Files.readString(missing.resolve("cookies.txt"))).contains("c4\tsecretvalue4");
    assertThat(warnings()).hasSize(1);
    assertThat(recorder.healths).allSatisfy(h -> assertThat(h.toString() + h.failureMessage())
        .doesNotContain("secretvalue"));
  }

  @Test
  void everyTransitionIsReportedOnceInOrder() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path file = sub.resolve("cookies.txt");
    Recorder recorder = new Recorder();
    try (FileCookieJar jar = builder(file).build()) {
      jar.addStorageListener(recorder);
      for (int round = 0; round < 3; round++) {
        deleteTree(sub);
        for (int i = 0; i < 3; i++) {
          jar.receive(WSS, List.of("r" + round + "i" + i + "=1"));
          jar.flush();
        }
        Files.createDirectory(sub);
        jar.receive(WSS, List.of("back" + round + "=1"));
        jar.flush();
      }
      // deleting the file deleted its cookies, like any change another process makes to it; the
      // ones stored while the directory was missing were kept and written
      assertThat(jar.cookies()).extracting(Cookie::name)
          .containsExactlyInAnyOrder("r2i0", "r2i1", "r2i2", "back2");
    }
    assertThat(recorder.events).containsExactly(
        "failed java.nio.file.NoSuchFileException", "recovered",
        "failed java.nio.file.NoSuchFileException", "recovered",
        "failed java.nio.file.NoSuchFileException", "recovered");
    assertThat(warnings()).hasSize(3);
  }

  @Test
  void aRemovedListenerHearsNothingAndAThrowingOneDoesNotStopTheJar() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Recorder removed = new Recorder();
    Recorder kept = new Recorder();
    try (FileCookieJar jar = builder(sub.resolve("cookies.txt")).build()) {
      jar.addStorageListener(removed);
      jar.addStorageListener(new CookieStorageListener() {
        @Override
        public void onStorageFailed(CookieStorageHealth health) {
          throw new IllegalStateException("listener bug");
        }
      });
      jar.addStorageListener(kept);
      assertThat(jar.removeStorageListener(removed)).isTrue();
      assertThat(jar.removeStorageListener(removed)).isFalse();
      deleteTree(sub);
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    }
    assertThat(removed.events).isEmpty();
    assertThat(kept.events).containsExactly("failed java.nio.file.NoSuchFileException");
    assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("storage listener"));
  }

  @Test
  void aReadOnlyFileMakesTheJarDegradedButItsCookiesAreRead() throws IOException {
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, "lb.example.com\tFALSE\t/\tFALSE\t0\told\t1\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    try (FileCookieJar jar = builder(file).build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("old=1");
      assertThat(jar.health().writable()).isFalse();
      assertThat(jar.health().failureType()).contains("java.nio.file.AccessDeniedException");
      assertThat(jar.health().failureMessage().orElseThrow()).contains("r--r--r--");
    }
  }

  @Test
  void aSymbolicLinkMakesTheJarDegraded() throws IOException {
    Path file = dir.resolve("cookies.txt");
    Files.createSymbolicLink(file, Files.createFile(dir.resolve("target.txt")));
    try (FileCookieJar jar = builder(file).build()) {
      assertThat(jar.health().writable()).isFalse();
      assertThat(jar.health().failureMessage().orElseThrow()).contains("symbolic link")
          .contains("target.txt");
    }
  }

  @Test
  void clearEmptiesMemoryAndTheFileAlsoOfCookiesAnotherJarAdded() throws IOException {
    Path file = dir.resolve("cookies.txt");
    try (FileCookieJar jar = builder(file).build();
        FileCookieJar other = builder(file).build()) {
      jar.receive(WSS, List.of("mine=1", "SERVERID=s1"));
      jar.flush();
      other.receive(WSS, List.of("theirs=1"));
      other.flush();
      jar.clear();
      assertThat(jar.cookies()).isEmpty();
      assertThat(jar.cookieHeader(WSS)).isEmpty();
      jar.receive(WSS, List.of("after=1"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("after=1");
    }
    try (FileCookieJar reopened = builder(file).build()) {
      assertThat(reopened.cookies()).extracting(Cookie::name).containsExactly("after");
    }
  }

  @Test
  void clearReachesTheFileOnClose() throws Exception {
    Path file = dir.resolve("cookies.txt");
    try (FileCookieJar jar = FileCookieJar.builder(file).clock(clock).build()) {
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      jar.clear();
    }
    try (FileCookieJar reopened = builder(file).build()) {
      assertThat(reopened.cookies()).isEmpty();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount())
          .collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }
}
