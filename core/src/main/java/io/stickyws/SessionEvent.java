package io.stickyws;

import io.stickyws.affinity.SameBackend;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened to a connection of a {@link StickySession} (or to its cookie storage),
 * as a {@link SessionObserver} receives it. Each kind of event is a nested class; {@link
 * #dispatchTo(SessionObserver)} calls the observer method made for it.
 *
 * <p>No event holds a secret: no cookie or affinity value, no header value, no query string, no
 * exception message (only exception class names), no close reason text. A connection is named by
 * its {@link ObservedConnection}: a number and the scheme, host, port and path of its URI.
 *
 * <p>Events are created by the engine; the static {@code of} methods exist so that observers can
 * be tested with hand-made events. Two events are equal when they are of the same kind and every
 * field is equal.
 *
 * <p>Instances are immutable and thread-safe.
 */
public abstract class SessionEvent {

  SessionEvent() {}

  /**
   * Calls the method of {@code observer} made for this kind of event, for example {@link
   * SessionObserver#onOpened(Opened)} for an {@link Opened}.
   *
   * @param observer the observer to call
   */
  public abstract void dispatchTo(SessionObserver observer);

  /** The fields, in declaration order, for equals and hashCode. */
  abstract Object[] parts();

  /** The fields as {@code name=value} pairs, for toString. */
  abstract String describe();

  @Override
  public final boolean equals(Object other) {
    return other != null && other.getClass() == getClass()
        && Arrays.equals(parts(), ((SessionEvent) other).parts());
  }

  @Override
  public final int hashCode() {
    return getClass().getName().hashCode() * 31 + Arrays.hashCode(parts());
  }

  /** Names the kind of event and its fields; never a secret. */
  @Override
  public final String toString() {
    return getClass().getSimpleName() + "{" + describe() + "}";
  }

  // ---------------------------------------------------------------- value types

  /**
   * Whether an attempt is part of the first connection or of a reconnect.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum AttemptKind {
    /** The connection has never been open yet: the first attempt and its retries. */
    INITIAL,
    /** The connection was open before and dropped: an attempt to reconnect. */
    RECONNECT
  }

  /**
   * How an attempt or a connection failed.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum FailureType {
    /** The server answered the handshake with an HTTP status other than 101. */
    HTTP_STATUS,
    /** A close frame ended the connection. */
    CLOSE_FRAME,
    /** The handshake did not complete within the session's handshake timeout. */
    HANDSHAKE_TIMEOUT,
    /** No pong answered a heartbeat ping within the session's pong timeout. */
    PONG_TIMEOUT,
    /**
     * The transport failed without a status or a close frame: refused, reset, TLS, DNS, dropped.
     */
    IO,
    /** The transport cannot express the request at all (a header its library refuses...). */
    REQUEST_REFUSED
  }

  /**
   * Why the affinity token was dropped.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum DropReason {
    /**
     * Consecutive failed handshakes that sent it: the pinned backend looks gone (see {@link
     * io.stickyws.affinity.AffinityRules#dropAfterFailures()}).
     */
    FAILURES,
    /**
     * The backend closed with a code that means it is draining or going away (see {@link
     * io.stickyws.affinity.AffinityRules#dropOnCloseCodes()}).
     */
    DRAIN,
    /** The application asked for it. */
    APPLICATION
  }

  /**
   * Why the reconnect policy gave up.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum GiveUpReason {
    /** A handshake status the policy does not retry (401, 403, 404...). */
    STATUS,
    /** A close code the policy does not retry (1008...). */
    CLOSE_CODE,
    /** The policy's maximum number of attempts was reached. */
    MAX_ATTEMPTS,
    /** The next attempt would exceed the policy's maximum elapsed time. */
    MAX_ELAPSED_TIME,
    /** The transport cannot express the request: no attempt can succeed. */
    REQUEST_REFUSED
  }

  /**
   * What the cookie storage was doing when it failed or recovered.
   *
   * <p>Enum constants are immutable and thread-safe.
   */
  public enum StorageOperation {
    /** Loading the cookies of a handshake request from the jar. */
    LOAD,
    /** Saving the cookies of a handshake response, or expiring a dropped affinity cookie. */
    SAVE,
    /** Writing the jar to its persistent store (the file of a {@code FileCookieJar}). */
    PERSIST
  }

  /**
   * What ended an attempt or a connection, without anything secret: its type, the HTTP status or
   * close code, and the class name of the exception the transport reported.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Failure {
    private static final Failure HANDSHAKE_TIMEOUT =
        new Failure(FailureType.HANDSHAKE_TIMEOUT, -1, -1, null);
    private static final Failure PONG_TIMEOUT = new Failure(FailureType.PONG_TIMEOUT, -1, -1, null);

    private final FailureType type;
    private final int httpStatus;
    private final int closeCode;
    private final String exceptionClass;

    private Failure(FailureType type, int httpStatus, int closeCode, String exceptionClass) {
      this.type = type;
      this.httpStatus = httpStatus;
      this.closeCode = closeCode;
      this.exceptionClass = exceptionClass;
    }

    /**
     * A handshake answered with {@code status}.
     *
     * @param status the HTTP status, 100 to 599
     * @return the failure
     * @throws IllegalArgumentException if the status is out of range
     */
    public static Failure httpStatus(int status) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status (" + status + ") must be 100-599");
      }
      return new Failure(FailureType.HTTP_STATUS, status, -1, null);
    }

    /**
     * A connection ended by a close frame with {@code code}.
     *
     * @param code the close code, 1000 to 4999
     * @return the failure
     * @throws IllegalArgumentException if the code is out of range
     */
    public static Failure closeFrame(int code) {
      if (code < 1000 || code > 4999) {
        throw new IllegalArgumentException("close code (" + code + ") must be 1000-4999");
      }
      return new Failure(FailureType.CLOSE_FRAME, -1, code, null);
    }

    /**
     * The handshake timed out.
     *
     * @return the failure
     */
    public static Failure handshakeTimeout() {
      return HANDSHAKE_TIMEOUT;
    }

    /**
     * No pong arrived in time.
     *
     * @return the failure
     */
    public static Failure pongTimeout() {
      return PONG_TIMEOUT;
    }

    /**
     * The transport failed with {@code cause}; only its class name is kept.
     *
     * @param cause what the transport reported
     * @return the failure
     * @throws NullPointerException if {@code cause} is null
     */
    public static Failure io(Throwable cause) {
      Objects.requireNonNull(cause, "cause == null");
      return new Failure(FailureType.IO, -1, -1, cause.getClass().getName());
    }

    /**
     * The transport refused the request with {@code cause}; only its class name is kept.
     *
     * @param cause what the transport threw
     * @return the failure
     * @throws NullPointerException if {@code cause} is null
     */
    public static Failure requestRefused(Throwable cause) {
      Objects.requireNonNull(cause, "cause == null");
      return new Failure(FailureType.REQUEST_REFUSED, -1, -1, cause.getClass().getName());
    }

    /**
     * {@link #httpStatus(int)} for a {@link HandshakeException}, {@link #io(Throwable)} for any
     * other exception. Timeouts are not recognized here: use {@link #handshakeTimeout()} and
     * {@link #pongTimeout()}.
     *
     * @param cause what the transport reported
     * @return the failure
     * @throws NullPointerException if {@code cause} is null
     */
    public static Failure of(Throwable cause) {
      Objects.requireNonNull(cause, "cause == null");
      if (cause instanceof HandshakeException) {
        return httpStatus(((HandshakeException) cause).status());
      }
      return io(cause);
    }

    /**
     * How it failed.
     *
     * @return the type
     */
    public FailureType type() {
      return type;
    }

    /**
     * The HTTP status of a refused handshake.
     *
     * @return the status, or -1 unless the type is {@link FailureType#HTTP_STATUS}
     */
    public int httpStatus() {
      return httpStatus;
    }

    /**
     * The code of the close frame.
     *
     * @return the close code, or -1 unless the type is {@link FailureType#CLOSE_FRAME}
     */
    public int closeCode() {
      return closeCode;
    }

    /**
     * The fully qualified class name of the exception the transport reported, never its message.
     *
     * @return the class name, for {@link FailureType#IO} and {@link FailureType#REQUEST_REFUSED}
     */
    public Optional<String> exceptionClass() {
      return Optional.ofNullable(exceptionClass);
    }

    /**
     * A short, bounded name of this failure, for the {@code error.type} of metrics: the status
     * ({@code "503"}), {@code "close_"} and the code ({@code "close_1011"}), {@code
     * "handshake_timeout"}, {@code "pong_timeout"}, {@code "request_refused"}, or for I/O failures
     * the exception's class name ({@code "java.net.ConnectException"}).
     *
     * @return the name
     */
    public String errorType() {
      switch (type) {
        case HTTP_STATUS:
          return Integer.toString(httpStatus);
        case CLOSE_FRAME:
          return "close_" + closeCode;
        case HANDSHAKE_TIMEOUT:
          return "handshake_timeout";
        case PONG_TIMEOUT:
          return "pong_timeout";
        case REQUEST_REFUSED:
          return "request_refused";
        default:
          return exceptionClass;
      }
    }

    /** Equal when the type, status, close code and exception class are equal. */
    @Override
    public boolean equals(Object other) {
      if (this == other) {
        return true;
      }
      if (!(other instanceof Failure)) {
        return false;
      }
      Failure that = (Failure) other;
      return type == that.type && httpStatus == that.httpStatus && closeCode == that.closeCode
          && Objects.equals(exceptionClass, that.exceptionClass);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, httpStatus, closeCode, exceptionClass);
    }

    /** The {@link #errorType()}. */
    @Override
    public String toString() {
      return errorType();
    }
  }

  // ---------------------------------------------------------------- events

  /**
   * A handshake attempt starts.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class AttemptStarted extends SessionEvent {
    private final ObservedConnection connection;
    private final int attempt;
    private final AttemptKind kind;

    private AttemptStarted(ObservedConnection connection, int attempt, AttemptKind kind) {
      this.connection = connection;
      this.attempt = attempt;
      this.kind = kind;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param attempt the number of this attempt in the current outage, 1 or more
     * @param kind initial or reconnect
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code attempt} is below 1
     */
    public static AttemptStarted of(ObservedConnection connection, int attempt, AttemptKind kind) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(kind, "kind == null");
      return new AttemptStarted(connection, requireAttempt(attempt), kind);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return the number of this attempt in the current outage: 1 for the first try */
    public int attempt() {
      return attempt;
    }

    /** @return initial or reconnect */
    public AttemptKind kind() {
      return kind;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onAttemptStarted(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, attempt, kind};
    }

    @Override
    String describe() {
      return connection + ", attempt=" + attempt + ", kind=" + kind;
    }
  }

  /**
   * A handshake attempt failed: it never opened.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class AttemptFailed extends SessionEvent {
    private final ObservedConnection connection;
    private final int attempt;
    private final AttemptKind kind;
    private final Failure failure;

    private AttemptFailed(
        ObservedConnection connection, int attempt, AttemptKind kind, Failure failure) {
      this.connection = connection;
      this.attempt = attempt;
      this.kind = kind;
      this.failure = failure;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param attempt the number of the attempt that failed, 1 or more
     * @param kind initial or reconnect
     * @param failure what ended it
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code attempt} is below 1
     */
    public static AttemptFailed of(
        ObservedConnection connection, int attempt, AttemptKind kind, Failure failure) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(kind, "kind == null");
      Objects.requireNonNull(failure, "failure == null");
      return new AttemptFailed(connection, requireAttempt(attempt), kind, failure);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return the number of the attempt that failed */
    public int attempt() {
      return attempt;
    }

    /** @return initial or reconnect */
    public AttemptKind kind() {
      return kind;
    }

    /** @return what ended the attempt: a status, a timeout, an I/O failure */
    public Failure failure() {
      return failure;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onAttemptFailed(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, attempt, kind, failure};
    }

    @Override
    String describe() {
      return connection + ", attempt=" + attempt + ", kind=" + kind + ", failure=" + failure;
    }
  }

  /**
   * The handshake completed: the connection is open.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Opened extends SessionEvent {
    private final ObservedConnection connection;
    private final int attempt;
    private final AttemptKind kind;
    private final SameBackend sameBackend;
    private final String balancer;
    private final Duration sinceDrop;

    private Opened(ObservedConnection connection, int attempt, AttemptKind kind,
        SameBackend sameBackend, String balancer, Duration sinceDrop) {
      this.connection = connection;
      this.attempt = attempt;
      this.kind = kind;
      this.sameBackend = sameBackend;
      this.balancer = balancer;
      this.sinceDrop = sinceDrop;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param attempt the attempt that opened, 1 or more
     * @param kind initial or reconnect
     * @param sameBackend whether this is the backend the connection was on before
     * @param balancer the balancer convention of the affinity token now held ({@link
     *     io.stickyws.affinity.AffinityToken#balancer()}, for example {@code "HAProxy"}), or {@code
     *     null} when no token is held
     * @param sinceDrop for a reconnect, the time from the drop to this open; {@code null} for an
     *     initial open
     * @return the event
     * @throws NullPointerException if a required argument is null, or {@code sinceDrop} is null
     *     for a reconnect
     * @throws IllegalArgumentException if {@code attempt} is below 1, {@code sinceDrop} is
     *     negative or given for an initial open
     */
    public static Opened of(ObservedConnection connection, int attempt, AttemptKind kind,
        SameBackend sameBackend, String balancer, Duration sinceDrop) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(kind, "kind == null");
      Objects.requireNonNull(sameBackend, "sameBackend == null");
      if (kind == AttemptKind.RECONNECT) {
        requireNotNegative("sinceDrop", Objects.requireNonNull(sinceDrop, "sinceDrop == null"));
      } else if (sinceDrop != null) {
        throw new IllegalArgumentException(
            "sinceDrop (" + sinceDrop + ") must be null for an INITIAL open");
      }
      return new Opened(
          connection, requireAttempt(attempt), kind, sameBackend, balancer, sinceDrop);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return the attempt of the current outage that opened: 1 for the first try */
    public int attempt() {
      return attempt;
    }

    /** @return initial or reconnect */
    public AttemptKind kind() {
      return kind;
    }

    /** @return SAME, CHANGED or UNKNOWN backend, as {@link StickyWebSocketListener#onOpen} says */
    public SameBackend sameBackend() {
      return sameBackend;
    }

    /**
     * The balancer convention of the affinity token now held, never its value.
     *
     * @return for example {@code "HAProxy"}, {@code "AWS ALB"} or {@code "custom"}; empty when no
     *     token is held
     */
    public Optional<String> balancer() {
      return Optional.ofNullable(balancer);
    }

    /**
     * For a reconnect, how long the connection was down: from the drop to this open.
     *
     * @return the time since the drop; empty for an initial open
     */
    public Optional<Duration> sinceDrop() {
      return Optional.ofNullable(sinceDrop);
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onOpened(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, attempt, kind, sameBackend, balancer, sinceDrop};
    }

    @Override
    String describe() {
      return connection + ", attempt=" + attempt + ", kind=" + kind + ", sameBackend="
          + sameBackend + ", balancer=" + balancer + ", sinceDrop=" + sinceDrop;
    }
  }

  /**
   * An open connection ended other than by the application's close.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Disconnected extends SessionEvent {
    private final ObservedConnection connection;
    private final Failure failure;
    private final Duration connectedFor;
    private final boolean willRetry;

    private Disconnected(
        ObservedConnection connection, Failure failure, Duration connectedFor, boolean willRetry) {
      this.connection = connection;
      this.failure = failure;
      this.connectedFor = connectedFor;
      this.willRetry = willRetry;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param failure what ended it: a close frame, a pong timeout, an I/O failure
     * @param connectedFor how long it had been open
     * @param willRetry whether a reconnect follows
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code connectedFor} is negative
     */
    public static Disconnected of(ObservedConnection connection, Failure failure,
        Duration connectedFor, boolean willRetry) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(failure, "failure == null");
      requireNotNegative("connectedFor", connectedFor);
      return new Disconnected(connection, failure, connectedFor, willRetry);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return what ended the connection */
    public Failure failure() {
      return failure;
    }

    /**
     * The close code: the code of the close frame, or 1006 when none arrived.
     *
     * @return the close code
     */
    public int closeCode() {
      return failure.type() == FailureType.CLOSE_FRAME ? failure.closeCode() : 1006;
    }

    /** @return how long the connection had been open */
    public Duration connectedFor() {
      return connectedFor;
    }

    /** @return whether a reconnect follows; {@code false} when a {@link GaveUp} follows */
    public boolean willRetry() {
      return willRetry;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onDisconnected(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, failure, connectedFor, willRetry};
    }

    @Override
    String describe() {
      return connection + ", failure=" + failure + ", connectedFor=" + connectedFor
          + ", willRetry=" + willRetry;
    }
  }

  /**
   * The affinity token was dropped: the next handshake may land on any backend.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class AffinityDropped extends SessionEvent {
    private final ObservedConnection connection;
    private final DropReason reason;
    private final String balancer;

    private AffinityDropped(ObservedConnection connection, DropReason reason, String balancer) {
      this.connection = connection;
      this.reason = reason;
      this.balancer = balancer;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param reason why
     * @param balancer the balancer convention of the dropped token, or {@code null} if unknown
     * @return the event
     * @throws NullPointerException if {@code connection} or {@code reason} is null
     */
    public static AffinityDropped of(
        ObservedConnection connection, DropReason reason, String balancer) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(reason, "reason == null");
      return new AffinityDropped(connection, reason, balancer);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return why the token was dropped */
    public DropReason reason() {
      return reason;
    }

    /** @return the balancer convention of the dropped token, never its value */
    public Optional<String> balancer() {
      return Optional.ofNullable(balancer);
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onAffinityDropped(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, reason, balancer};
    }

    @Override
    String describe() {
      return connection + ", reason=" + reason + ", balancer=" + balancer;
    }
  }

  /**
   * Terminal: the reconnect policy gave up. No event of this connection follows.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class GaveUp extends SessionEvent {
    private final ObservedConnection connection;
    private final GiveUpReason reason;
    private final Failure failure;
    private final int attempts;
    private final Duration elapsed;

    private GaveUp(ObservedConnection connection, GiveUpReason reason, Failure failure,
        int attempts, Duration elapsed) {
      this.connection = connection;
      this.reason = reason;
      this.failure = failure;
      this.attempts = attempts;
      this.elapsed = elapsed;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param reason why the policy gave up
     * @param failure the last failure
     * @param attempts the failed attempts of the last outage, 1 or more
     * @param elapsed the duration of the last outage
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code attempts} is below 1 or {@code elapsed} negative
     */
    public static GaveUp of(ObservedConnection connection, GiveUpReason reason, Failure failure,
        int attempts, Duration elapsed) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(reason, "reason == null");
      Objects.requireNonNull(failure, "failure == null");
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts (" + attempts + ") must be >= 1");
      }
      requireNotNegative("elapsed", elapsed);
      return new GaveUp(connection, reason, failure, attempts, elapsed);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return why the policy gave up */
    public GiveUpReason reason() {
      return reason;
    }

    /** @return the last failure */
    public Failure failure() {
      return failure;
    }

    /** @return the failed attempts of the last outage */
    public int attempts() {
      return attempts;
    }

    /** @return the duration of the last outage */
    public Duration elapsed() {
      return elapsed;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onGaveUp(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, reason, failure, attempts, elapsed};
    }

    @Override
    String describe() {
      return connection + ", reason=" + reason + ", failure=" + failure + ", attempts="
          + attempts + ", elapsed=" + elapsed;
    }
  }

  /**
   * Terminal: the application or its session closed the connection. No event of this connection
   * follows.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Closed extends SessionEvent {
    private final ObservedConnection connection;
    private final int code;
    private final Duration connectedFor;

    private Closed(ObservedConnection connection, int code, Duration connectedFor) {
      this.connection = connection;
      this.code = code;
      this.connectedFor = connectedFor;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param code the close code the application (or 1001, the session) closed with
     * @param connectedFor how long the connection had been open when the application closed it,
     *     or {@code null} when it was not open
     * @return the event
     * @throws NullPointerException if {@code connection} is null
     * @throws IllegalArgumentException if the code is not 1000-4999 or {@code connectedFor} is
     *     negative
     */
    public static Closed of(ObservedConnection connection, int code, Duration connectedFor) {
      Objects.requireNonNull(connection, "connection == null");
      if (code < 1000 || code > 4999) {
        throw new IllegalArgumentException("close code (" + code + ") must be 1000-4999");
      }
      if (connectedFor != null) {
        requireNotNegative("connectedFor", connectedFor);
      }
      return new Closed(connection, code, connectedFor);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return the close code */
    public int code() {
      return code;
    }

    /**
     * How long the connection had been open when it was closed.
     *
     * @return the time open; empty when it was not open (closed while connecting or waiting)
     */
    public Optional<Duration> connectedFor() {
      return Optional.ofNullable(connectedFor);
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onClosed(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, code, connectedFor};
    }

    @Override
    String describe() {
      return connection + ", code=" + code + ", connectedFor=" + connectedFor;
    }
  }

  /**
   * The outbound queue was full: messages were refused or pushed out.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class QueueOverflow extends SessionEvent {
    private final ObservedConnection connection;
    private final OverflowPolicy policy;
    private final int messages;

    private QueueOverflow(ObservedConnection connection, OverflowPolicy policy, int messages) {
      this.connection = connection;
      this.policy = policy;
      this.messages = messages;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param policy {@link OverflowPolicy#REJECT}: a new message was refused; {@link
     *     OverflowPolicy#DROP_OLDEST}: queued messages were discarded to make room
     * @param messages how many messages were refused or discarded, 1 or more
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code messages} is below 1
     */
    public static QueueOverflow of(
        ObservedConnection connection, OverflowPolicy policy, int messages) {
      Objects.requireNonNull(connection, "connection == null");
      Objects.requireNonNull(policy, "policy == null");
      return new QueueOverflow(connection, policy, requireMessages(messages));
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return the policy that applied */
    public OverflowPolicy policy() {
      return policy;
    }

    /** @return how many messages were refused or discarded */
    public int messages() {
      return messages;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onQueueOverflow(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, policy, messages};
    }

    @Override
    String describe() {
      return connection + ", policy=" + policy + ", messages=" + messages;
    }
  }

  /**
   * A connection ended while messages handed to it were not confirmed by a pong.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Unconfirmed extends SessionEvent {
    private final ObservedConnection connection;
    private final int messages;
    private final boolean resent;

    private Unconfirmed(ObservedConnection connection, int messages, boolean resent) {
      this.connection = connection;
      this.messages = messages;
      this.resent = resent;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param messages how many messages were unconfirmed, 1 or more
     * @param resent {@code true} if they are queued again ({@link
     *     StickySession.Builder#resendUnconfirmed(boolean)}), {@code false} if they were reported
     *     to the listener
     * @return the event
     * @throws NullPointerException if {@code connection} is null
     * @throws IllegalArgumentException if {@code messages} is below 1
     */
    public static Unconfirmed of(ObservedConnection connection, int messages, boolean resent) {
      Objects.requireNonNull(connection, "connection == null");
      return new Unconfirmed(connection, requireMessages(messages), resent);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return how many messages were unconfirmed */
    public int messages() {
      return messages;
    }

    /** @return whether they are sent again on the next connection */
    public boolean resent() {
      return resent;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onUnconfirmed(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, messages, resent};
    }

    @Override
    String describe() {
      return connection + ", messages=" + messages + ", resent=" + resent;
    }
  }

  /**
   * A pong answered a ping the engine sent: a heartbeat ping, or one that confirms delivery of
   * unconfirmed messages (sent also when heartbeats are off).
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Heartbeat extends SessionEvent {
    private final ObservedConnection connection;
    private final Duration roundTrip;

    private Heartbeat(ObservedConnection connection, Duration roundTrip) {
      this.connection = connection;
      this.roundTrip = roundTrip;
    }

    /**
     * Creates the event.
     *
     * @param connection the connection
     * @param roundTrip the time from the ping to its pong
     * @return the event
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code roundTrip} is negative
     */
    public static Heartbeat of(ObservedConnection connection, Duration roundTrip) {
      Objects.requireNonNull(connection, "connection == null");
      requireNotNegative("roundTrip", roundTrip);
      return new Heartbeat(connection, roundTrip);
    }

    /** @return the connection */
    public ObservedConnection connection() {
      return connection;
    }

    /** @return the time from the ping to its pong */
    public Duration roundTrip() {
      return roundTrip;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onHeartbeat(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {connection, roundTrip};
    }

    @Override
    String describe() {
      return connection + ", roundTrip=" + roundTrip;
    }
  }

  /**
   * The session's cookie storage started failing: cookies stay in memory for now, and stickiness
   * may not survive a restart. Reported once per failing spell, not per failure; a {@link
   * CookieStorageRecovered} ends the spell.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class CookieStorageFailed extends SessionEvent {
    private final StorageOperation operation;
    private final String jarClass;
    private final String exceptionClass;

    private CookieStorageFailed(StorageOperation operation, String jarClass, String exceptionClass) {
      this.operation = operation;
      this.jarClass = jarClass;
      this.exceptionClass = exceptionClass;
    }

    /**
     * Creates the event.
     *
     * @param operation what failed
     * @param jarClass the class of the cookie jar
     * @param cause the exception; only its class name is kept
     * @return the event
     * @throws NullPointerException if an argument is null
     */
    public static CookieStorageFailed of(
        StorageOperation operation, Class<?> jarClass, Throwable cause) {
      Objects.requireNonNull(operation, "operation == null");
      Objects.requireNonNull(jarClass, "jarClass == null");
      Objects.requireNonNull(cause, "cause == null");
      return new CookieStorageFailed(operation, jarClass.getName(), cause.getClass().getName());
    }

    /** @return what failed */
    public StorageOperation operation() {
      return operation;
    }

    /** @return the fully qualified class name of the cookie jar */
    public String jarClass() {
      return jarClass;
    }

    /** @return the fully qualified class name of the exception, never its message */
    public String exceptionClass() {
      return exceptionClass;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onCookieStorageFailed(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {operation, jarClass, exceptionClass};
    }

    @Override
    String describe() {
      return "operation=" + operation + ", jar=" + jarClass + ", exception=" + exceptionClass;
    }
  }

  /**
   * The session's cookie storage works again after a {@link CookieStorageFailed}.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class CookieStorageRecovered extends SessionEvent {
    private final StorageOperation operation;
    private final String jarClass;

    private CookieStorageRecovered(StorageOperation operation, String jarClass) {
      this.operation = operation;
      this.jarClass = jarClass;
    }

    /**
     * Creates the event.
     *
     * @param operation what works again
     * @param jarClass the class of the cookie jar
     * @return the event
     * @throws NullPointerException if an argument is null
     */
    public static CookieStorageRecovered of(StorageOperation operation, Class<?> jarClass) {
      Objects.requireNonNull(operation, "operation == null");
      Objects.requireNonNull(jarClass, "jarClass == null");
      return new CookieStorageRecovered(operation, jarClass.getName());
    }

    /** @return what works again */
    public StorageOperation operation() {
      return operation;
    }

    /** @return the fully qualified class name of the cookie jar */
    public String jarClass() {
      return jarClass;
    }

    @Override
    public void dispatchTo(SessionObserver observer) {
      observer.onCookieStorageRecovered(this);
    }

    @Override
    Object[] parts() {
      return new Object[] {operation, jarClass};
    }

    @Override
    String describe() {
      return "operation=" + operation + ", jar=" + jarClass;
    }
  }

  // ---------------------------------------------------------------- validation

  private static int requireAttempt(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt (" + attempt + ") must be >= 1");
    }
    return attempt;
  }

  private static int requireMessages(int messages) {
    if (messages < 1) {
      throw new IllegalArgumentException("messages (" + messages + ") must be >= 1");
    }
    return messages;
  }

  private static void requireNotNegative(String field, Duration value) {
    Objects.requireNonNull(value, field + " == null");
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " (" + value + ") must be >= 0");
    }
  }
}
