package io.stickyws.spi;

import java.nio.charset.StandardCharsets;

/**
 * The check of {@link TransportConnection#close(int, String)}'s arguments for adapters whose
 * library puts whatever it is given into the close frame (Java-WebSocket, Jakarta WebSocket): the
 * codes an endpoint may send (RFC 6455 §7.4: 1000-1003, 1007-1014, 3000-4999) and a reason of at
 * most 123 bytes in UTF-8.
 *
 * <p>Stateless and thread-safe.
 */
public final class CloseArguments {
  private CloseArguments() {}

  /**
   * Checks a close code and reason.
   *
   * @param code the close code
   * @param reason the close reason, or {@code null} for none
   * @return the reason, {@code ""} for {@code null}
   * @throws IllegalArgumentException naming the code, or the reason's length in bytes (never its
   *     text), when the library could not send them
   */
  public static String check(int code, String reason) {
    if (!sendable(code)) {
      throw new IllegalArgumentException(
          "code (" + code + ") must be 1000-1003, 1007-1014 or 3000-4999");
    }
    String why = reason == null ? "" : reason;
    int reasonBytes = why.getBytes(StandardCharsets.UTF_8).length;
    if (reasonBytes > 123) {
      throw new IllegalArgumentException(
          "reason (" + reasonBytes + " bytes) must be at most 123 bytes in UTF-8");
    }
    return why;
  }

  /**
   * Whether an endpoint may send this close code (RFC 6455 §7.4): also for answering a close
   * frame whose code may not be echoed (1005 "no status", 1006).
   *
   * @param code the close code
   * @return {@code true} for 1000-1003, 1007-1014 and 3000-4999
   */
  public static boolean sendable(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }
}
