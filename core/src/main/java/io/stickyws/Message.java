package io.stickyws;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One outbound WebSocket message, text or binary, as the engine queues it and reports it on
 * {@link StickyWebSocketListener#onDropped} and {@link StickyWebSocketListener#onUnconfirmed}.
 *
 * <p>{@link #toString()} names the kind and the size only, never the payload: messages often carry
 * tokens or personal data.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Message {
  private final String text;
  private final ByteBuffer binary;
  private final long size;

  private Message(String text, ByteBuffer binary, long size) {
    this.text = text;
    this.binary = binary;
    this.size = size;
  }

  /**
   * A text message.
   *
   * @param text the message
   * @return the message
   */
  public static Message text(String text) {
    if (text == null) {
      throw new NullPointerException("text == null");
    }
    return new Message(text, null, utf8Length(text));
  }

  /**
   * A binary message holding a copy of the bytes from position to limit; the caller may reuse
   * {@code data} at once.
   *
   * @param data the bytes
   * @return the message
   */
  public static Message binary(ByteBuffer data) {
    if (data == null) {
      throw new NullPointerException("data == null");
    }
    ByteBuffer copy = ByteBuffer.allocate(data.remaining());
    copy.put(data.duplicate()).flip();
    return new Message(null, copy.asReadOnlyBuffer(), copy.capacity());
  }

  /**
   * Whether this is a text message.
   *
   * @return {@code true} for text, {@code false} for binary
   */
  public boolean isText() {
    return text != null;
  }

  /**
   * The text of a text message.
   *
   * @return the text
   * @throws IllegalStateException if this is a binary message
   */
  public String text() {
    if (text == null) {
      throw new IllegalStateException("a binary message has no text");
    }
    return text;
  }

  /**
   * The bytes of a binary message, as a read-only buffer of its own (position 0).
   *
   * @return the bytes
   * @throws IllegalStateException if this is a text message
   */
  public ByteBuffer binary() {
    if (binary == null) {
      throw new IllegalStateException("a text message has no binary payload");
    }
    return binary.duplicate();
  }

  /**
   * The payload's size in bytes: the UTF-8 length of a text (a lone surrogate counts one byte, as
   * {@code String.getBytes(UTF_8)} encodes it), the length of a binary message. The queue's and the
   * unconfirmed window's byte limits count this.
   *
   * @return the size in bytes
   */
  public long size() {
    return size;
  }

  /** The UTF-8 length of {@code s}, with the rule {@code Cookie} uses for header sizes. */
  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Message)) {
      return false;
    }
    Message that = (Message) o;
    return Objects.equals(text, that.text) && Objects.equals(binary, that.binary);
  }

  @Override
  public int hashCode() {
    return text != null ? text.hashCode() : binary.hashCode();
  }

  /** Names the kind and the size, never the payload. */
  @Override
  public String toString() {
    return "Message{" + (text != null ? "text" : "binary") + ", " + size + " bytes}";
  }
}
