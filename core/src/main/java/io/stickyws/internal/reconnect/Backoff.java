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
 * <p>Built on resilience4j-retry, used through its own API with no side channel: one
 * {@code RetryConfig} whose result predicate is the status and close-code table, whose
 * {@code maxAttempts} is the attempt limit and whose {@code IntervalBiFunction} sees each failure
 * and returns the capped-then-jittered delay, raised to the server's {@code Retry-After} (itself
 * spread over [d, 1.25 d) by the same draw unless jitter is {@code NONE}), or -1 when
 * the elapsed-time limit would be exceeded; one {@code Retry.AsyncContext} per instance, whose
 * {@code onResult} returns that delay or -1 to give up. The interval function is a pure function of
 * the attempt number and the failure (which carries its random draw and the time it happened): it
 * writes nothing. Nothing is registered on resilience4j's event publisher.
 *
 * <p>Delays have millisecond resolution. Decisions are logged at TRACE only: the engine logs the
 * transitions and delays it acts on at DEBUG, with {@link Decision#reason()}.
 *
 * <p>Not thread-safe: the engine serializes calls.
 */
public final class Backoff {
  private static final Logger log = LoggerFactory.getLogger(Backoff.class);
  private static final String RETRY_NAME = "stickyws-reconnect";
  /** A Retry-After of d waits in [d, d + d * RETRY_AFTER_SPREAD), unless jitter is NONE. */
  static final double RETRY_AFTER_SPREAD = 0.25;

  private final ReconnectPolicy policy;
  private final Clock clock;
  private final RandomGenerator random;
  private final Instant start;
  private final Retry.AsyncContext<Failed> context;
  private final double initialMillis;
  private final double capMillis;

  private int attempts;
  private double previousMillis; // DECORRELATED: the previous jittered delay
  private Decision gaveUp;

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
        RetryConfig.<Failed>custom()
            .maxAttempts(policy.maxAttempts().orElse(Integer.MAX_VALUE))
            .retryOnResult(failed -> failed.refusal == null)
            .intervalBiFunction(this::interval)
            .writableStackTraceEnabled(false)
            .build();
    this.context = Retry.of(RETRY_NAME, config).asyncContext();
  }

  /**
   * One failed attempt as resilience4j sees it: the failure, the policy's refusal to retry it
   * (computed once), and what the delay depends on besides the attempt number.
   */
  private static final class Failed {
    final Failure failure;
    final String refusal;
    final double draw;
    final Instant at;

    Failed(Failure failure, String refusal, double draw, Instant at) {
      this.failure = failure;
      this.refusal = refusal;
      this.draw = draw;
      this.at = at;
    }
  }

  /** The delay after one failed attempt, and what it is made of. */
  private static final class Plan {
    final double jittered;
    final Optional<Duration> retryAfter;
    final long millis;
    final String overBudget;

    Plan(double jittered, Optional<Duration> retryAfter, long millis, String overBudget) {
      this.jittered = jittered;
      this.retryAfter = retryAfter;
      this.millis = millis;
      this.overBudget = overBudget;
    }
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
    String refusal = giveUpReason(policy, failure);
    int maxAttempts = policy.maxAttempts().orElse(Integer.MAX_VALUE);
    // one uniform draw per delay resilience4j will ask for: none when it will not ask
    double draw = policy.jitter() == ReconnectPolicy.Jitter.NONE || refusal != null
        || attempts >= maxAttempts ? 0 : random.nextDouble();
    Failed failed = new Failed(failure, refusal, draw, clock.instant());
    long delayMillis = context.onResult(failed);
    if (delayMillis < 0) {
      String reason = refusal != null ? refusal
          : attempts >= maxAttempts ? "maxAttempts (" + maxAttempts + ") reached"
          : plan(attempts, failed).overBudget;
      gaveUp = Decision.giveUp(reason);
      log.trace("reconnect: giving up after {} failed attempt(s): {}", attempts, reason);
      return gaveUp;
    }
    if (policy.jitter() == ReconnectPolicy.Jitter.DECORRELATED) {
      // the delay actually drawn, in whole milliseconds, never below the initial delay
      previousMillis = Math.max(initialMillis, Math.floor(plan(attempts, failed).jittered));
    }
    int attempt = attempts;
    // the reason is made only when read (a log at TRACE, a test): a reconnect is on the clock
    Decision decision = Decision.retryIn(Duration.ofMillis(delayMillis),
        () -> failure.describe() + ", attempt " + attempt
            + retryAfter(failure, failed.at).map(d -> ", Retry-After " + d).orElse(""));
    if (log.isTraceEnabled()) {
      log.trace("reconnect: {}: retry in {} ms", decision.reason(), delayMillis);
    }
    return decision;
  }

  /** @return failed attempts counted so far in this outage */
  public int attempts() {
    return attempts;
  }

  /** @return time since the outage started, by the clock; never negative */
  public Duration elapsed() {
    return elapsedAt(clock.instant());
  }

  private Duration elapsedAt(Instant now) {
    Duration elapsed = Duration.between(start, now);
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

  /** resilience4j's interval function (attempt is 1 for the first failure): writes nothing. */
  private Long interval(Integer attempt, Either<Throwable, Failed> outcome) {
    if (outcome.isLeft()) { // nothing here throws: only results are handed to resilience4j
      throw new IllegalStateException("unexpected exception", outcome.getLeft());
    }
    Plan plan = plan(attempt, outcome.get());
    return plan.overBudget != null ? -1L : plan.millis;
  }

  /** The delay after failed attempt {@code attempt}: a pure function of its arguments. */
  private Plan plan(int attempt, Failed failed) {
    double jittered = jittered(attempt, failed.draw);
    long delay = (long) jittered;
    Optional<Duration> retryAfter = retryAfter(failed.failure, failed.at);
    if (retryAfter.isPresent()) {
      // spread over [d, 1.25 d) by the failure's own draw, so that a balancer telling a fleet the
      // same number does not bring it back in the same instant (draw is 0 with Jitter.NONE)
      long given = saturatedMillis(retryAfter.get());
      long spread = (long) Math.min(Long.MAX_VALUE, given * RETRY_AFTER_SPREAD * failed.draw);
      delay = Math.max(delay, given > Long.MAX_VALUE - spread ? Long.MAX_VALUE : given + spread);
    }
    Optional<Duration> limit = policy.maxElapsedTime();
    if (limit.isPresent()) {
      Duration elapsed = elapsedAt(failed.at);
      Duration delayDuration = Duration.ofMillis(delay);
      if (elapsed.plus(delayDuration).compareTo(limit.get()) > 0) {
        return new Plan(jittered, retryAfter, delay, "maxElapsedTime (" + limit.get()
            + ") would be exceeded: elapsed " + elapsed + " + delay " + delayDuration);
      }
    }
    return new Plan(jittered, retryAfter, delay, null);
  }

  /** The server's Retry-After on a 429/503 handshake, capped at maxRetryAfter. */
  private Optional<Duration> retryAfter(Failure failure, Instant now) {
    if (failure.kind() != Failure.Kind.HANDSHAKE
        || (failure.status() != 429 && failure.status() != 503)) {
      return Optional.empty();
    }
    return failure
        .retryAfterHeader()
        .flatMap(header -> RetryAfter.parse(header, now))
        .map(d -> d.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : d);
  }

  /**
   * The capped, then jittered, delay in milliseconds for failed attempt n (n >= 1), {@code draw}
   * being a uniform random number in [0, 1).
   */
  double jittered(int attempt, double draw) {
    // Math.pow overflows to +Infinity, never wraps; min() then yields the cap.
    double exponential = initialMillis * Math.pow(policy.multiplier(), attempt - 1.0);
    double capped = Math.min(capMillis, exponential);
    switch (policy.jitter()) {
      case NONE:
        return capped;
      case FULL:
        return draw * capped;
      case EQUAL:
        return capped / 2 + draw * (capped / 2);
      case TWO_THIRDS:
        return capped / 3 + draw * (capped * 2 / 3);
      case PROPORTIONAL:
        double f = policy.jitterFactor();
        return capped * (1 + (2 * draw - 1) * f);
      case DECORRELATED:
        double high = Math.min(capMillis, previousMillis * 3);
        return initialMillis + draw * (high - initialMillis);
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
