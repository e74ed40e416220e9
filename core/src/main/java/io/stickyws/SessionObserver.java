package io.stickyws;

/**
 * Watches every connection of a {@link StickySession}: attempts, opens, drops, affinity, give-ups,
 * queue overflows, unconfirmed messages, heartbeats and cookie storage trouble. Meant for metrics
 * and diagnostics (the {@code stickyws-micrometer} module is one), not for application logic:
 * that belongs in the {@link StickyWebSocketListener} of each connection.
 *
 * <p>Register observers with {@link StickySession.Builder#observer(SessionObserver)}; a session may
 * have several, called in the order they were added. Every method has an empty default. A session
 * without observers creates no event at all.
 *
 * <p>For each connection, events come in the order they happened, never under the engine's lock,
 * and end with exactly one terminal event, {@link #onClosed} or {@link #onGaveUp}; none of that
 * connection follows it. A connection's events start with {@link #onAttemptStarted} for attempt
 * 1. Cookie storage events belong to the session, not to one connection.
 *
 * <p>An exception thrown by an observer is caught and logged at WARN the first time (then at
 * DEBUG); the observer stays registered and the connection is not disturbed. Events carry no
 * secret (see {@link SessionEvent}).
 *
 * <p>Called on the threads of the session's connections, concurrently for different connections:
 * implementations must be thread-safe, and must not block.
 */
public interface SessionObserver {

  /**
   * A handshake attempt starts.
   *
   * @param event the attempt
   */
  default void onAttemptStarted(SessionEvent.AttemptStarted event) {}

  /**
   * A handshake attempt failed.
   *
   * @param event the attempt and its failure
   */
  default void onAttemptFailed(SessionEvent.AttemptFailed event) {}

  /**
   * A connection opened.
   *
   * @param event the attempt, the backend verdict, the balancer and the time since the drop
   */
  default void onOpened(SessionEvent.Opened event) {}

  /**
   * An open connection ended other than by the application's close.
   *
   * @param event the failure and how long the connection had been open
   */
  default void onDisconnected(SessionEvent.Disconnected event) {}

  /**
   * The affinity token was dropped.
   *
   * @param event why
   */
  default void onAffinityDropped(SessionEvent.AffinityDropped event) {}

  /**
   * Terminal: the reconnect policy gave up on a connection.
   *
   * @param event why, and the last failure
   */
  default void onGaveUp(SessionEvent.GaveUp event) {}

  /**
   * Terminal: the application or the session closed a connection.
   *
   * @param event the close code
   */
  default void onClosed(SessionEvent.Closed event) {}

  /**
   * A connection's outbound queue overflowed.
   *
   * @param event the policy that applied and how many messages it cost
   */
  default void onQueueOverflow(SessionEvent.QueueOverflow event) {}

  /**
   * A connection ended with messages not confirmed by a pong.
   *
   * @param event how many, and whether they are sent again
   */
  default void onUnconfirmed(SessionEvent.Unconfirmed event) {}

  /**
   * A pong answered a ping the engine sent: a heartbeat ping, or one that confirms delivery of
   * unconfirmed messages (sent also when heartbeats are off).
   *
   * @param event the round trip time
   */
  default void onHeartbeat(SessionEvent.Heartbeat event) {}

  /**
   * The session's cookie storage started failing.
   *
   * @param event what failed
   */
  default void onCookieStorageFailed(SessionEvent.CookieStorageFailed event) {}

  /**
   * The session's cookie storage works again.
   *
   * @param event what recovered
   */
  default void onCookieStorageRecovered(SessionEvent.CookieStorageRecovered event) {}
}
