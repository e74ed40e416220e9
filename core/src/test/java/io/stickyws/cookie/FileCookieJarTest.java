package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.MemoryCookieJarTest.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class FileCookieJarTest {
  private static final URI WSS = URI.create("wss://lb.example.com/ws");

  @TempDir Path dir;
  private Path file;
  private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
  @RegisterExtension final JarWarnings jarWarnings = new JarWarnings();

  /** Counts the writes the jar schedules; never shut down by the jar. */
  static final class CountingScheduler extends ScheduledThreadPoolExecutor {
    final AtomicInteger scheduled = new AtomicInteger();

    CountingScheduler() {
      super(1, r -> {
        Thread t = new Thread(r, "test-scheduler");
        t.setDaemon(true);
        return t;
      });
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      scheduled.incrementAndGet();
      return super.schedule(command, delay, unit);
    }
  }

  @BeforeEach
  void setUp() {
    file = dir.resolve("cookies.txt");
  }

  @AfterEach
  void tearDown() {
    assertThat(writerThreads()).as("no stickyws-cookie-writer thread survives close()").isEmpty();
  }

  private FileCookieJar.Builder builder() {
    return FileCookieJar.builder(file).clock(clock);
  }

  private static List<Thread> writerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(FileCookieJar.WRITER_THREAD_NAME) && t.isAlive())
        .collect(Collectors.toList());
  }

  private List<String> warnings() {
    return jarWarnings.list();
  }

  @Test
  void roundTripsCookiesThroughTheFileInCurlFormat() throws IOException {
    try (FileCookieJar jar = builder().build()) {
      jar.receive(URI.create("https://lb.example.com/app/x"), List.of(
          "SERVERID=backend1; Path=/",
          "persist=p1; Max-Age=3600; Domain=example.com; Path=/",
          "h=secret; HttpOnly; Secure"));
    }
    String text = Files.readString(file);
    assertThat(text).contains("lb.example.com\tFALSE\t/\tFALSE\t0\tSERVERID\tbackend1\n");
    assertThat(text).contains(".example.com\tTRUE\t/\tFALSE\t"
        + clock.now.plusSeconds(3600).getEpochSecond() + "\tpersist\tp1\n");
    assertThat(text).contains("#HttpOnly_lb.example.com\tFALSE\t/app\tTRUE\t0\th\tsecret\n");

    clock.advance(Duration.ofMinutes(5));
    try (FileCookieJar reopened = builder().build()) {
      assertThat(reopened.cookieHeader(URI.create("wss://lb.example.com/app/y")))
          .isEqualTo("h=secret; SERVERID=backend1; persist=p1");
      assertThat(reopened.cookieHeader(URI.create("ws://www.example.com/"))).isEqualTo("persist=p1");
      Cookie h = reopened.cookies().stream().filter(c -> c.name().equals("h")).findFirst().orElseThrow();
      assertThat(h.httpOnly()).isTrue();
      assertThat(h.hostOnly()).isTrue();
      assertThat(h.creationTime()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    }
    assertThat(warnings()).isEmpty();
  }

  @Test
  void replacesTheFileAtomicallyOwnerOnlyLeavingNoTempFiles() throws IOException {
    try (FileCookieJar jar = builder().coalesceDelay(Duration.ZERO).build()) {
      for (int i = 0; i < 200; i++) {
        jar.receive(WSS, List.of("c" + (i % 40) + "=" + i + "; Path=/"));
        if (i % 20 == 0) {
          jar.flush();
        }
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("cookies.txt", "cookies.txt.lock");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (FileCookieJar reopened = builder().build()) {
      assertThat(reopened.cookies()).hasSize(40);
      assertThat(reopened.cookieHeader(WSS)).contains("c39=199");
    }
  }

  @Test
  void corruptLinesAreSkippedWithAWarningAndTheOriginalIsKept() throws IOException {
    String original = "# Netscape HTTP Cookie File\n"
        + "lb.example.com\tFALSE\t/\tFALSE\t0\tgood1\tv1\n"
        + "lb.example.com\tFALSE\tbroken-secretvalue\n"
        + "lb.example.com\tMAYBE\t/\tFALSE\t0\tbad2\tsecretvalue\n"
        + "lb.example.com\tFALSE\t/\tFALSE\t0\tgood2\tv2\n";
    Files.writeString(file, original);
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("good1=v1; good2=v2");
      jar.receive(WSS, List.of("fresh=1; Path=/"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("good1=v1; good2=v2; fresh=1");
    }
    assertThat(warnings()).anySatisfy(w -> assertThat(w).contains(file.toString()).contains("line 3"));
    assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("line 4"));
    assertThat(warnings()).allSatisfy(w -> assertThat(w).doesNotContain("secretvalue"));
    assertThat(warnings().stream().filter(w -> w.contains("kept as"))).hasSize(1);
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> copies = files.filter(p -> p.getFileName().toString().startsWith("cookies.txt.corrupt-"))
          .collect(Collectors.toList());
      assertThat(copies).hasSize(1);
      assertThat(Files.readString(copies.get(0))).isEqualTo(original);
    }
    assertThat(Files.readString(file)).doesNotContain("broken").contains("fresh\t1");
  }

  @Test
  void anUnreadableFileDoesNotPreventStartUp() throws IOException {
    Files.write(file, new byte[] {'a', '\t', (byte) 0xC3, (byte) 0x28, '\n'});
    try (FileCookieJar jar = builder().build()) {
      jar.receive(WSS, List.of("a=1"));
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    }
    assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("line 1").contains("UTF-8"));
  }

  @Test
  void writeFailuresDegradeToMemoryWithAWarning() {
    file = dir.resolve("missing-dir/cookies.txt");
    try (FileCookieJar jar = builder().build()) {
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      jar.receive(WSS, List.of("b=2"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1; b=2");
    }
    assertThat(warnings()).hasSize(1).first().asString().contains("cannot be written");
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void persistedSessionCookiesExpireAfterTheIdleCap() {
    try (FileCookieJar jar = builder().sessionCookieMaxIdle(Duration.ofHours(24)).build()) {
      jar.receive(WSS, List.of("SERVERID=b1; Path=/", "long=1; Path=/; Max-Age=864000"));
    }
    clock.advance(Duration.ofHours(23));
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("SERVERID=b1; long=1"); // used now
    }
    clock.advance(Duration.ofHours(23));
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookies()).extracting(Cookie::name).contains("SERVERID");
    }
    clock.advance(Duration.ofHours(2)); // 25 h since the last use
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("long=1");
    }
  }

  @Test
  void coalescesABurstOfChangesIntoOneWriteOnTheUsersScheduler() throws Exception {
    CountingScheduler scheduler = new CountingScheduler();
    try {
      try (FileCookieJar jar = builder().scheduler(scheduler).coalesceDelay(Duration.ofHours(1)).build()) {
        for (int i = 0; i < 10_000; i++) {
          jar.receive(WSS, List.of("n" + (i % 10) + "=" + i));
        }
        assertThat(scheduler.scheduled.get()).isEqualTo(1);
        assertThat(Files.exists(file)).isFalse();
      }
      assertThat(Files.readString(file)).contains("n9\t9999");
      assertThat(scheduler.isShutdown()).isFalse();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void writesAtMostAboutTenTimesASecondUnderHeavyUpdates() {
    CountingScheduler scheduler = new CountingScheduler();
    try (FileCookieJar jar = FileCookieJar.builder(file).scheduler(scheduler).build()) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
      int i = 0;
      while (System.nanoTime() < end) {
        jar.receive(WSS, List.of("n" + (i % 10) + "=" + i++));
      }
      assertThat(i).as("updates in 500 ms").isGreaterThan(1_000);
      assertThat(scheduler.scheduled.get()).isBetween(1, 7);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void closeFlushesAndStopsTheWriterThread() throws IOException {
    FileCookieJar jar = builder().build();
    jar.receive(WSS, List.of("a=1"));
    assertThat(writerThreads()).hasSize(1);
    jar.close();
    assertThat(writerThreads()).isEmpty();
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("\ta\t1\n");
    jar.close(); // idempotent
  }
}
