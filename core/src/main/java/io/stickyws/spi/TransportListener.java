package io.stickyws.spi;

import java.nio.ByteBuffer;

/**
 * Receives the events of one connection attempt. Implemented by the engine, called by adapters.
 *
 * <p>Calls for one connection arrive one at a time (never concurrently), on the library's threads.
 * Implementations return quickly and never throw.
 */
public interface TransportListener {

  /**
   * The handshake completed with {@code 101 Switching Protocols}.
   *
   * @param response the status and every response header of the handshake
   */
  void onOpen(HandshakeResponse response);

  /**
   * A text message arrived.
   *
   * @param text the whole message (adapters assemble fragments)
   */
  void onText(String text);

  /**
   * A binary message arrived.
   *
   * @param data the whole message; the engine may keep it
   */
  void onBinary(ByteBuffer data);

  /**
   * A pong control frame arrived.
   *
   * @param payload its payload
   */
  void onPong(ByteBuffer payload);

  /**
   * Terminal: the connection closed with a close frame from either side (or the library reports a
   * close code such as 1006 for an abnormal end it detected itself).
   *
   * @param code the close code
   * @param reason the close reason, possibly empty
   * @param remote {@code true} if the server started the closing handshake
   */
  void onClosed(int code, String reason, boolean remote);

  /**
   * Terminal: the handshake failed, or the connection failed (I/O error, dropped TCP connection,
   * protocol error).
   *
   * @param cause what went wrong
   * @param response the handshake response when the server answered the handshake with a status
   *     other than 101 (its status and headers, {@code Retry-After} and {@code Set-Cookie} among
   *     them), otherwise {@code null}
   */
  void onFailure(Throwable cause, HandshakeResponse response);
}
