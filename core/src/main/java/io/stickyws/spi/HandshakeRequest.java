package io.stickyws.spi;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one handshake sends: the {@code ws://} or {@code wss://} URI and the request headers the
 * engine chose (the application's own headers, {@code Cookie}, affinity headers). Adapters send
 * these as given.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HandshakeRequest {
  private final URI uri;
  private final Map<String, List<String>> headers;
  private final Duration heartbeatInterval;

  private HandshakeRequest(URI uri, Map<String, List<String>> headers, Duration heartbeatInterval) {
    this.uri = uri;
    this.headers = headers;
    this.heartbeatInterval = heartbeatInterval;
  }

  /**
   * Creates a request.
   *
   * @param uri a {@code ws} or {@code wss} URI
   * @param headers header names to values; names keep their case, values their order
   * @return the request
   */
  public static HandshakeRequest of(URI uri, Map<String, List<String>> headers) {
    return of(uri, headers, null);
  }

  /**
   * Creates a request with a heartbeat hint for transports that cannot send pings on demand (see
   * {@link Transport#supportsPing()}).
   *
   * @param uri a {@code ws} or {@code wss} URI
   * @param headers header names to values; names keep their case, values their order
   * @param heartbeatInterval how often the engine wants a ping sent, or {@code null} for none
   * @return the request
   */
  public static HandshakeRequest of(
      URI uri, Map<String, List<String>> headers, Duration heartbeatInterval) {
    Objects.requireNonNull(uri, "uri == null");
    Objects.requireNonNull(headers, "headers == null");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException(
          "uri scheme (" + uri.getScheme() + ") must be ws or wss: " + Loggable.uri(uri));
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> copy.put(
            Objects.requireNonNull(name, "header name == null"),
            Collections.unmodifiableList(new ArrayList<>(values))));
    if (heartbeatInterval != null && (heartbeatInterval.isZero() || heartbeatInterval.isNegative())) {
      throw new IllegalArgumentException(
          "heartbeatInterval (" + heartbeatInterval + ") must be positive");
    }
    return new HandshakeRequest(uri, Collections.unmodifiableMap(copy), heartbeatInterval);
  }

  /**
   * The URI to connect to.
   *
   * @return a {@code ws} or {@code wss} URI
   */
  public URI uri() {
    return uri;
  }

  /**
   * The URI as an HTTP library and cookie rules see the handshake: {@code ws} becomes {@code http},
   * {@code wss} becomes {@code https}, and the rest is exactly the text of {@link #uri()}.
   *
   * @return an {@code http} or {@code https} URI
   */
  public URI httpUri() {
    String text = uri.toString();
    boolean secure = text.regionMatches(true, 0, "wss:", 0, 4);
    return URI.create((secure ? "https:" : "http:") + text.substring(secure ? 4 : 3));
  }

  /**
   * The headers to send, in the order the engine added them.
   *
   * @return an unmodifiable map of header names to values
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * How often the engine wants the connection pinged. A transport whose library cannot send pings on
   * demand ({@link Transport#supportsPing()} is {@code false}) configures the library's own
   * keep-alive ping with this interval, and reports a missing pong as a failure; others ignore it,
   * since the engine sends the pings itself.
   *
   * @return the interval, or empty when heartbeats are off
   */
  public Optional<Duration> heartbeatInterval() {
    return Optional.ofNullable(heartbeatInterval);
  }

  /**
   * The values of one header, matched without regard to case.
   *
   * @param name the header name
   * @return its values, empty if absent
   */
  public List<String> headers(String name) {
    return Headers.values(headers, name);
  }

  /** Names the scheme, host, port and path only: headers and the query may hold secrets. */
  @Override
  public String toString() {
    return "HandshakeRequest{" + Loggable.uri(uri) + ", headers=" + headers.keySet() + "}";
  }
}
