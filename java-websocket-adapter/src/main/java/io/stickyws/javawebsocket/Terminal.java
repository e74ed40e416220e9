package io.stickyws.javawebsocket;

import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.ResponseHead;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.net.ProtocolException;
import org.java_websocket.framing.CloseFrame;

/**
 * The one terminal event of an attempt, worked out from how Java-WebSocket ended it
 * ({@code onClose(code, reason, remote)}) and what the adapter saw on the way.
 *
 * <p>Instances are immutable and thread-safe.
 */
final class Terminal {
  private final boolean failure;
  private final Throwable cause;
  private final HandshakeResponse response;
  private final int code;
  private final String reason;
  private final boolean remote;

  private Terminal(boolean failure, Throwable cause, HandshakeResponse response, int code,
      String reason, boolean remote) {
    this.failure = failure;
    this.cause = cause;
    this.response = response;
    this.code = code;
    this.reason = reason;
    this.remote = remote;
  }

  static Terminal closed(int code, String reason, boolean remote) {
    return new Terminal(false, null, null, code, reason == null ? "" : reason, remote);
  }

  static Terminal failure(Throwable cause, HandshakeResponse response) {
    return new Terminal(true, cause, response, 0, null, false);
  }

  /**
   * Maps the library's end of a connection onto the SPI.
   *
   * @param opened whether {@code onOpen} was reported
   * @param aborted whether {@code abort()} was called
   * @param closedBeforeOpen whether {@code close()} was called before the handshake completed
   * @param requestedCode the code given to {@code close()}, if called
   * @param requestedReason the reason given to {@code close()}, if called
   * @param closeRequested whether {@code close()} was called
   * @param head the handshake response head, or {@code null} if none arrived
   * @param error the first error the library reported through {@code onError}, or {@code null}
   * @param code the library's close code ({@code -1} never connected, 1006 abnormal)
   * @param reason the library's close reason
   * @param remote the library's remote flag
   * @return the event to report
   */
  static Terminal of(boolean opened, boolean aborted, boolean closedBeforeOpen,
      boolean closeRequested, int requestedCode, String requestedReason, ResponseHead head,
      Throwable error, int code, String reason, boolean remote) {
    String why = reason == null ? "" : reason;
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
      if (code == CloseFrame.PROTOCOL_ERROR) {
        return failure(new ProtocolException("WebSocket handshake rejected: " + why), null);
      }
      return failure(
          new IOException("connection closed before the handshake completed"
              + (why.isEmpty() ? "" : ": " + why)), null);
    }
    if (code == CloseFrame.ABNORMAL_CLOSE || code == CloseFrame.NEVER_CONNECTED) {
      return failure(
          error != null ? error : new IOException("connection lost without a close frame"
              + (why.isEmpty() ? "" : ": " + why)), null);
    }
    if (closeRequested) {
      return closed(code, why, false);
    }
    if (remote) {
      return closed(code, why, true);
    }
    // the library closed on its own: protocol error, message too big, invalid UTF-8...
    return failure(
        error != null ? error : new ProtocolException("Java-WebSocket closed the connection: "
            + code + (why.isEmpty() ? "" : " " + why)), null);
  }

  void deliverTo(TransportListener listener) {
    if (failure) {
      listener.onFailure(cause, response);
    } else {
      listener.onClosed(code, reason, remote);
    }
  }

  boolean isFailure() {
    return failure;
  }

  Throwable cause() {
    return cause;
  }

  HandshakeResponse response() {
    return response;
  }

  int code() {
    return code;
  }

  String reason() {
    return reason;
  }

  boolean remote() {
    return remote;
  }

  @Override
  public String toString() {
    return failure
        ? "failure(" + cause + (response == null ? "" : ", " + response) + ")"
        : "closed(" + code + ", remote=" + remote + ")";
  }
}
