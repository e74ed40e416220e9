package io.stickyws.javawebsocket;

import io.stickyws.spi.ResponseHead;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.IncompleteHandshakeException;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.handshake.Handshakedata;

/**
 * RFC 6455 as Java-WebSocket implements it, plus a look at the raw bytes of the handshake response
 * before the library folds repeated headers together. Works for failed handshakes too: the header
 * block is read completely (the library would stop at a non-101 status line) and handed to the
 * sink, then the library parses it as usual.
 *
 * <p>{@link org.java_websocket.WebSocketImpl} works on a {@link #copyInstance() copy} of the draft
 * given to the client, so the copy shares the sink.
 *
 * <p>Not thread-safe: used by one connection's read thread.
 */
final class CapturingDraft extends Draft_6455 {
  private final Consumer<ResponseHead> sink;

  CapturingDraft(Consumer<ResponseHead> sink) {
    this.sink = sink;
  }

  @Override
  public Draft copyInstance() {
    return new CapturingDraft(sink);
  }

  @Override
  public Handshakedata translateHandshake(ByteBuffer buf) throws InvalidHandshakeException {
    ResponseHead head; // only client connections use this draft: buf holds a response
    try {
      head = ResponseHead.parse(buf);
    } catch (IllegalStateException e) {
      throw new InvalidHandshakeException(e.getMessage());
    }
    if (head == null) {
      // the library buffers what came so far and calls again when more bytes arrive
      throw new IncompleteHandshakeException(buf.remaining() + 4096);
    }
    sink.accept(head);
    return super.translateHandshake(buf);
  }
}
