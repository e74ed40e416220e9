package io.stickyws.internal.reconnect;

import io.github.resilience4j.core.IntervalFunction;
import io.stickyws.ReconnectPolicy;
import java.time.Duration;

/**
 * resilience4j's own {@code IntervalFunction.ofExponentialRandomBackoff}, kept (in the tests only)
 * so statistical tests can compare it with {@link Backoff}: <b>the behaviour we avoid</b>.
 *
 * <p>That function randomizes the exponential value first and caps it afterwards. Once the
 * un-randomized value exceeds the cap by more than the randomization spread, every draw is exactly
 * the cap, so a crowd of clients that lost their connections together reconnects together again
 * at the cap (with initial 500 ms, multiplier 2, factor 0.5 and a 30 s cap, more than half of the
 * draws are the cap from attempt 7 on, and all of them from attempt 8). {@link Backoff} caps
 * first and jitters after. Its randomness is {@code Math.random()} and cannot be seeded.
 *
 * <p>Stateless; thread-safe.
 */
public final class Resilience4jReference {
  private Resilience4jReference() {}

  /**
   * resilience4j's exponential random backoff with the given parameters.
   *
   * @param initial the initial interval (millisecond resolution)
   * @param multiplier the growth factor
   * @param randomizationFactor the relative spread, in {@code [0, 1]}
   * @param max the cap, applied after randomization
   * @return resilience4j's interval function; attempts count from 1
   */
  public static IntervalFunction exponentialRandomBackoff(
      Duration initial, double multiplier, double randomizationFactor, Duration max) {
    return IntervalFunction.ofExponentialRandomBackoff(
        initial, multiplier, randomizationFactor, max);
  }

  /**
   * One delay of resilience4j's exponential random backoff configured like {@code policy}
   * (initial delay, multiplier, max delay) with resilience4j's default randomization factor 0.5.
   *
   * @param policy the policy whose initial delay, multiplier and max delay to use
   * @param attempt the failed attempt, from 1
   * @return the delay resilience4j would wait
   */
  public static Duration delay(ReconnectPolicy policy, int attempt) {
    return delay(
        policy.initialDelay(),
        policy.multiplier(),
        IntervalFunction.DEFAULT_RANDOMIZATION_FACTOR,
        policy.maxDelay(),
        attempt);
  }

  /**
   * One delay of resilience4j's exponential random backoff.
   *
   * @param initial the initial interval
   * @param multiplier the growth factor
   * @param randomizationFactor the relative spread, in {@code [0, 1]}
   * @param max the cap
   * @param attempt the failed attempt, from 1
   * @return the delay resilience4j would wait
   */
  public static Duration delay(
      Duration initial, double multiplier, double randomizationFactor, Duration max, int attempt) {
    long millis =
        exponentialRandomBackoff(initial, multiplier, randomizationFactor, max).apply(attempt);
    return Duration.ofMillis(millis);
  }
}
