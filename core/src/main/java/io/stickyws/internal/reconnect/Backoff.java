package io.stickyws.internal.reconnect;

import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.stickyws.ReconnectPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconnect schedule of one outage: counts failed attempts, decides whether to try again and
 * how long to wait. The engine creates one when a connection is lost (or the first attempt fails)
 * and drops it once a connection stayed open for {@link ReconnectPolicy#resetAfter()}.
 *
 * <p>Built on resilience4j-retry: one {@code RetryConfig} encoding the policy (its retry predicate
 * holds the status and close-code decisions, its {@code maxAttempts} the attempt limit, its
 * interval function our capped-then-jittered delays, {@code Retry-After} and the elapsed-time
 * limit) and one {@code Retry.AsyncContext} per instance, whose {@code onError} returns the delay
 * in milliseconds or -1 to give up. Nothing is registered on resilience4j's event publisher.
 *
 * <p>Delays have millisecond resolution. Decisions are logged at TRACE only: the engine logs the
 * transitions and delays it acts on at DEBUG, with {@link Decision#reason()}.
 *
 * <p>Not thread-safe: the engine serializes calls.
 */
public final class Backoff {
  private static final Logger log = LoggerFactory.getLogger(Backoff.class);
  private static final String RETRY_NAME = "stickyws-reconnect";

  private final ReconnectPolicy policy;
  private final Clock clock;
  private final RandomGenerator random;
  private final Instant start;
  private final Retry.AsyncContext<Object> context;
  private final double initialMillis;
  private final double capMillis;

  private int attempts;
  private double previousMillis; // DECORRELATED: the previous jittered delay
  private Decision gaveUp;

  // Written by the interval function while onError runs, read right after it returns.
  private String intervalGiveUp;
  private String intervalNote;

  /**
   * Starts an outage at {@code clock.instant()}.
   *
   * @param policy the policy to follow
   * @param clock the time source for elapsed time and {@code Retry-After} dates
   * @param random the randomness for jitter
   */
  public Backoff(ReconnectPolicy policy, Clock clock, RandomGenerator random) {
    this.policy = Objects.requireNonNull(policy, "policy == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.random = Objects.requireNonNull(random, "random == null");
    this.start = clock.instant();
    this.initialMillis = millis(policy.initialDelay());
    this.capMillis = millis(policy.maxDelay());
    this.previousMillis = initialMillis;
    RetryConfig config =
        RetryConfig.<Object>custom()
            .maxAttempts(policy.maxAttempts().orElse(Integer.MAX_VALUE))
            .retryOnException(thrown -> retries(policy, thrown))
            .intervalBiFunction(this::interval)
            .failAfterMaxAttempts(false)
            .writableStackTraceEnabled(false)
            .build();
    this.context = Retry.of(RETRY_NAME, config).asyncContext();
  }

  /**
   * Counts one failed attempt (or one lost connection) and decides what to do next. Once it has
   * given up it keeps giving up with the same reason.
   *
   * @param failure what ended the attempt or the connection
   * @return retry after a delay, or give up
   */
  public Decision next(Failure failure) {
    Objects.requireNonNull(failure, "failure == null");
    attempts++;
    if (gaveUp != null) {
      return gaveUp;
    }
    intervalGiveUp = null;
    intervalNote = null;
    long delayMillis = context.onError(new FailureException(failure));
    Decision decision;
    if (delayMillis < 0) {
      String reason = giveUpReason(policy, failure);
      if (reason == null) {
        reason =
            intervalGiveUp != null
                ? intervalGiveUp
                : "maxAttempts (" + policy.maxAttempts().orElse(Integer.MAX_VALUE) + ") reached";
      }
      decision = Decision.giveUp(reason);
      gaveUp = decision;
      log.trace("reconnect: giving up after {} failed attempt(s): {}", attempts, reason);
    } else {
      String reason = failure.describe() + ", attempt " + attempts;
      if (intervalNote != null) {
        reason = reason + ", " + intervalNote;
      }
      decision = Decision.retryIn(Duration.ofMillis(delayMillis), reason);
      log.trace("reconnect: {}: retry in {} ms", reason, delayMillis);
    }
    return decision;
  }

  /** @return failed attempts counted so far in this outage */
  public int attempts() {
    return attempts;
  }

  /** @return time since the outage started, by the clock; never negative */
  public Duration elapsed() {
    Duration elapsed = Duration.between(start, clock.instant());
    return elapsed.isNegative() ? Duration.ZERO : elapsed;
  }

  /**
   * Why the policy refuses to retry after this failure regardless of attempts and time, or
   * {@code null} if it retries. A normal closure (1000) initiated locally is the application's own
   * close and is never retried.
   */
  static String giveUpReason(ReconnectPolicy policy, Failure failure) {
    switch (failure.kind()) {
      case HANDSHAKE:
        return policy.retriesStatus(failure.status()) ? null : failure.describe();
      case CLOSED:
        if (!failure.remote() && failure.closeCode() == 1000) {
          return "closed locally (1000)";
        }
        return policy.retriesCloseCode(failure.closeCode()) ? null : failure.describe();
      default:
        return null;
    }
  }

  private static boolean retries(ReconnectPolicy policy, Throwable thrown) {
    return thrown instanceof FailureException
        && giveUpReason(policy, ((FailureException) thrown).failure()) == null;
  }

  /** resilience4j's interval function: attempt is 1 for the first failure. */
  private Long interval(Integer attempt, Either<Throwable, Object> outcome) {
    Failure failure = ((FailureException) outcome.getLeft()).failure();
    long delay = (long) jittered(attempt);
    Optional<Duration> retryAfter = retryAfter(failure);
    if (retryAfter.isPresent()) {
      long serverMillis = saturatedMillis(retryAfter.get());
      intervalNote = "Retry-After " + retryAfter.get();
      delay = Math.max(delay, serverMillis);
    }
    Optional<Duration> limit = policy.maxElapsedTime();
    if (limit.isPresent()) {
      Duration elapsed = elapsed();
      Duration delayDuration = Duration.ofMillis(delay);
      if (elapsed.plus(delayDuration).compareTo(limit.get()) > 0) {
        intervalGiveUp =
            "maxElapsedTime ("
                + limit.get()
                + ") would be exceeded: elapsed "
                + elapsed
                + " + delay "
                + delayDuration;
        return -1L;
      }
    }
    return delay;
  }

  /** The server's Retry-After on a 429/503 handshake, capped at maxRetryAfter. */
  private Optional<Duration> retryAfter(Failure failure) {
    if (failure.kind() != Failure.Kind.HANDSHAKE
        || (failure.status() != 429 && failure.status() != 503)) {
      return Optional.empty();
    }
    return failure
        .retryAfterHeader()
        .flatMap(header -> RetryAfter.parse(header, clock.instant()))
        .map(d -> d.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : d);
  }

  /** The capped, then jittered, delay in milliseconds for failed attempt n (n >= 1). */
  double jittered(int attempt) {
    // Math.pow overflows to +Infinity, never wraps; min() then yields the cap.
    double exponential = initialMillis * Math.pow(policy.multiplier(), attempt - 1.0);
    double capped = Math.min(capMillis, exponential);
    switch (policy.jitter()) {
      case NONE:
        return capped;
      case FULL:
        return random.nextDouble() * capped;
      case EQUAL:
        return capped / 2 + random.nextDouble() * (capped / 2);
      case TWO_THIRDS:
        return capped / 3 + random.nextDouble() * (capped * 2 / 3);
      case PROPORTIONAL:
        double f = policy.jitterFactor();
        return capped * (1 + (2 * random.nextDouble() - 1) * f);
      case DECORRELATED:
        double high = Math.min(capMillis, previousMillis * 3);
        double next = initialMillis + random.nextDouble() * (high - initialMillis);
        // the delay actually used, in whole milliseconds, never below the initial delay
        previousMillis = Math.max(initialMillis, Math.floor(next));
        return next;
      default:
        throw new AssertionError(policy.jitter());
    }
  }

  private static double millis(Duration d) {
    return d.getSeconds() * 1000.0 + d.getNano() / 1_000_000.0;
  }

  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
