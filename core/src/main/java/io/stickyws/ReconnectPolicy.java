package io.stickyws;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * When and how fast a sticky WebSocket connection reconnects after it failed or was closed.
 *
 * <p>The delay before reconnect attempt {@code n} (counting failed attempts of one outage from 1)
 * starts from the exponential value {@code initialDelay * multiplier^(n-1)}, is capped at {@link
 * #maxDelay()}, and only then jittered as {@link #jitter()} says, so that many clients that lost
 * their connection at the same moment spread their reconnects over the whole window instead of
 * hitting the balancer together at the cap.
 *
 * <p>The policy gives up when a handshake status or a close code says retrying is pointless
 * ({@code 401}, {@code 403}, {@code 1008}, ... see {@link #retriesStatus(int)} and {@link
 * #retriesCloseCode(int)}), after {@link #maxAttempts()} failed attempts, or when the next attempt
 * would start later than {@link #maxElapsedTime()} after the outage began. A server's {@code
 * Retry-After} on a {@code 429} or {@code 503} handshake response is honoured, capped at {@link
 * #maxRetryAfter()}, and spread: a {@code Retry-After} of d waits a random time in [d, 1.25 d), so
 * that a balancer telling a thousand clients the same number does not bring them back in the same
 * instant (with {@link Jitter#NONE} it waits exactly d). The backoff starts again from {@link #initialDelay()} once a connection stayed
 * open for {@link #resetAfter()}.
 *
 * <p>How attempts are numbered ({@code onOpen}, {@code onReconnecting}), so that numbers and
 * delays tell one story: a first connect is attempt 1, and its first retry is attempt 2, waiting
 * the delay of failed attempt 1. After a connection drops, its first retry is attempt 1 and waits
 * the delay of failed attempt 1, unless the connection was open for less than {@link
 * #resetAfter()} after an earlier outage: then that outage goes on, its numbering and its delays
 * both continue.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ReconnectPolicy {

  /**
   * How the capped exponential delay is randomized.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum Jitter {
    /** No randomization: exactly {@code min(maxDelay, initialDelay * multiplier^(n-1))}. */
    NONE,
    /** Uniform in {@code [0, d]} where {@code d} is the capped exponential delay. */
    FULL,
    /** {@code d/2} plus a uniform value in {@code [0, d/2]}. */
    EQUAL,
    /**
     * Uniform in {@code [initialDelay, min(maxDelay, 3 * previous delay)]}, the previous delay being
     * {@code initialDelay} before the first attempt.
     */
    DECORRELATED,
    /** {@code d * (1 + u)} with {@code u} uniform in {@code [-jitterFactor, +jitterFactor]}. */
    PROPORTIONAL,
    /**
     * Uniform in {@code [d/3, d]}: {@code d/3} plus a uniform value in {@code [0, 2d/3]}; the
     * default. At the cap this bounds both kinds of reconnect storm at 1.5 times the rate of a
     * perfectly spread fleet: after a restart the first moments carry {@code 2d/(d/3 + d) = 1.5}
     * times it, and after a failure that hit every client at the same instant the fleet comes
     * back within {@code 2d/3}, at {@code d/(2d/3) = 1.5} times it ({@link #FULL}: 2 and 1; {@link
     * #EQUAL}: 1.33 and 2). See docs/performance.md.
     */
    TWO_THIRDS
  }

  /** The default for close codes 4000-4999: retry. Declared before DEFAULTS, which uses it. */
  private static final IntPredicate RETRY_ALL_APPLICATION_CODES = code -> true;

  private static final ReconnectPolicy DEFAULTS = new Builder().build();

  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final Jitter jitter;
  private final double jitterFactor;
  private final int maxAttempts; // 0 = unlimited
  private final Duration maxElapsedTime; // null = none
  private final Duration resetAfter;
  private final Duration maxRetryAfter;
  private final Map<Integer, Boolean> statusOverrides; // true = retry
  private final Map<Integer, Boolean> closeCodeOverrides; // true = retry
  private final IntPredicate applicationCloseCodes;

  private ReconnectPolicy(Builder b) {
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.jitterFactor = b.jitterFactor;
    this.maxAttempts = b.maxAttempts;
    this.maxElapsedTime = b.maxElapsedTime;
    this.resetAfter = b.resetAfter;
    this.maxRetryAfter = b.maxRetryAfter;
    this.statusOverrides = Collections.unmodifiableMap(new TreeMap<>(b.statusOverrides));
    this.closeCodeOverrides =
        Collections.unmodifiableMap(new TreeMap<>(b.closeCodeOverrides));
    this.applicationCloseCodes = b.applicationCloseCodes;
  }

  /**
   * The default policy: 500 ms initial delay doubling up to 30 s, {@link Jitter#TWO_THIRDS} jitter
   * (uniform in the upper two thirds of the capped delay), no limit on attempts
   * or elapsed time, reset after 30 s of stable connection, {@code Retry-After} capped at 5 min.
   *
   * @return the default policy
   */
  public static ReconnectPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A new builder holding the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this policy's settings.
   *
   * @return a builder initialized from this policy
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** @return the delay before the first reconnect attempt (before jitter); default 500 ms */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** @return the factor between consecutive delays; default 2.0 */
  public double multiplier() {
    return multiplier;
  }

  /** @return the cap on the exponential delay, applied before jitter; default 30 s */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** @return how delays are randomized; default {@link Jitter#TWO_THIRDS} */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * The relative spread of {@link Jitter#PROPORTIONAL} jitter.
   *
   * @return a factor in {@code (0, 1]}; default 0.5, i.e. plus or minus 50 %
   */
  public double jitterFactor() {
    return jitterFactor;
  }

  /**
   * The number of failed attempts in one outage after which the policy gives up.
   *
   * @return the limit, or empty to retry forever (the default)
   */
  public OptionalInt maxAttempts() {
    return maxAttempts == 0 ? OptionalInt.empty() : OptionalInt.of(maxAttempts);
  }

  /**
   * How long one outage may last: the policy gives up when the next attempt would start later than
   * this after the first failure.
   *
   * @return the limit, or empty for none (the default)
   */
  public Optional<Duration> maxElapsedTime() {
    return Optional.ofNullable(maxElapsedTime);
  }

  /**
   * How long a connection must stay open for the next outage to start again from {@link
   * #initialDelay()}; default 30 s.
   *
   * @return the stable-connection time
   */
  public Duration resetAfter() {
    return resetAfter;
  }

  /**
   * The cap on a server's {@code Retry-After}; default 5 min. The capped value is then spread over
   * [d, 1.25 d) unless the jitter is {@link Jitter#NONE}, so a wait may exceed this cap by up to a
   * quarter.
   *
   * @return the longest {@code Retry-After} honoured
   */
  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  /**
   * Whether a failed handshake with this HTTP status is retried. By default 400, 401, 403 and 404
   * give up, and so does any other success or redirect status (200-399: the URI is not a WebSocket
   * endpoint, a stats page for example); every other status (408, 429, 5xx, ...) is retried. Overridden per status by {@link
   * Builder#giveUpOnStatus(int...)} and {@link Builder#retryOnStatus(int...)}.
   *
   * @param status the handshake response status
   * @return {@code true} to retry
   */
  public boolean retriesStatus(int status) {
    Boolean override = statusOverrides.get(status);
    if (override != null) {
      return override;
    }
    if (status >= 200 && status < 400) {
      return false; // not a WebSocket endpoint
    }
    switch (status) {
      case 400:
      case 401:
      case 403:
      case 404:
        return false;
      default:
        return true;
    }
  }

  /**
   * Whether a connection closed by the server with this close code is reconnected. By default
   * 1003 (unsupported data), 1007 (invalid payload), 1008 (policy violation), 1009 (message too
   * big) and 1010 (missing extension) give up; 1000, 1001, 1006, 1011, 1012, 1013, 1014 and every
   * other code below 4000 are retried; 4000-4999 are decided by {@link
   * Builder#applicationCloseCodes(IntPredicate)} (default: retry). Overridden per code by {@link
   * Builder#giveUpOnCloseCode(int...)} and {@link Builder#retryOnCloseCode(int...)}, which take
   * precedence over the application predicate.
   *
   * @param code the close code
   * @return {@code true} to reconnect
   */
  public boolean retriesCloseCode(int code) {
    Boolean override = closeCodeOverrides.get(code);
    if (override != null) {
      return override;
    }
    if (code >= 4000 && code <= 4999) {
      return applicationCloseCodes.test(code);
    }
    switch (code) {
      case 1003:
      case 1007:
      case 1008:
      case 1009:
      case 1010:
        return false;
      default:
        return true;
    }
  }

  /**
   * The predicate deciding close codes 4000-4999 that have no per-code override.
   *
   * @return the predicate, {@code true} meaning reconnect
   */
  public IntPredicate applicationCloseCodes() {
    return applicationCloseCodes;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ReconnectPolicy)) {
      return false;
    }
    ReconnectPolicy that = (ReconnectPolicy) o;
    return Double.compare(multiplier, that.multiplier) == 0
        && Double.compare(jitterFactor, that.jitterFactor) == 0
        && maxAttempts == that.maxAttempts
        && initialDelay.equals(that.initialDelay)
        && maxDelay.equals(that.maxDelay)
        && jitter == that.jitter
        && Objects.equals(maxElapsedTime, that.maxElapsedTime)
        && resetAfter.equals(that.resetAfter)
        && maxRetryAfter.equals(that.maxRetryAfter)
        && statusOverrides.equals(that.statusOverrides)
        && closeCodeOverrides.equals(that.closeCodeOverrides)
        && applicationCloseCodes.equals(that.applicationCloseCodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        initialDelay,
        multiplier,
        maxDelay,
        jitter,
        jitterFactor,
        maxAttempts,
        maxElapsedTime,
        resetAfter,
        maxRetryAfter,
        statusOverrides,
        closeCodeOverrides,
        applicationCloseCodes);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("ReconnectPolicy{");
    s.append("initialDelay=").append(initialDelay);
    s.append(", multiplier=").append(multiplier);
    s.append(", maxDelay=").append(maxDelay);
    s.append(", jitter=").append(jitter);
    if (jitter == Jitter.PROPORTIONAL) {
      s.append(", jitterFactor=").append(jitterFactor);
    }
    s.append(", maxAttempts=").append(maxAttempts == 0 ? "unlimited" : maxAttempts);
    s.append(", maxElapsedTime=").append(maxElapsedTime == null ? "none" : maxElapsedTime);
    s.append(", resetAfter=").append(resetAfter);
    s.append(", maxRetryAfter=").append(maxRetryAfter);
    if (!statusOverrides.isEmpty()) {
      s.append(", statusOverrides=").append(describe(statusOverrides));
    }
    if (!closeCodeOverrides.isEmpty()) {
      s.append(", closeCodeOverrides=").append(describe(closeCodeOverrides));
    }
    if (applicationCloseCodes != RETRY_ALL_APPLICATION_CODES) {
      s.append(", applicationCloseCodes=custom");
    }
    return s.append('}').toString();
  }

  private static String describe(Map<Integer, Boolean> overrides) {
    StringBuilder s = new StringBuilder("{");
    overrides.forEach(
        (code, retry) -> {
          if (s.length() > 1) {
            s.append(", ");
          }
          s.append(code).append('=').append(retry ? "retry" : "give up");
        });
    return s.append('}').toString();
  }

  /**
   * Builds a {@link ReconnectPolicy}; every setting is checked by {@link #build()}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Duration initialDelay = Duration.ofMillis(500);
    private double multiplier = 2.0;
    private Duration maxDelay = Duration.ofSeconds(30);
    private Jitter jitter = Jitter.TWO_THIRDS;
    private double jitterFactor = 0.5;
    private int maxAttempts = 0;
    private boolean maxAttemptsSet = false;
    private Duration maxElapsedTime = null;
    private boolean maxElapsedTimeSet = false;
    private Duration resetAfter = Duration.ofSeconds(30);
    private Duration maxRetryAfter = Duration.ofMinutes(5);
    private final Map<Integer, Boolean> statusOverrides = new TreeMap<>();
    private final Map<Integer, Boolean> closeCodeOverrides = new TreeMap<>();
    private IntPredicate applicationCloseCodes = RETRY_ALL_APPLICATION_CODES;
    private String badCode; // first invalid status or close code given, reported at build()

    Builder() {}

    Builder(ReconnectPolicy p) {
      this.initialDelay = p.initialDelay;
      this.multiplier = p.multiplier;
      this.maxDelay = p.maxDelay;
      this.jitter = p.jitter;
      this.jitterFactor = p.jitterFactor;
      this.maxAttempts = p.maxAttempts;
      this.maxAttemptsSet = p.maxAttempts != 0;
      this.maxElapsedTime = p.maxElapsedTime;
      this.maxElapsedTimeSet = p.maxElapsedTime != null;
      this.resetAfter = p.resetAfter;
      this.maxRetryAfter = p.maxRetryAfter;
      this.statusOverrides.putAll(p.statusOverrides);
      this.closeCodeOverrides.putAll(p.closeCodeOverrides);
      this.applicationCloseCodes = p.applicationCloseCodes;
    }

    /**
     * Sets the delay before the first reconnect attempt, before jitter.
     *
     * @param initialDelay a positive duration; default 500 ms
     * @return this builder
     */
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
      return this;
    }

    /**
     * Sets the factor between consecutive delays.
     *
     * @param multiplier a finite value {@code >= 1}; default 2.0
     * @return this builder
     */
    public Builder multiplier(double multiplier) {
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the cap on the exponential delay, applied before jitter.
     *
     * @param maxDelay a duration {@code >= initialDelay}; default 30 s
     * @return this builder
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * Sets how delays are randomized.
     *
     * @param jitter the jitter; default {@link Jitter#TWO_THIRDS}
     * @return this builder
     */
    public Builder jitter(Jitter jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the spread of {@link Jitter#PROPORTIONAL} jitter without selecting it.
     *
     * @param jitterFactor a factor in {@code (0, 1]}; default 0.5
     * @return this builder
     */
    public Builder jitterFactor(double jitterFactor) {
      this.jitterFactor = jitterFactor;
      return this;
    }

    /**
     * Selects {@link Jitter#PROPORTIONAL} jitter: each delay is multiplied by a uniform value in
     * {@code [1 - factor, 1 + factor]}.
     *
     * @param factor a factor in {@code (0, 1]}
     * @return this builder
     */
    public Builder proportionalJitter(double factor) {
      this.jitter = Jitter.PROPORTIONAL;
      this.jitterFactor = factor;
      return this;
    }

    /**
     * Gives up after this many failed attempts in one outage.
     *
     * @param maxAttempts a limit {@code >= 1}
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      this.maxAttemptsSet = true;
      return this;
    }

    /**
     * Retries forever (as far as attempts are concerned); the default.
     *
     * @return this builder
     */
    public Builder unlimitedAttempts() {
      this.maxAttempts = 0;
      this.maxAttemptsSet = false;
      return this;
    }

    /**
     * Gives up when the next attempt would start later than this after the outage began.
     *
     * @param maxElapsedTime a positive duration
     * @return this builder
     */
    public Builder maxElapsedTime(Duration maxElapsedTime) {
      this.maxElapsedTime = maxElapsedTime;
      this.maxElapsedTimeSet = true;
      return this;
    }

    /**
     * Removes the limit on the duration of an outage; the default.
     *
     * @return this builder
     */
    public Builder noElapsedLimit() {
      this.maxElapsedTime = null;
      this.maxElapsedTimeSet = false;
      return this;
    }

    /**
     * Sets how long a connection must stay open for the backoff to start again from {@link
     * #initialDelay(Duration)}.
     *
     * @param resetAfter a positive duration; default 30 s
     * @return this builder
     */
    public Builder resetAfter(Duration resetAfter) {
      this.resetAfter = resetAfter;
      return this;
    }

    /**
     * Sets the cap on a server's {@code Retry-After}.
     *
     * @param maxRetryAfter a positive duration; default 5 min
     * @return this builder
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * Gives up when a handshake fails with one of these HTTP statuses (100-599), overriding the
     * default for each.
     *
     * @param statuses the statuses
     * @return this builder
     */
    public Builder giveUpOnStatus(int... statuses) {
      return override(statusOverrides, "status", 100, 599, statuses, false);
    }

    /**
     * Retries when a handshake fails with one of these HTTP statuses (100-599), overriding the
     * default for each.
     *
     * @param statuses the statuses
     * @return this builder
     */
    public Builder retryOnStatus(int... statuses) {
      return override(statusOverrides, "status", 100, 599, statuses, true);
    }

    /**
     * Gives up when the server closes with one of these close codes (1000-4999), overriding the
     * default and the application predicate for each.
     *
     * @param codes the close codes
     * @return this builder
     */
    public Builder giveUpOnCloseCode(int... codes) {
      return override(closeCodeOverrides, "closeCode", 1000, 4999, codes, false);
    }

    /**
     * Reconnects when the server closes with one of these close codes (1000-4999), overriding the
     * default and the application predicate for each.
     *
     * @param codes the close codes
     * @return this builder
     */
    public Builder retryOnCloseCode(int... codes) {
      return override(closeCodeOverrides, "closeCode", 1000, 4999, codes, true);
    }

    /**
     * Decides the application close codes 4000-4999 that have no per-code override.
     *
     * @param retry returns {@code true} to reconnect after that code; default: always
     * @return this builder
     */
    public Builder applicationCloseCodes(IntPredicate retry) {
      this.applicationCloseCodes = retry;
      return this;
    }

    private Builder override(
        Map<Integer, Boolean> overrides,
        String field,
        int min,
        int max,
        int[] codes,
        boolean retry) {
      if (codes == null) {
        if (badCode == null) {
          badCode = (field.equals("status") ? "statuses" : field + "s") + " == null";
        }
        return this;
      }
      for (int code : codes) {
        if (code < min || code > max) {
          if (badCode == null) {
            badCode = field + " (" + code + ") must be in [" + min + ", " + max + "]";
          }
        } else {
          overrides.put(code, retry);
        }
      }
      return this;
    }

    /**
     * Checks every setting and builds the policy.
     *
     * @return the policy
     * @throws NullPointerException if a required setting is {@code null}
     * @throws IllegalArgumentException if a setting is out of range
     */
    public ReconnectPolicy build() {
      requirePositive(initialDelay, "initialDelay");
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "multiplier (" + multiplier + ") must be finite and >= 1");
      }
      requirePositive(maxDelay, "maxDelay");
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw new IllegalArgumentException(
            "maxDelay (" + maxDelay + ") must be >= initialDelay (" + initialDelay + ")");
      }
      if (jitter == null) {
        throw new NullPointerException("jitter == null");
      }
      if (!(jitterFactor > 0.0 && jitterFactor <= 1.0)) {
        throw new IllegalArgumentException(
            "jitterFactor (" + jitterFactor + ") must be > 0 and <= 1");
      }
      if (maxAttemptsSet && maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts (" + maxAttempts + ") must be >= 1");
      }
      if (maxElapsedTimeSet) {
        requirePositive(maxElapsedTime, "maxElapsedTime");
      }
      requirePositive(resetAfter, "resetAfter");
      requirePositive(maxRetryAfter, "maxRetryAfter");
      if (applicationCloseCodes == null) {
        throw new NullPointerException("applicationCloseCodes == null");
      }
      if (badCode != null) {
        if (badCode.endsWith("== null")) {
          throw new NullPointerException(badCode);
        }
        throw new IllegalArgumentException(badCode);
      }
      return new ReconnectPolicy(this);
    }

    private static void requirePositive(Duration d, String field) {
      if (d == null) {
        throw new NullPointerException(field + " == null");
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " (" + d + ") must be > 0");
      }
    }
  }
}
