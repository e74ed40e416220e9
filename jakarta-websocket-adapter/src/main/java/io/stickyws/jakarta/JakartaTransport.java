package io.stickyws.jakarta;

import io.stickyws.spi.AsciiCookies;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.WebSocketContainer;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs stickyws connections on any Jakarta WebSocket 2.1+ client container the application
 * already has: Tomcat's {@code WsWebSocketContainer}, Jetty's Jakarta client, Tyrus, Undertow...
 *
 * <pre>{@code
 * WebSocketContainer container = ContainerProvider.getWebSocketContainer();
 * Transport transport = JakartaTransport.create(container);
 * }</pre>
 *
 * <p>Each attempt gets a fresh {@link ClientEndpointConfig} copied from the one given to the
 * builder (subprotocols, extensions, encoders, decoders, SSL context and user properties are
 * kept), whose configurator first runs the application's own configurator, then removes any
 * {@code Cookie} header it added and sets the engine's headers; every header of the {@code 101}
 * comes back through {@code afterResponse}. Pings go out through {@code RemoteEndpoint.sendPing},
 * pongs arrive through a {@code PongMessage} handler.
 *
 * <p>The Jakarta API connects and sends blocking, so each attempt owns one thread (named
 * {@code stickyws-jakarta-N} by default) that connects, then writes the attempt's messages in
 * order, then closes; it ends shortly after the terminal event. Incoming messages arrive on the
 * container's threads. A refused handshake is reported with the HTTP status the container's
 * exception names; its headers ({@code Retry-After}, {@code Set-Cookie}) only where the container
 * hands them to {@code afterResponse} (see the module README). A handshake is never redirected: on
 * Tomcat each attempt sets {@code MAX_REDIRECTIONS} to 0; on Jetty, {@link Builder#build()} turns
 * redirects off on the container's {@code HttpClient} (logged once at INFO), since Jetty follows
 * them with the engine's {@code Cookie} header otherwise.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JakartaTransport implements Transport {
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final ThreadFactory DEFAULT_THREADS = runnable -> {
    Thread thread = new Thread(runnable, "stickyws-jakarta-" + THREAD_IDS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  };

  private final WebSocketContainer container;
  private final AsciiCookies asciiCookies = new AsciiCookies("the Jakarta WebSocket container");
  private final ClientEndpointConfig endpointConfig;
  private final ThreadFactory threadFactory;

  private JakartaTransport(Builder builder) {
    this.container = builder.container;
    this.endpointConfig = builder.endpointConfig;
    this.threadFactory = builder.threadFactory;
  }

  /**
   * A transport on {@code container} with a default endpoint configuration.
   *
   * @param container the application's container; its settings (buffer sizes, timeouts) apply
   * @return the transport
   */
  public static JakartaTransport create(WebSocketContainer container) {
    return builder(container).build();
  }

  /**
   * A builder on {@code container}.
   *
   * @param container the application's container
   * @return a new builder
   */
  public static Builder builder(WebSocketContainer container) {
    return new Builder(container);
  }

  /**
   * A builder holding this transport's settings.
   *
   * @return a new builder
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Starts one attempt on a new thread of the thread factory and returns at once.
   *
   * @param request what to connect to and the headers to send; repeated values of one header are
   *     joined into one line, {@code Cookie} with {@code "; "}, others with {@code ", "}
   * @param listener receives the events of this attempt
   * @return the attempt
   */
  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    Objects.requireNonNull(request, "request == null");
    Objects.requireNonNull(listener, "listener == null");
    JakartaConnection connection = new JakartaConnection(container, endpointConfig,
        asciiCookies.sendable(request), listener); // containers write headers in ISO-8859-1
    connection.start(threadFactory);
    return connection;
  }

  /** Returns {@code "jakarta"}, the library's name for logs and reports. */
  @Override
  public String name() {
    return "jakarta";
  }

  /**
   * The container the attempts run on.
   *
   * @return the container
   */
  public WebSocketContainer container() {
    return container;
  }

  @Override
  public String toString() {
    return "JakartaTransport{" + container.getClass().getName() + "}";
  }

  /**
   * Builds a {@link JakartaTransport}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final WebSocketContainer container;
    private ClientEndpointConfig endpointConfig = ClientEndpointConfig.Builder.create().build();
    private ThreadFactory threadFactory = DEFAULT_THREADS;

    private Builder(WebSocketContainer container) {
      this.container = Objects.requireNonNull(container, "container == null");
    }

    private Builder(JakartaTransport transport) {
      this.container = transport.container;
      this.endpointConfig = transport.endpointConfig;
      this.threadFactory = transport.threadFactory;
    }

    /**
     * The endpoint configuration each attempt copies: subprotocols, extensions, encoders,
     * decoders, SSL context, user properties and the configurator (which runs before the
     * engine's headers are set).
     *
     * @param endpointConfig the configuration
     * @return this builder
     */
    public Builder endpointConfig(ClientEndpointConfig endpointConfig) {
      this.endpointConfig = endpointConfig;
      return this;
    }

    /**
     * Makes the thread of each attempt (by default daemon threads named
     * {@code stickyws-jakarta-N}).
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      return this;
    }

    /**
     * Builds the transport.
     *
     * @return the transport
     * @throws NullPointerException if the endpoint configuration or thread factory is null
     */
    public JakartaTransport build() {
      Objects.requireNonNull(endpointConfig, "endpointConfig == null");
      Objects.requireNonNull(threadFactory, "threadFactory == null");
      JettyRedirects.turnOff(container);
      return new JakartaTransport(this);
    }
  }
}
