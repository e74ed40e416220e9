package io.stickyws.javawebsocket;

import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.ResponseHead;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.ProtocolException;
import org.java_websocket.framing.CloseFrame;

/**
 * The one terminal event of an attempt, worked out from how Java-WebSocket ended it
 * ({@code onClose(code, reason, remote)}) and what the adapter saw on the way: {@code onFailure}
 * with {@code cause} and {@code response} when {@code isFailure}, otherwise {@code onClosed} with
 * {@code code}, {@code reason} and {@code remote}.
 *
 * <p>Instances are immutable and thread-safe.
 */
record Terminal(boolean isFailure, Throwable cause, HandshakeResponse response, int code,
    String reason, boolean remote) {

  static Terminal closed(int code, String reason, boolean remote) {
    return new Terminal(false, null, null, code, reason == null ? "" : reason, remote);
  }

  static Terminal failure(Throwable cause, HandshakeResponse response) {
    return new Terminal(true, cause, response, 0, null, false);
  }

  /**
   * Maps the library's end of a connection onto the SPI: the engine's own {@code abort()} or
   * {@code close()} before the open decides first; then the handshake response {@code head} (if
   * any), the first {@code error} the library reported through {@code onError}, and the library's
   * {@code onClose} arguments ({@code code} -1 never connected, 1006 abnormal).
   */
  static Terminal of(boolean opened, boolean aborted, boolean closedBeforeOpen,
      boolean closeRequested, int requestedCode, String requestedReason, ResponseHead head,
      Throwable error, int code, String reason, boolean remote) {
    String why = reason == null ? "" : reason;
    String detail = why.isEmpty() ? "" : ": " + why;
    if (aborted) {
      return failure(new IOException("connection aborted"), null);
    }
    if (closedBeforeOpen) {
      return closed(requestedCode, requestedReason, false);
    }
    if (!opened) {
      if (head != null && head.status() != 0 && head.status() != 101) {
        return failure(
            new ProtocolException("WebSocket handshake failed: HTTP " + head.status()),
            HandshakeResponse.of(head.status(), head.headers()));
      }
      if (error != null) {
        return failure(error, null);
      }
      return failure(code == CloseFrame.PROTOCOL_ERROR
          ? new ProtocolException("WebSocket handshake rejected" + detail)
          : new IOException("connection closed before the handshake completed" + detail), null);
    }
    if (code == CloseFrame.ABNORMAL_CLOSE || code == CloseFrame.NEVER_CONNECTED) {
      return failure(error != null ? error
          : new IOException("connection lost without a close frame" + detail), null);
    }
    if (closeRequested || remote) {
      return closed(code, why, !closeRequested);
    }
    // the library closed on its own: protocol error, message too big, invalid UTF-8...
    return failure(error != null ? error
        : new ProtocolException("Java-WebSocket closed the connection: " + code + detail), null);
  }

  void deliverTo(TransportListener listener) {
    if (isFailure) {
      listener.onFailure(cause, response);
    } else {
      listener.onClosed(code, reason, remote);
    }
  }
}
