package io.stickyws.internal.reconnect;

/**
 * Carries a {@link Failure} through resilience4j's {@code Retry.AsyncContext.onError(Throwable)}
 * to our retry predicate and interval function. Never thrown, never escapes {@link Backoff}.
 *
 * <p>Instances are immutable and thread-safe.
 */
final class FailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Failure failure;

  FailureException(Failure failure) {
    super(failure.describe(), failure.cause(), false, false);
    this.failure = failure;
  }

  Failure failure() {
    return failure;
  }
}
