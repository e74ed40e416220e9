package io.stickyws.internal.reconnect;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.ReconnectPolicy.Jitter;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Statistical checks that capped-then-jittered delays spread a crowd of clients over the whole
 * window, where resilience4j's {@code ofExponentialRandomBackoff} (randomize, then cap) sends most
 * of them back at exactly the cap. Our draws are seeded; resilience4j uses {@code Math.random()},
 * so its shares vary slightly between runs and the assertions leave a wide margin.
 */
class JitterDistributionTest {
  private static final int DRAWS = 10_000;
  private static final long CAP = 30_000;
  private static final Failure REFUSED = Failure.io(new ConnectException("refused"));

  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
  private final SplittableRandom random = new SplittableRandom(42L);

  private static ReconnectPolicy policy(Jitter jitter) {
    return ReconnectPolicy.builder()
        .initialDelay(Duration.ofMillis(500))
        .maxDelay(Duration.ofSeconds(30))
        .jitter(jitter)
        .build();
  }

  /** The delay of attempt {@code attempt} in each of {@link #DRAWS} independent outages. */
  private long[] ourDraws(ReconnectPolicy policy, int attempt) {
    long[] draws = new long[DRAWS];
    for (int i = 0; i < DRAWS; i++) {
      Backoff backoff = new Backoff(policy, clock, random);
      Decision d = null;
      for (int n = 1; n <= attempt; n++) {
        d = backoff.next(REFUSED);
      }
      assertThat(d.retry()).isTrue();
      draws[i] = d.delay().toMillis();
    }
    return draws;
  }

  private static long[] resilience4jDraws(int attempt) {
    ReconnectPolicy sameShape = policy(Jitter.FULL); // initial 500 ms, multiplier 2, max 30 s
    long[] draws = new long[DRAWS];
    for (int i = 0; i < DRAWS; i++) {
      draws[i] = Resilience4jReference.delay(sameShape, attempt).toMillis();
    }
    return draws;
  }

  private static double largestSingleValueShare(long[] draws) {
    Map<Long, Integer> counts = new HashMap<>();
    for (long d : draws) {
      counts.merge(d, 1, Integer::sum);
    }
    return counts.values().stream().mapToInt(Integer::intValue).max().getAsInt()
        / (double) draws.length;
  }

  private static double shareAtCap(long[] draws) {
    long atCap = 0;
    for (long d : draws) {
      if (d == CAP) {
        atCap++;
      }
    }
    return atCap / (double) draws.length;
  }

  private static double[] tenthShares(long[] draws) {
    double[] shares = new double[10];
    for (long d : draws) {
      int tenth = (int) Math.min(9, d * 10 / CAP);
      shares[tenth] += 1.0 / draws.length;
    }
    return shares;
  }

  private static String percent(double share) {
    return String.format("%.2f %%", share * 100);
  }

  @Test
  void fullJitterSpreadsDrawsOverTheWholeWindowAtAttempt20() {
    long[] draws = ourDraws(policy(Jitter.FULL), 20);
    double largest = largestSingleValueShare(draws);
    double[] tenths = tenthShares(draws);
    System.out.printf(
        "FULL attempt 20: largest single-ms share %s, at cap %s, tenths %s%n",
        percent(largest), percent(shareAtCap(draws)), describe(tenths));

    assertThat(Arrays.stream(draws).min().getAsLong()).isGreaterThanOrEqualTo(0L);
    assertThat(Arrays.stream(draws).max().getAsLong()).isLessThanOrEqualTo(CAP);
    assertThat(largest).isLessThanOrEqualTo(0.01);
    for (int i = 0; i < 10; i++) {
      assertThat(tenths[i]).as("tenth %d", i).isBetween(0.05, 0.15);
    }
  }

  @Test
  void resilience4jExponentialRandomBackoffCollapsesOntoTheCap() {
    long[] attempt6 = resilience4jDraws(6);
    long[] attempt7 = resilience4jDraws(7);
    long[] attempt20 = resilience4jDraws(20);
    System.out.printf(
        "resilience4j ofExponentialRandomBackoff(500 ms, 2.0, 0.5, 30 s): at cap:"
            + " attempt 6 %s, attempt 7 %s, attempt 20 %s; largest single-ms share at 20: %s%n",
        percent(shareAtCap(attempt6)),
        percent(shareAtCap(attempt7)),
        percent(shareAtCap(attempt20)),
        percent(largestSingleValueShare(attempt20)));

    // 500 * 2^6 = 32 000 ms randomized by +-50 % is >= 30 000 ms with probability ~56 %
    assertThat(shareAtCap(attempt7)).isGreaterThan(0.5);
    // from attempt 8 the lowest randomized value is above the cap: every draw is the cap
    assertThat(shareAtCap(attempt20)).isEqualTo(1.0);
    assertThat(largestSingleValueShare(attempt20)).isGreaterThan(0.5);
    // below the cap it does spread: the collapse is caused by randomizing before capping
    assertThat(shareAtCap(attempt6)).isZero();
  }

  @Test
  void ourFullJitterNeverCollapsesFromAttempt7On() {
    for (int attempt : new int[] {7, 8, 12}) {
      long[] draws = ourDraws(policy(Jitter.FULL), attempt);
      System.out.printf(
          "FULL attempt %d: at cap %s, largest single-ms share %s%n",
          attempt, percent(shareAtCap(draws)), percent(largestSingleValueShare(draws)));
      assertThat(largestSingleValueShare(draws)).isLessThanOrEqualTo(0.01);
    }
  }

  @Test
  void equalJitterSpreadsDrawsOverTheUpperHalfAtAttempt20() {
    long[] draws = ourDraws(policy(Jitter.EQUAL), 20);
    double largest = largestSingleValueShare(draws);
    System.out.printf(
        "EQUAL attempt 20: largest single-ms share %s, at cap %s%n",
        percent(largest), percent(shareAtCap(draws)));
    assertThat(Arrays.stream(draws).min().getAsLong()).isGreaterThanOrEqualTo(CAP / 2);
    assertThat(Arrays.stream(draws).max().getAsLong()).isLessThanOrEqualTo(CAP);
    assertThat(largest).isLessThanOrEqualTo(0.01);
    double[] tenths = tenthShares(draws);
    for (int i = 5; i < 10; i++) {
      assertThat(tenths[i]).as("tenth %d", i).isBetween(0.15, 0.25);
    }
  }

  @Test
  void decorrelatedJitterSpreadsDrawsAndDoesNotPileUpAtTheCap() {
    long[] draws = ourDraws(policy(Jitter.DECORRELATED), 20);
    double largest = largestSingleValueShare(draws);
    double[] tenths = tenthShares(draws);
    System.out.printf(
        "DECORRELATED attempt 20: largest single-ms share %s, at cap %s, tenths %s%n",
        percent(largest), percent(shareAtCap(draws)), describe(tenths));
    assertThat(Arrays.stream(draws).min().getAsLong()).isGreaterThanOrEqualTo(500L);
    assertThat(Arrays.stream(draws).max().getAsLong()).isLessThanOrEqualTo(CAP);
    assertThat(largest).isLessThanOrEqualTo(0.01);
    assertThat(shareAtCap(draws)).isLessThanOrEqualTo(0.01);
    for (int i = 0; i < 10; i++) {
      assertThat(tenths[i]).as("tenth %d", i).isGreaterThan(0.02);
    }
  }

  private static String describe(double[] tenths) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < tenths.length; i++) {
      s.append(i == 0 ? "" : ", ").append(String.format("%.1f", tenths[i] * 100));
    }
    return s.append("] %").toString();
  }
}
