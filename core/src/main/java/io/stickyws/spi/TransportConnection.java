package io.stickyws.spi;

import java.nio.ByteBuffer;

/**
 * One connection attempt on a WebSocket library, from the handshake to the terminal event.
 *
 * <p>Implementations are thread-safe; no method blocks on the network. Methods called after the
 * connection ended do nothing and return {@code false}.
 */
public interface TransportConnection {

  /**
   * Sends a text message, or hands it to the library's own outbound buffer.
   *
   * @param text the message
   * @return {@code true} if the library accepted the message, {@code false} if the connection is
   *     not open or the library refused it (its buffer is full)
   */
  boolean sendText(String text);

  /**
   * Sends a binary message. The adapter must not read {@code data} after returning unless it
   * copied it; the engine does not reuse the buffer.
   *
   * @param data the message; position to limit is sent
   * @return {@code true} if the library accepted the message
   */
  boolean sendBinary(ByteBuffer data);

  /**
   * Sends a ping control frame. The matching pong arrives on {@link TransportListener#onPong}.
   *
   * @param payload at most 125 bytes
   * @return {@code true} if the library accepted the ping
   */
  boolean sendPing(ByteBuffer payload);

  /**
   * Starts the closing handshake. The terminal event follows on the listener.
   *
   * @param code the close code
   * @param reason the close reason, at most 123 bytes in UTF-8
   */
  void close(int code, String reason);

  /**
   * Drops the connection at once, without a closing handshake (for a handshake that takes too long
   * or a connection whose pongs stopped). The adapter then reports a terminal event, usually
   * {@link TransportListener#onFailure}; the engine tolerates it when none comes.
   */
  void abort();
}
