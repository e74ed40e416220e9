package io.stickyws.spi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles the messages of one connection that a library delivers in parts (the JDK's
 * {@code WebSocket.Listener}, Jakarta's {@code MessageHandler.Partial}), since
 * {@link TransportListener} takes whole messages: text parts are appended, binary parts copied (the
 * library may reuse its buffer once its callback returns), and the whole message comes back with
 * the last part. A message in one part is not copied twice.
 *
 * <p>Not thread-safe: fed by one library callback at a time, as those libraries call.
 */
public final class MessageParts {
  private StringBuilder text;
  private final List<ByteBuffer> binary = new ArrayList<>();

  /** Creates an assembler with no part received. */
  public MessageParts() {}

  /**
   * Takes one part of a text message.
   *
   * @param part the part; read before this returns
   * @param last whether it ends the message
   * @return the whole message with its last part, otherwise {@code null}
   */
  public String text(CharSequence part, boolean last) {
    if (last && text == null) {
      return part.toString();
    }
    text = text == null ? new StringBuilder(part) : text.append(part);
    if (!last) {
      return null;
    }
    String whole = text.toString();
    text = null;
    return whole;
  }

  /**
   * Takes one part of a binary message.
   *
   * @param part the part, from position to limit; read before this returns, position unchanged
   * @param last whether it ends the message
   * @return the whole message in a new buffer with its last part, otherwise {@code null}
   */
  public ByteBuffer binary(ByteBuffer part, boolean last) {
    if (last && binary.isEmpty()) {
      return Buffers.copy(part);
    }
    binary.add(Buffers.copy(part));
    if (!last) {
      return null;
    }
    ByteBuffer whole = ByteBuffer.allocate(binary.stream().mapToInt(ByteBuffer::remaining).sum());
    binary.forEach(whole::put);
    binary.clear();
    return whole.flip();
  }

  @Override
  public String toString() {
    return "MessageParts{text=" + (text != null) + ", binaryParts=" + binary.size() + "}";
  }
}
