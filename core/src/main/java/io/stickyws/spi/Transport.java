package io.stickyws.spi;

/**
 * Opens WebSocket connections on one WebSocket library. Implemented by adapters, used by the
 * engine.
 *
 * <p>Implementations are thread-safe: {@link #open} may be called concurrently for different
 * connections.
 */
public interface Transport {

  /**
   * Starts one handshake and returns at once. The outcome arrives on {@code listener}: first
   * {@link TransportListener#onOpen} or a terminal {@link TransportListener#onFailure}; after an
   * open, messages and finally one terminal {@link TransportListener#onClosed} or
   * {@link TransportListener#onFailure}.
   *
   * <p>Never throws for network problems: those are reported to the listener (possibly before this
   * method returns). May throw {@link IllegalArgumentException} for a request this library cannot
   * express (a header it refuses, for example); the engine then gives up at once, since no retry
   * could help. Any other exception counts as a failed attempt.
   *
   * @param request what to connect to and which headers to send, cookies included
   * @param listener receives the events of this one attempt
   * @return a handle on the attempt, usable at once (to abort a handshake that takes too long)
   */
  TransportConnection open(HandshakeRequest request, TransportListener listener);

  /**
   * A short name of the library for logs and reports, for example {@code "okhttp"}.
   *
   * @return the library's name
   */
  String name();

  /**
   * Whether {@link TransportConnection#sendPing} works and pongs arrive on
   * {@link TransportListener#onPong}. When {@code false}, the engine sends no pings and relies on the
   * library's own keep-alive, configured from {@link HandshakeRequest#heartbeatInterval()}.
   *
   * @return {@code true} by default
   */
  default boolean supportsPing() {
    return true;
  }

  /**
   * Whether a ping the engine sends to confirm delivery is answered on
   * {@link TransportListener#onPong} with its payload, possibly late, once the peer has provably
   * read everything sent before it. {@code true} for every transport that {@link #supportsPing()};
   * a transport whose library pings only on its own schedule may still confirm: OkHttp's adapter
   * answers such a ping after the library's own ping that followed those messages got its pong.
   * Its {@link TransportConnection#sendPing} returns {@code false} when it cannot confirm on that
   * connection; the messages then stay unconfirmed. A transport that wraps another delegates
   * this, as it delegates {@link #supportsPing()}.
   *
   * @return {@link #supportsPing()} by default
   */
  default boolean confirmsDelivery() {
    return supportsPing();
  }
}
