package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy.Jitter;
import io.stickyws.internal.reconnect.Backoff;
import io.stickyws.internal.reconnect.Decision;
import io.stickyws.internal.reconnect.Failure;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The default jitter, {@link Jitter#TWO_THIRDS}: its distribution (seeded randomness, fixed clock)
 * and the storm argument of docs/performance.md computed on its draws without sockets or time: a
 * large fleet retrying at the cap sees at most about 1.5 times the flat rate in both kinds of
 * storm, where {@link Jitter#FULL} sees 2 after a restart and {@link Jitter#EQUAL} 2 after a
 * synchronized failure.
 */
class TwoThirdsJitterTest {
  private static final Failure REFUSED = Failure.io(new ConnectException("refused"));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"),
      ZoneOffset.UTC);
  private static final long CAP = 30_000;
  private static final int FLEET = 20_000;
  private static final int WINDOWS = 10; // windows of cap/10 over one cap period

  @Test
  void isTheDefault() {
    assertThat(ReconnectPolicy.defaults().jitter()).isEqualTo(Jitter.TWO_THIRDS);
    assertThat(ReconnectPolicy.builder().build().jitter()).isEqualTo(Jitter.TWO_THIRDS);
  }

  @Test
  void atTheCapDrawsUniformlyFromTheUpperTwoThirds() {
    Delays delays = new Delays(Jitter.TWO_THIRDS, 1);
    int[] sixths = new int[6];
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum = 0;
    int n = 60_000;
    for (int i = 0; i < n; i++) {
      long d = delays.next();
      min = Math.min(min, d);
      max = Math.max(max, d);
      sum += d;
      sixths[(int) Math.min(5, d * 6 / CAP)]++;
    }
    assertThat(min).isBetween(CAP / 3, CAP / 3 + 20);
    assertThat(max).isBetween(CAP - 20, CAP);
    assertThat(sum / n).isCloseTo(2.0 * CAP / 3, org.assertj.core.data.Percentage.withPercentage(1));
    // nothing below cap/3, a quarter of the draws in each sixth above it (sd ~ 0.2 %)
    assertThat(sixths[0]).isZero();
    assertThat(sixths[1]).isZero();
    for (int s = 2; s < 6; s++) {
      assertThat(sixths[s] / (double) n).as("sixth %d", s).isBetween(0.24, 0.26);
    }
  }

  @Test
  void belowTheCapTheBandScalesWithTheDelay() {
    ReconnectPolicy policy = ReconnectPolicy.defaults();
    for (int seed = 0; seed < 200; seed++) {
      Backoff backoff = new Backoff(policy, CLOCK, new SplittableRandom(seed));
      for (int attempt = 1; attempt <= 8; attempt++) {
        double d = Math.min(CAP, 500 * Math.pow(2, attempt - 1));
        long delay = retry(backoff.next(REFUSED)).toMillis();
        assertThat(delay).as("attempt %d", attempt).isBetween((long) (d / 3) - 1, (long) d);
      }
    }
  }

  @Test
  void restartStormPeaksAtOneAndAHalfTimesTheFlatRate() {
    assertThat(restartPeakToFlat(Jitter.TWO_THIRDS)).isBetween(1.40, 1.60);
    assertThat(restartPeakToFlat(Jitter.FULL)).isBetween(1.80, 2.00);
    assertThat(restartPeakToFlat(Jitter.EQUAL)).isBetween(1.25, 1.42);
  }

  @Test
  void synchronizedStormPeaksAtOneAndAHalfTimesTheFlatRate() {
    assertThat(synchronizedPeakToFlat(Jitter.TWO_THIRDS)).isBetween(1.40, 1.60);
    assertThat(synchronizedPeakToFlat(Jitter.FULL)).isBetween(0.95, 1.08);
    assertThat(synchronizedPeakToFlat(Jitter.EQUAL)).isBetween(1.90, 2.10);
  }

  /**
   * Every client has been retrying at the cap long enough for its phase to be random; the backends
   * come back at time 0 and each client's first attempt after 0 succeeds. Busiest window of cap/10
   * over one cap period, against the flat rate (fleet / windows).
   */
  private static double restartPeakToFlat(Jitter jitter) {
    Delays delays = new Delays(jitter, 2);
    int[] counts = new int[WINDOWS];
    for (int c = 0; c < FLEET; c++) {
      long t = -10 * CAP - (long) (delays.random.nextDouble() * CAP);
      while (t < 0) {
        t += delays.next();
      }
      counts[(int) Math.min(WINDOWS - 1, t * WINDOWS / CAP)]++;
    }
    return peak(counts) / (FLEET / (double) WINDOWS);
  }

  /** Every client fails at time 0 together and its next attempt (at the cap) succeeds. */
  private static double synchronizedPeakToFlat(Jitter jitter) {
    Delays delays = new Delays(jitter, 3);
    int[] counts = new int[WINDOWS];
    for (int c = 0; c < FLEET; c++) {
      counts[(int) Math.min(WINDOWS - 1, delays.next() * WINDOWS / CAP)]++;
    }
    return peak(counts) / (FLEET / (double) WINDOWS);
  }

  private static int peak(int[] counts) {
    int peak = 0;
    for (int c : counts) {
      peak = Math.max(peak, c);
    }
    return peak;
  }

  private static Duration retry(Decision decision) {
    assertThat(decision.retry()).as(decision.toString()).isTrue();
    return decision.delay();
  }

  /** Capped delays of one policy (500 ms doubling to 30 s) drawn from one outage past the cap. */
  private static final class Delays {
    final SplittableRandom random;
    private final Backoff backoff;

    Delays(Jitter jitter, long seed) {
      this.random = new SplittableRandom(seed);
      ReconnectPolicy policy = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(500))
          .multiplier(2.0).maxDelay(Duration.ofMillis(CAP)).jitter(jitter).build();
      this.backoff = new Backoff(policy, CLOCK, random);
      for (int i = 0; i < 10; i++) { // attempt 7 reaches the cap; 10 are past it
        backoff.next(REFUSED);
      }
    }

    long next() {
      return retry(backoff.next(REFUSED)).toMillis();
    }
  }
}
