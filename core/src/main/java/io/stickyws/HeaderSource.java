package io.stickyws;

import java.util.List;
import java.util.Map;

/**
 * Supplies headers for each handshake of a {@link StickyWebSocket}, asked again before every
 * attempt: a bearer token the application refreshes, for example. Given to
 * {@link StickySession#connect(java.net.URI, Map, HeaderSource, StickyWebSocketListener)}.
 *
 * <p>Its headers replace the fixed headers of the same names (ignoring case) and are treated like
 * them: never logged, never in an exception message or {@code toString()}. When a handshake is
 * refused with {@code 401} and the reconnect policy would give up on it, the source is asked once
 * more, at once, before giving up (once per open: a second {@code 401} in a row gives up).
 *
 * <p>Called outside every lock of stickyws, never on the session's shared scheduler: on a
 * {@code stickyws-jar-N-M} thread, one call at a time per connection. It may block (a token
 * refresh over HTTP), delaying only its own connection's handshake. An exception thrown by it is
 * logged at WARN (its class only) and that handshake goes without its headers. Implementations
 * must be thread-safe when shared between connections.
 */
@FunctionalInterface
public interface HeaderSource {

  /**
   * The headers for the next handshake.
   *
   * @return header names to values; {@code null} or empty for none
   */
  Map<String, List<String>> headers();
}
