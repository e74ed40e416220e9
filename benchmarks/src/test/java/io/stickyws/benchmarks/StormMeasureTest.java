package io.stickyws.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The storm's measure on attempt times made up here (no sockets): a fleet spread at random reads
 * about 1.0, a fleet in one window reads its full spike, and the windows start at the storm; after
 * a Retry-After of d the windows are those of [d, 1.25 d).
 */
class StormMeasureTest {
  private static final long START = 1_000_000_000_000L;
  private static final Duration CAP = Duration.ofSeconds(10);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(4);

  @Test
  void aRandomlySpreadFleetReadsAboutOne() {
    SplittableRandom random = new SplittableRandom(7);
    double[] readings = new double[21];
    for (int run = 0; run < readings.length; run++) {
      List<Long> attempts = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        attempts.add(START + (long) (random.nextDouble() * CAP.toNanos()));
      }
      readings[run] = number(StormBench.result(attempts, START, START, CAP), "peakToUniform");
    }
    assertThat(Stats.median(readings)).isBetween(0.9, 1.1);
  }

  @Test
  void aFleetInOneWindowReadsItsSpike() {
    List<Long> attempts = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      attempts.add(START + CAP.toNanos() - 1 - i); // all in the last 100 ms window
    }
    Map<String, Object> row = StormBench.result(attempts, START, START, CAP).fields();
    assertThat(row.get("peakPer100ms")).isEqualTo(1000);
    assertThat((double) row.get("peakToMeanRatio")).isEqualTo(100.0);
    double uniform = (double) row.get("uniformPeakToMean");
    assertThat(uniform).isBetween(1.7, 2.1); // 1000 arrivals, 100 windows: counting noise
    assertThat((double) row.get("peakToUniform")).isCloseTo(100.0 / uniform,
        org.assertj.core.data.Offset.offset(0.01));
    assertThat((double) row.get("peakToUniformCoarse")).isGreaterThan(5.0);
  }

  @Test
  void countsFromTheStormOnAndStretchesToTheLastReconnect() {
    List<Long> attempts = new ArrayList<>();
    attempts.add(START - 1); // before the storm: not counted
    attempts.add(START);
    attempts.add(START + Duration.ofMillis(12_340).toNanos());
    long lastOpen = START + Duration.ofMillis(12_346).toNanos();
    Map<String, Object> row = StormBench.result(attempts, START, lastOpen, CAP).fields();
    assertThat(row.get("attemptsInWindow")).isEqualTo(2);
    assertThat((double) row.get("windowSeconds")).isEqualTo(12.4);
    assertThat((double) row.get("secondsToAllReconnected")).isEqualTo(12.35);
    assertThat(row.get("coarseWindowMillis")).isEqualTo(1000L);
  }

  @Test
  void aFleetSpreadOverAQuarterOfRetryAfterReadsAboutOne() {
    SplittableRandom random = new SplittableRandom(11);
    double[] readings = new double[21];
    for (int run = 0; run < readings.length; run++) {
      List<long[]> scheduled = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        scheduled.add(new long[] {START, RETRY_AFTER.toNanos()
            + (long) (random.nextDouble() * RETRY_AFTER.toNanos() / 4)});
      }
      Map<String, Object> row =
          StormBench.retryAfterResult(scheduled, START, START, RETRY_AFTER).fields();
      assertThat(row.get("attemptsInWindow")).isEqualTo(1000);
      assertThat((double) row.get("windowSeconds")).isEqualTo(1.0);
      assertThat(row.get("delayPeakToUniform")).isEqualTo(row.get("peakToUniform"));
      readings[run] = ((Number) row.get("peakToUniform")).doubleValue();
    }
    assertThat(Stats.median(readings)).isBetween(0.9, 1.1);
  }

  @Test
  void aFleetBackAtExactlyRetryAfterReadsItsSpike() {
    List<long[]> scheduled = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      scheduled.add(new long[] {START - 1 - i, 5}); // attempts held before the 503s: not counted
      scheduled.add(new long[] {START + i * 1000L, RETRY_AFTER.toNanos()}); // seen within 1 ms
    }
    Map<String, Object> row = StormBench.retryAfterResult(scheduled, START,
        START + Duration.ofMillis(4_321).toNanos(), RETRY_AFTER).fields();
    assertThat(row.get("peakPer100ms")).isEqualTo(1000);
    assertThat((double) row.get("peakToMeanRatio")).isEqualTo(10.0); // ten 100 ms windows
    assertThat((double) row.get("peakToUniform")).isGreaterThan(8.0);
    assertThat(row.get("delayPeakToUniform")).isEqualTo(row.get("peakToUniform"));
    assertThat(row.get("coarseWindowMillis")).isEqualTo(200L);
    assertThat(row.get("retryAfterSeconds")).isEqualTo(4L);
    assertThat(row.get("retryAfterMinMs")).isEqualTo(4000L);
    assertThat(row.get("retryAfterMaxMs")).isEqualTo(4000L);
    assertThat(row.get("delayMinMs")).isEqualTo(4000L);
    assertThat(row.get("delayMaxMs")).isEqualTo(4000L);
    assertThat(row.get("attemptsAfter503")).isEqualTo(1000);
    assertThat((double) row.get("secondsToAllReconnected")).isEqualTo(4.32);
  }

  @Test
  void aFleetSlowToSeeItsSameDelayIsSpreadOnlyByTheDelay() {
    // one process handing 1000 503s to its clients over 1.5 s: their arrivals spread, their
    // delays (all exactly d) do not
    List<long[]> scheduled = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      scheduled.add(new long[] {START + i * 1_500_000L, RETRY_AFTER.toNanos()});
    }
    Map<String, Object> row =
        StormBench.retryAfterResult(scheduled, START, START, RETRY_AFTER).fields();
    assertThat(row.get("noticedWithinMs")).isEqualTo(1498L);
    assertThat(row.get("retryAfterMaxMs")).isEqualTo(5498L);
    assertThat(row.get("attemptsAfterSpread")).isEqualTo(333); // seen 1 s or more after the 503s
    assertThat((double) row.get("windowSeconds")).isEqualTo(1.5); // up to the last attempt
    assertThat((double) row.get("peakToUniform")).isLessThan(1.5);
    assertThat((double) row.get("delayPeakToUniform")).isGreaterThan(8.0);
  }

  @Test
  void countsAttemptsBeforeRetryAfterAndAfterTheSpread() {
    List<long[]> scheduled = List.of(
        new long[] {START, Duration.ofMillis(3_999).toNanos()}, // early: the client did not wait d
        new long[] {START, Duration.ofMillis(4_500).toNanos()},
        new long[] {START, Duration.ofMillis(5_000).toNanos()}); // just after [d, 1.25 d)
    Map<String, Object> row =
        StormBench.retryAfterResult(scheduled, START, START, RETRY_AFTER).fields();
    assertThat(row.get("attemptsInWindow")).isEqualTo(2);
    assertThat(row.get("attemptsBeforeRetryAfter")).isEqualTo(1);
    assertThat(row.get("attemptsAfterSpread")).isEqualTo(1);
    assertThat(row.get("retryAfterMinMs")).isEqualTo(3999L);
    assertThat(row.get("retryAfterMaxMs")).isEqualTo(5000L);
  }

  private static double number(Json row, String field) {
    return ((Number) row.fields().get(field)).doubleValue();
  }
}
