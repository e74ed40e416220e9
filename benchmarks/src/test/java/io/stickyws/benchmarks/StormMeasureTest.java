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
 * about 1.0, a fleet in one window reads its full spike, and the windows start at the storm.
 */
class StormMeasureTest {
  private static final long START = 1_000_000_000_000L;
  private static final Duration CAP = Duration.ofSeconds(10);

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

  private static double number(Json row, String field) {
    return ((Number) row.fields().get(field)).doubleValue();
  }
}
