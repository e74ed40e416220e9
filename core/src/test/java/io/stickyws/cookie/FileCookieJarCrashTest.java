package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Crash safety of {@link FileCookieJar}: a child JVM ({@link CrashingWriterChild}) writes the same
 * file continuously and is killed with SIGKILL ({@link ProcessHandle#destroyForcibly()}) at random
 * moments, 30 times in a row; after every kill the file loads without a warning or a
 * {@code .corrupt} copy, and holds exactly one of the states the child completely wrote: the last
 * one it reported, or the one it was writing when it died.
 *
 * <p>The moments come from {@link #SEED}: how many writes the child reports before the kill and
 * a further delay of up to 3 ms. Change the seed to try other moments.
 */
class FileCookieJarCrashTest {
  static final long SEED = 6265L;
  private static final int KILLS = 30;
  private static final String EOF = "<eof>";

  @TempDir Path dir;

  @Test
  void survivesThirtyKillsInARowWithACompletelyWrittenState() throws Exception {
    Path file = dir.resolve("cookies.txt");
    Path childErr = dir.resolve("child-stderr.log");
    Random random = new Random(SEED);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(FileCookieJar.class);
    logs.start();
    logger.addAppender(logs);
    long statesReported = 0;
    int midWrite = 0;
    long lastState = -1;
    java.util.Set<Path> tempsSeen = new java.util.HashSet<>();
    try {
      for (int kill = 1; kill <= KILLS; kill++) {
        int reportsBeforeKill = random.nextInt(25);
        long extraDelayNanos = random.nextInt(3_000_000);
        ChildRun run = runAndKill(file, childErr, reportsBeforeKill, extraDelayNanos);
        statesReported += run.reported;

        List<Path> temps = siblings(file, name -> name.endsWith(".tmp"));
        if (tempsSeen.addAll(temps)) {
          midWrite++; // killed between creating the temp file and moving it over the file
        }
        assertThat(siblings(file, name -> name.contains(".corrupt"))).isEmpty();
        int warningsBefore = warnings(logs);
        try (FileCookieJar jar = FileCookieJar.builder(file).maxCookiesPerDomain(1000).build()) {
          List<Cookie> cookies = jar.cookies();
          long state = CrashingWriterChild.stateOf(cookies);
          assertThat(warnings(logs)).as("warnings loading after kill %d", kill)
              .isEqualTo(warningsBefore);
          assertThat(state).as("state after kill %d (child started at %d, last reported %d)",
                  kill, run.start, run.lastReported)
              .isBetween(run.lastReported, run.lastReported + 1);
          assertThat(valuesByName(cookies)).as("content after kill %d", kill)
              .isEqualTo(expectedState(state));
          assertThat(state).isGreaterThanOrEqualTo(lastState);
          lastState = state;
        }
      }
    } finally {
      logger.detachAppender(logs);
    }
    String stderr = Files.exists(childErr) ? Files.readString(childErr) : "";
    assertThat(stderr).as("child stderr").doesNotContain("WARN").doesNotContain("Exception");
    assertThat(siblings(file, name -> name.contains(".corrupt"))).isEmpty();
    // the next writer removes what a killed one left: at most the last kill's temp file remains
    assertThat(siblings(file, name -> name.endsWith(".tmp"))).hasSizeLessThanOrEqualTo(1);
    System.out.printf(Locale.ROOT, "FileCookieJarCrashTest seed=%d: %d kills survived, %d of them"
            + " mid-write (temp file left, %d left in the directory), %d states reported by the children, final state %d,"
            + " every file after a kill equal to a completely written state%n",
        SEED, KILLS, midWrite, siblings(file, name -> name.endsWith(".tmp")).size(), statesReported, lastState);
  }

  /** One child: started on the file, killed after some reported writes. */
  static final class ChildRun {
    long start = Long.MIN_VALUE;
    long lastReported = Long.MIN_VALUE;
    long reported;
  }

  private static ChildRun runAndKill(Path file, Path childErr, int reportsBeforeKill,
      long extraDelayNanos) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"),
        CrashingWriterChild.class.getName(), file.toString());
    pb.redirectError(ProcessBuilder.Redirect.appendTo(childErr.toFile()));
    Process child = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the pipe closes when the child dies
      } finally {
        lines.add(EOF);
      }
    }, "crash-test-reader");
    reader.setDaemon(true);
    reader.start();
    ChildRun run = new ChildRun();
    try {
      String first = lines.poll(30, TimeUnit.SECONDS);
      assertThat(first).as("child's first line").isNotNull().startsWith("start ");
      run.start = Long.parseLong(first.substring("start ".length()));
      run.lastReported = run.start;
      for (int i = 0; i < reportsBeforeKill; i++) {
        String line = lines.poll(30, TimeUnit.SECONDS);
        assertThat(line).as("child report").isNotNull().isNotEqualTo(EOF);
        run.lastReported = Long.parseLong(line);
        run.reported++;
      }
      LockSupport.parkNanos(extraDelayNanos); // the random moment inside the next write
      // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the
      // child's stdout and lose the numbers it reported just before dying
      child.toHandle().destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child dead").isTrue();
      // whatever it reported before dying counts as completely written
      while (true) {
        String line = lines.poll(10, TimeUnit.SECONDS);
        assertThat(line).as("child stdout closed").isNotNull();
        if (line.equals(EOF)) {
          break;
        }
        run.lastReported = Long.parseLong(line);
        run.reported++;
      }
      return run;
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      reader.join(10_000);
    }
  }

  private static Map<String, String> expectedState(long n) {
    Map<String, String> expected = new TreeMap<>();
    for (long k = Math.max(0, n - CrashingWriterChild.WINDOW + 1); k <= n; k++) {
      expected.put("c" + k, CrashingWriterChild.value(k));
    }
    return expected;
  }

  private static Map<String, String> valuesByName(List<Cookie> cookies) {
    Map<String, String> byName = new TreeMap<>();
    for (Cookie c : cookies) {
      assertThat(byName.put(c.name(), c.value())).as("duplicate %s", c.name()).isNull();
    }
    return byName;
  }

  private static int warnings(ListAppender<ILoggingEvent> logs) {
    synchronized (logs.list) {
      return (int) logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .count();
    }
  }

  private static List<Path> siblings(Path file, java.util.function.Predicate<String> name)
      throws IOException {
    try (Stream<Path> s = Files.list(file.getParent())) {
      return s.filter(p -> name.test(p.getFileName().toString()))
          .collect(Collectors.toCollection(ArrayList::new));
    }
  }
}
