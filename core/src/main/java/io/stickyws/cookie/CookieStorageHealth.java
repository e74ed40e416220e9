package io.stickyws.cookie;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a {@link FileCookieJar} can persist its cookies: {@link Status#WRITABLE}, or
 * {@link Status#DEGRADED} to memory (stickiness will not survive a restart), with the failure that
 * caused it.
 *
 * <p>The failure is described by its exception type and a message naming the file and the reason
 * ({@code /app/cookies.txt: is read-only (r--r--r--); not replaced}); it never holds a cookie
 * name or value. After a recovery the last failure is still shown, so that an application can
 * report what happened.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CookieStorageHealth {
  /** Whether the jar's changes reach its file. */
  public enum Status {
    /** The last attempt to use the file worked (or nothing has failed yet). */
    WRITABLE,
    /**
     * The file cannot be used: cookies are kept in memory only, and every later change retries
     * the write.
     */
    DEGRADED
  }

  private final Path file;
  private final Status status;
  private final Instant since;
  private final String failureType;
  private final String failureMessage;

  private CookieStorageHealth(
      Path file, Status status, Instant since, String failureType, String failureMessage) {
    this.file = file;
    this.status = status;
    this.since = since;
    this.failureType = failureType;
    this.failureMessage = failureMessage;
  }

  static CookieStorageHealth writable(Path file, Instant since) {
    return new CookieStorageHealth(file, Status.WRITABLE, since, null, null);
  }

  static CookieStorageHealth degraded(Path file, Instant since, Exception failure) {
    return new CookieStorageHealth(file, Status.DEGRADED, since, failure.getClass().getName(),
        failure.getMessage() == null ? "" : failure.getMessage());
  }

  /** The same status since the same time, with another failure (no transition). */
  CookieStorageHealth withFailure(Exception failure) {
    return new CookieStorageHealth(file, status, since, failure.getClass().getName(),
        failure.getMessage() == null ? "" : failure.getMessage());
  }

  /** Writable again since {@code when}, keeping the last failure for the record. */
  CookieStorageHealth recovered(Instant when) {
    return new CookieStorageHealth(file, Status.WRITABLE, when, failureType, failureMessage);
  }

  /** @return the cookie file */
  public Path file() {
    return file;
  }

  /** @return the current status */
  public Status status() {
    return status;
  }

  /** @return {@code true} when the status is {@link Status#WRITABLE} */
  public boolean writable() {
    return status == Status.WRITABLE;
  }

  /** @return when the jar entered the current status (the jar's clock) */
  public Instant since() {
    return since;
  }

  /**
   * The class name of the last failure, for example {@code java.nio.file.AccessDeniedException}.
   *
   * @return the type, or empty when the file never failed
   */
  public Optional<String> failureType() {
    return Optional.ofNullable(failureType);
  }

  /**
   * The message of the last failure: the file and the reason, never a cookie name or value.
   *
   * @return the message, or empty when the file never failed
   */
  public Optional<String> failureMessage() {
    return Optional.ofNullable(failureMessage);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof CookieStorageHealth)) {
      return false;
    }
    CookieStorageHealth that = (CookieStorageHealth) other;
    return file.equals(that.file) && status == that.status && since.equals(that.since)
        && Objects.equals(failureType, that.failureType)
        && Objects.equals(failureMessage, that.failureMessage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, status, since, failureType, failureMessage);
  }

  @Override
  public String toString() {
    return "CookieStorageHealth{" + status + " since " + since + ", file=" + file
        + (failureType == null ? "" : ", lastFailure=" + failureType + ": " + failureMessage)
        + "}";
  }
}
