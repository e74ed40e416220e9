package io.stickyws;

import io.stickyws.spi.Loggable;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The connection a {@link SessionEvent} is about, as a {@link SessionObserver} may see it: a number
 * unique in this JVM, the scheme, host, port and path of the URI it was opened with (never the
 * query or the user info, which may hold secrets), and two live readings for gauges: its
 * {@link #state()} and its {@link #queuedMessages()}.
 *
 * <p>The number and the URI parts never change; {@link #state()} and {@link #queuedMessages()}
 * read the connection at the time of the call. {@code equals} compares the number and the URI
 * parts.
 *
 * <p>Instances are thread-safe.
 */
public final class ObservedConnection {
  private static final AtomicLong IDS = new AtomicLong();

  private final long id;
  private final String scheme;
  private final String host;
  private final int port;
  private final String path;
  private final Supplier<StickyWebSocket.State> state;
  private final IntSupplier queuedMessages;

  private ObservedConnection(
      long id,
      String scheme,
      String host,
      int port,
      String path,
      Supplier<StickyWebSocket.State> state,
      IntSupplier queuedMessages) {
    this.id = id;
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.path = path;
    this.state = state;
    this.queuedMessages = queuedMessages;
  }

  /**
   * Describes a connection, numbering it after every connection described before in this JVM.
   * Only the scheme, host, port and path of {@code uri} are kept.
   *
   * @param uri a {@code ws://} or {@code wss://} URI with a host
   * @param state reads the connection's current state
   * @param queuedMessages reads the current length of the connection's outbound queue
   * @return the description
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the URI is not a ws or wss URI with a host
   */
  public static ObservedConnection of(
      URI uri, Supplier<StickyWebSocket.State> state, IntSupplier queuedMessages) {
    Objects.requireNonNull(uri, "uri == null");
    Objects.requireNonNull(state, "state == null");
    Objects.requireNonNull(queuedMessages, "queuedMessages == null");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException(
          "uri (" + Loggable.uri(uri) + ") must have the scheme ws or wss");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(
          "uri (" + Loggable.uri(uri) + ") must have a host");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("wss") ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new ObservedConnection(IDS.incrementAndGet(), scheme,
        uri.getHost().toLowerCase(Locale.ROOT), port, path, state, queuedMessages);
  }

  /**
   * The number of this connection, unique in this JVM and increasing in the order connections were
   * described: tells apart the events of two connections to the same URI.
   *
   * @return a positive number
   */
  public long id() {
    return id;
  }

  /**
   * The scheme of the URI.
   *
   * @return {@code "ws"} or {@code "wss"}
   */
  public String scheme() {
    return scheme;
  }

  /**
   * The host of the URI, in lower case: the balancer's address as the application named it.
   *
   * @return the host name or IP literal
   */
  public String host() {
    return host;
  }

  /**
   * The port of the URI, or the scheme's default (80 for ws, 443 for wss) when it names none.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The raw path of the URI, without the query.
   *
   * @return the path; {@code "/"} when the URI has none
   */
  public String path() {
    return path;
  }

  /**
   * The connection's state now.
   *
   * @return the current state
   */
  public StickyWebSocket.State state() {
    return state.get();
  }

  /**
   * The number of messages waiting in the connection's outbound queue now.
   *
   * @return the queue length
   */
  public int queuedMessages() {
    return queuedMessages.getAsInt();
  }

  /** Equal when the number and the URI parts are equal. */
  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof ObservedConnection)) {
      return false;
    }
    ObservedConnection that = (ObservedConnection) other;
    return id == that.id && port == that.port && scheme.equals(that.scheme)
        && host.equals(that.host) && path.equals(that.path);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  /** Names the number, scheme, host, port and path; never a query. */
  @Override
  public String toString() {
    return "#" + id + " " + scheme + "://" + host + ":" + port + path;
  }
}
