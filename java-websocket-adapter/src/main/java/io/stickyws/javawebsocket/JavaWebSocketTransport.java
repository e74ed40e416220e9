package io.stickyws.javawebsocket;

import io.stickyws.spi.AsciiCookies;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.java_websocket.client.WebSocketClient;

/**
 * Runs stickyws connections on <a href="https://github.com/TooTallNate/Java-WebSocket">Java-WebSocket</a>
 * ({@code org.java-websocket:Java-WebSocket} 1.6).
 *
 * <pre>{@code
 * Transport transport = JavaWebSocketTransport.create(client -> {
 *   client.setSocketFactory(mySslContext.getSocketFactory()); // TLS, proxy, ...
 * });
 * }</pre>
 *
 * <p>Every attempt gets a new {@link WebSocketClient} (the library's clients cannot be reused, and
 * its {@code reconnect()} deadlocks when called from its own callbacks; the engine owns retries).
 * Before the customizer sees it, the transport enables {@code TCP_NODELAY}
 * ({@link Builder#tcpNoDelay(boolean)}; Nagle's algorithm with delayed ACKs costs about 40 ms per
 * TLS handshake) and sets the library's connection-lost timeout to 0 (its pings and its 1006 close
 * on a missing pong would duplicate the engine's heartbeat; a customizer may turn them back on
 * with {@code setConnectionLostTimeout}, and a connection they close is reported as a failure).
 * After the customizer, it removes any {@code Cookie} header the customizer added and sets the
 * request's headers (replacing the customizer's of the same name). The customizer must not call
 * {@code connect()}, {@code reconnect()} or the client's {@code on*} methods.
 *
 * <p>The library writes the handshake as ASCII: a cookie whose value is not ASCII ({@code eur=€})
 * is left out of the {@code Cookie} header and named once at WARN ({@link AsciiCookies}).
 * Handshake responses are read from the raw bytes, so that every {@code Set-Cookie} arrives as its
 * own value, on completed and failed handshakes alike (the library joins them with {@code "; "}).
 *
 * <p>Threads: each attempt runs on the library's connect-and-read thread (renamed
 * {@code stickyws-java-websocket-read-N}) and its write thread ({@code WebSocketWriteThread-N},
 * which cannot be renamed), both ending shortly after the terminal event; non-daemon unless the
 * customizer calls {@code setDaemon(true)}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JavaWebSocketTransport implements Transport {
  private static final Consumer<WebSocketClient> NO_CUSTOMIZER = client -> { };

  private final Consumer<? super WebSocketClient> customizer;
  private final boolean tcpNoDelay;
  private final Duration connectTimeout;
  private final AsciiCookies asciiCookies = new AsciiCookies("Java-WebSocket");

  private JavaWebSocketTransport(Builder builder) {
    this.customizer = builder.customizer;
    this.tcpNoDelay = builder.tcpNoDelay;
    this.connectTimeout = builder.connectTimeout;
  }

  /**
   * A transport with the library's defaults, {@code TCP_NODELAY} on.
   *
   * @return the transport
   */
  public static JavaWebSocketTransport create() {
    return builder().build();
  }

  /**
   * A transport that applies {@code customizer} to every new client before it connects: SSL socket
   * factory, proxy, DNS resolver, receive buffer size, daemon threads...
   *
   * @param customizer configures each new client; called on the thread that opens the connection
   * @return the transport
   */
  public static JavaWebSocketTransport create(Consumer<? super WebSocketClient> customizer) {
    return builder().customizer(customizer).build();
  }

  /**
   * A builder with the defaults: no customizer, {@code TCP_NODELAY} on, no connect timeout.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this transport's settings.
   *
   * @return a new builder
   */
  public Builder newBuilder() {
    return builder().customizer(customizer).tcpNoDelay(tcpNoDelay).connectTimeout(connectTimeout);
  }

  /**
   * Creates a new {@link WebSocketClient}, configures it (see the class description) and starts
   * its handshake.
   *
   * @param request what to connect to and the headers to send; repeated values of one header are
   *     joined into one line, {@code Cookie} with {@code "; "}, others with {@code ", "}
   * @param listener receives the events of this attempt
   * @return the attempt
   * @throws IllegalArgumentException if a header name is not an HTTP token or a value holds a line
   *     break
   */
  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    Objects.requireNonNull(request, "request == null");
    Objects.requireNonNull(listener, "listener == null");
    JavaWebSocketConnection connection = new JavaWebSocketConnection(asciiCookies.sendable(request),
        listener, connectTimeout.isZero() ? 0 : (int) Math.max(1, connectTimeout.toMillis()));
    connection.start(tcpNoDelay, customizer);
    return connection;
  }

  /**
   * The library's name for logs and reports.
   *
   * @return {@code "java-websocket"}
   */
  @Override
  public String name() {
    return "java-websocket";
  }

  /**
   * Whether new clients get {@code TCP_NODELAY} before the customizer runs.
   *
   * @return {@code true} by default
   */
  public boolean tcpNoDelay() {
    return tcpNoDelay;
  }

  /**
   * The TCP connect timeout given to each client; the engine's handshake timeout still applies.
   *
   * @return the timeout, {@link Duration#ZERO} for none (the library's default)
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * The customizer applied to each new client.
   *
   * @return the customizer, a no-op one by default
   */
  public Consumer<? super WebSocketClient> customizer() {
    return customizer;
  }

  @Override
  public String toString() {
    return "JavaWebSocketTransport{tcpNoDelay=" + tcpNoDelay + ", connectTimeout=" + connectTimeout
        + (customizer == NO_CUSTOMIZER ? "" : ", customized") + "}";
  }

  /**
   * Builds a {@link JavaWebSocketTransport}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Consumer<? super WebSocketClient> customizer = NO_CUSTOMIZER;
    private boolean tcpNoDelay = true;
    private Duration connectTimeout = Duration.ZERO;

    private Builder() {}

    /**
     * Configures every new client before it connects (TLS socket factory, proxy, DNS resolver...).
     * It runs after the transport's own settings, so it may override them.
     *
     * @param customizer the customizer
     * @return this builder
     */
    public Builder customizer(Consumer<? super WebSocketClient> customizer) {
      this.customizer = customizer;
      return this;
    }

    /**
     * Whether to enable {@code TCP_NODELAY} on each client's socket (the library's default is off).
     *
     * @param tcpNoDelay {@code true} (the default) to disable Nagle's algorithm
     * @return this builder
     */
    public Builder tcpNoDelay(boolean tcpNoDelay) {
      this.tcpNoDelay = tcpNoDelay;
      return this;
    }

    /**
     * The TCP connect timeout of each client (Java-WebSocket has no other handshake timeout; the
     * engine's handshake timeout covers the whole handshake).
     *
     * @param connectTimeout a positive duration of at most {@link Integer#MAX_VALUE} milliseconds,
     *     or {@link Duration#ZERO} for none (the default)
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * Builds the transport.
     *
     * @return the transport
     * @throws NullPointerException if the customizer or the connect timeout is {@code null}
     * @throws IllegalArgumentException if the connect timeout is negative or too long
     */
    public JavaWebSocketTransport build() {
      Objects.requireNonNull(customizer, "customizer == null");
      Objects.requireNonNull(connectTimeout, "connectTimeout == null");
      if (connectTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "connectTimeout (" + connectTimeout + ") must be zero or positive");
      }
      if (connectTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException("connectTimeout (" + connectTimeout
            + ") must be at most " + Duration.ofMillis(Integer.MAX_VALUE));
      }
      return new JavaWebSocketTransport(this);
    }
  }
}
