package io.stickyws.internal.reconnect;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What to do after a failure: reconnect after a delay, or give up.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Decision {
  private final boolean retry;
  private final Duration delay;
  /** Why, made when first asked: a retry's reason is mostly never read. */
  private final Supplier<String> reasonSource;
  private volatile String reason;

  private Decision(boolean retry, Duration delay, Supplier<String> reasonSource) {
    this.retry = retry;
    this.delay = delay;
    this.reasonSource = reasonSource;
  }

  /**
   * A decision to reconnect.
   *
   * @param delay how long to wait first, not negative
   * @param reason why, for logs and events; no secrets
   * @return the decision
   */
  public static Decision retryIn(Duration delay, String reason) {
    Objects.requireNonNull(reason, "reason == null");
    return retryIn(delay, () -> reason);
  }

  /**
   * A decision to reconnect whose reason is made only when {@link #reason()} is first called.
   *
   * @param delay how long to wait first, not negative
   * @param reason makes the reason, for logs and events; no secrets; a pure function (threads
   *     reading the reason at the same moment may both call it)
   * @return the decision
   */
  public static Decision retryIn(Duration delay, Supplier<String> reason) {
    Objects.requireNonNull(delay, "delay == null");
    Objects.requireNonNull(reason, "reason == null");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay (" + delay + ") must be >= 0");
    }
    return new Decision(true, delay, reason);
  }

  /**
   * A decision to stop reconnecting.
   *
   * @param reason why, for logs and events; no secrets
   * @return the decision
   */
  public static Decision giveUp(String reason) {
    Objects.requireNonNull(reason, "reason == null");
    return new Decision(false, Duration.ZERO, () -> reason);
  }

  /** @return {@code true} to reconnect after {@link #delay()} */
  public boolean retry() {
    return retry;
  }

  /** @return how long to wait before reconnecting; {@link Duration#ZERO} when giving up */
  public Duration delay() {
    return delay;
  }

  /** @return why, for logs and events; never contains secrets */
  public String reason() {
    String made = reason;
    if (made == null) {
      made = Objects.requireNonNull(reasonSource.get(), "reason == null");
      reason = made;
    }
    return made;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Decision)) {
      return false;
    }
    Decision that = (Decision) o;
    return retry == that.retry && delay.equals(that.delay) && reason().equals(that.reason());
  }

  @Override
  public int hashCode() {
    return Objects.hash(retry, delay, reason());
  }

  @Override
  public String toString() {
    return retry ? "retry in " + delay + " (" + reason() + ")" : "give up (" + reason() + ")";
  }
}
