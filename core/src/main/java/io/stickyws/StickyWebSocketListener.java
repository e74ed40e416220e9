package io.stickyws;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.CookieStorageHealth;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * Receives the events of one {@link StickyWebSocket} across all its reconnects. Every method has an
 * empty default, so an application overrides only what it needs.
 *
 * <p>Exactly one terminal callback is made: {@link #onClosed} after a close (by the application or
 * the session), or {@link #onGaveUp} when the reconnect policy gives up. No method is called after
 * it. An exception thrown by a method is caught and logged at WARN; it never stops the connection.
 *
 * <p>Which thread calls it: an event the WebSocket library reported (open, message, a dropped
 * connection) is delivered on the library's thread that reported it; an event of the engine's own
 * timers (a handshake or pong timeout, a reconnect) on the session's scheduler thread
 * ({@code stickyws-scheduler-N}, or the application's scheduler); an event caused by a call of the
 * application ({@link StickyWebSocket#send(String)}, {@link StickyWebSocket#close()}) on the
 * session's scheduler thread, after that call returned, never inside it. An event the library reports
 * while stickyws is starting a handshake is delivered on the thread starting it: the scheduler
 * thread, or a {@code stickyws-jar-N-M} thread when the cookie jar is the application's own.
 *
 * <p>Called one at a time and in order for one connection, never concurrently, never under a lock of
 * stickyws; do not block: while a callback runs, the next events of that connection wait.
 */
public interface StickyWebSocketListener {

  /**
   * The handshake completed and the connection is open.
   *
   * <p>The order of callbacks and sends on an open: the state is {@link StickyWebSocket.State#OPEN}
   * first; then, on the same backend ({@code SAME} or {@code UNKNOWN}), the messages queued while
   * it was not open are handed to the transport, in order, before this call (unless the session
   * says {@link StickySession.Builder#applicationSendsFirst(boolean)}). On a changed backend
   * ({@code CHANGED}), the queue waits: this method runs, then {@link #onAffinityChanged}, and the
   * messages they send go out at once, before the queued ones; only after both returned do the
   * queued messages go out, come back on {@link #onReturned}, or stay held, as the session's
   * {@link QueuedOnBackendChange} says. Messages sent by other threads meanwhile go out at once too.
   *
   * @param webSocket the connection
   * @param attempt which attempt of the current outage succeeded: 1 for the first try (see
   *     {@link ReconnectPolicy} for how attempts are numbered)
   * @param affinity the backend-affinity token now held, or {@code null} when none is known
   * @param sameBackend whether this is the backend the connection was on before
   */
  default void onOpen(
      StickyWebSocket webSocket, int attempt, AffinityToken affinity, SameBackend sameBackend) {}

  /**
   * A text message arrived.
   *
   * @param webSocket the connection
   * @param text the message
   */
  default void onText(StickyWebSocket webSocket, String text) {}

  /**
   * A binary message arrived.
   *
   * @param webSocket the connection
   * @param data the message
   */
  default void onBinary(StickyWebSocket webSocket, ByteBuffer data) {}

  /**
   * A connection attempt failed or an open connection ended, other than by the application's
   * {@link StickyWebSocket#close()}.
   *
   * @param webSocket the connection
   * @param code the close code; 1006 when there was no close frame (a dropped connection, a failed
   *     handshake, a timeout)
   * @param reason the close reason, possibly empty
   * @param cause what went wrong, or {@code null} after a clean close frame; a
   *     {@link HandshakeException} carries the status of a refused handshake
   * @param willRetry {@code true} if another attempt follows
   * @param nextDelay the wait before it, or {@code null} when no attempt follows
   */
  default void onDisconnected(
      StickyWebSocket webSocket,
      int code,
      String reason,
      Throwable cause,
      boolean willRetry,
      Duration nextDelay) {}

  /**
   * Another attempt is scheduled.
   *
   * @param webSocket the connection
   * @param attempt the number of the coming attempt (see {@link ReconnectPolicy} for how attempts
   *     are numbered)
   * @param delay the wait before it
   */
  default void onReconnecting(StickyWebSocket webSocket, int attempt, Duration delay) {}

  /**
   * The balancer moved the connection to another backend (for example after the previous one
   * died). Called right after {@link #onOpen}, whose {@code sameBackend} is then
   * {@link SameBackend#CHANGED}: in-process state on the old backend is gone.
   *
   * @param webSocket the connection
   * @param from the token of the previous backend
   * @param to the token of the new backend
   */
  default void onAffinityChanged(StickyWebSocket webSocket, AffinityToken from, AffinityToken to) {}

  /**
   * A queued message was discarded without being sent: pushed out by a newer one under
   * {@link OverflowPolicy#DROP_OLDEST}, or still queued when the connection closed for good.
   *
   * @param webSocket the connection
   * @param message the message
   */
  default void onDropped(StickyWebSocket webSocket, Message message) {}

  /**
   * Messages queued for the previous backend, handed back unsent because the connection opened on
   * another backend and the session says {@link QueuedOnBackendChange#HAND_BACK}: rebuild them for
   * the new backend and send them again, or drop them. Called after {@link #onOpen} and
   * {@link #onAffinityChanged} returned. By default, reports each on {@link #onDropped}.
   *
   * @param webSocket the connection
   * @param messages the messages, in the order they were sent
   */
  default void onReturned(StickyWebSocket webSocket, List<Message> messages) {
    for (Message message : messages) {
      onDropped(webSocket, message);
    }
  }

  /**
   * The session's {@link io.stickyws.cookie.FileCookieJar} stopped being able to persist its
   * cookies (stickiness will not survive a restart) or could again: once per transition, and once
   * on connect when the jar is already degraded. Needs no logging binding. Delivered on the
   * session's scheduler.
   *
   * @param webSocket the connection
   * @param health the jar's new health, naming the failure
   */
  default void onCookieStorage(StickyWebSocket webSocket, CookieStorageHealth health) {}

  /**
   * The connection ended abnormally while these messages, already handed to it, were not yet
   * confirmed: stickyws confirms delivery to the server's WebSocket stack with a ping sent shortly
   * after each burst of messages (a pong answers only after everything sent before its ping was
   * read). They may or may not have arrived; resend them if your protocol allows it, or let
   * stickyws do it with {@link StickySession.Builder#resendUnconfirmed(boolean)} (then this method
   * is not called). On OkHttp, which cannot ping on demand, a message is confirmed by OkHttp's own
   * next ping after it left OkHttp's queue (about one heartbeat interval later); on a transport
   * that neither pings nor confirms ({@link io.stickyws.spi.Transport#confirmsDelivery()} false,
   * or OkHttp without a ping interval), the last messages sent, up to the queue's capacity, count
   * as unconfirmed.
   *
   * @param webSocket the connection
   * @param messages the messages in the order they were sent
   */
  default void onUnconfirmed(StickyWebSocket webSocket, List<Message> messages) {}

  /**
   * Terminal: the reconnect policy gave up (a status or close code that means "do not retry", or
   * the attempt or time budget ran out).
   *
   * @param webSocket the connection
   * @param cause the last failure
   * @param attempts the failed attempts of the last outage
   * @param elapsed the duration of the last outage
   */
  default void onGaveUp(
      StickyWebSocket webSocket, Throwable cause, int attempts, Duration elapsed) {}

  /**
   * Terminal: the connection was closed by the application or its session.
   *
   * @param webSocket the connection
   * @param code the close code
   * @param reason the close reason
   */
  default void onClosed(StickyWebSocket webSocket, int code, String reason) {}
}
