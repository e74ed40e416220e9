package io.stickyws.okhttp;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Loggable;
import io.stickyws.spi.NoDelaySocketFactory;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import okhttp3.CookieJar;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * The stickyws transport on OkHttp 5: opens WebSocket connections with the application's own
 * {@link OkHttpClient}, keeping its TLS, proxy, timeouts, interceptors, dispatcher and pool.
 *
 * <pre>{@code
 * Transport transport = OkHttpTransport.create(new OkHttpClient());
 * }</pre>
 *
 * <p>The WebSocket client is derived from the application's client with
 * {@link OkHttpClient#newBuilder()} and changed in three ways only: its {@link CookieJar} is
 * {@link CookieJar#NO_COOKIES}, so the {@code Cookie} header the engine puts on the handshake is
 * sent exactly as given; it follows no redirect (a handshake is never redirected: a 3xx is a
 * failed handshake with its status, and no cookie leaves for the {@code Location}); and, unless
 * {@link Builder#tcpNoDelay(boolean)} turned it off, its socket factory wraps the application's to
 * enable {@code TCP_NODELAY}, which covers {@code wss://} too (not through a SOCKS proxy). To share
 * one stickyws cookie jar with the application's REST calls, see
 * {@link #withCookieJar(OkHttpClient, io.stickyws.cookie.CookieJar)}.
 *
 * <p>OkHttp's public WebSocket API can neither send a ping on demand nor report a pong, so
 * {@link #supportsPing()} is {@code false}: when the engine asks for heartbeats
 * ({@link HandshakeRequest#heartbeatInterval()}), the connection is opened with that interval as
 * OkHttp's {@link OkHttpClient.Builder#pingInterval(Duration) pingInterval}, and OkHttp fails the
 * connection when a pong is missing. Without a heartbeat interval, the application client's own
 * {@code pingInterval} applies. Those pings also confirm delivery ({@link #confirmsDelivery()}),
 * and each connection's sockets are watched to bound the pongs a peer that pings without reading
 * makes OkHttp queue (16 384; past that the connection fails with "the peer pings but does not
 * read"), both read from OkHttp's ping counters.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OkHttpTransport implements Transport {
  private final OkHttpClient client;
  private final boolean tcpNoDelay;
  /** One derived client per heartbeat interval; they share the application's pool and threads. */
  private final ConcurrentMap<Duration, OkHttpClient> withPings = new ConcurrentHashMap<>();
  /** The last handshake URI as OkHttp parsed it: a reconnect asks for the same one again. */
  private volatile ParsedUrl lastUrl;

  /** A URI, compared as its exact text, and OkHttp's parse of it. */
  private record ParsedUrl(String uri, HttpUrl url) {}

  private OkHttpTransport(Builder builder) {
    this.tcpNoDelay = builder.tcpNoDelay;
    OkHttpClient.Builder derived = builder.client.newBuilder().cookieJar(CookieJar.NO_COOKIES)
        .followRedirects(false).followSslRedirects(false);
    if (tcpNoDelay) {
      derived.socketFactory(new NoDelaySocketFactory(builder.client.socketFactory()));
    }
    this.client = derived.build();
  }

  /**
   * A transport on {@code client} with the default options ({@code TCP_NODELAY} on).
   *
   * @param client the application's client; it is not changed
   * @return the transport
   */
  public static OkHttpTransport create(OkHttpClient client) {
    return builder(client).build();
  }

  /**
   * A builder for a transport on {@code client}.
   *
   * @param client the application's client; it is not changed
   * @return a builder with the default options
   */
  public static Builder builder(OkHttpClient client) {
    return new Builder(Objects.requireNonNull(client, "client == null"));
  }

  /**
   * A client for the application's REST calls that stores and sends cookies in {@code jar}, the jar
   * its stickyws connection uses: the balancer's affinity cookie set on a REST response is then
   * sent on the next WebSocket handshake, and the other way round, so both land on one backend.
   *
   * @param client the application's client; it is not changed
   * @param jar the stickyws cookie jar
   * @return {@code client.newBuilder().cookieJar(OkHttpCookieJar.of(jar)).build()}
   */
  public static OkHttpClient withCookieJar(OkHttpClient client, io.stickyws.cookie.CookieJar jar) {
    Objects.requireNonNull(client, "client == null");
    return client.newBuilder().cookieJar(OkHttpCookieJar.of(jar)).build();
  }

  /**
   * Starts a handshake with the request's headers as given (OkHttp adds only its own
   * {@code Host}, {@code User-Agent}, {@code Accept-Encoding} and WebSocket upgrade headers).
   *
   * @param request the URI and headers
   * @param listener receives the events of this attempt
   * @return the connection, usable at once
   * @throws IllegalArgumentException if OkHttp cannot express the URI or a header
   */
  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    Objects.requireNonNull(request, "request == null");
    Objects.requireNonNull(listener, "listener == null");
    Request okRequest = toOkHttp(request);
    OkHttpClient client = webSocketClient(request.heartbeatInterval());
    OkHttpConnection connection =
        new OkHttpConnection(listener, request.uri(), client.pingIntervalMillis());
    connection.start(client, okRequest);
    return connection;
  }

  /** The derived client for one heartbeat interval, made once and kept. */
  OkHttpClient webSocketClient(Optional<Duration> heartbeatInterval) {
    return heartbeatInterval
        .map(interval -> withPings.computeIfAbsent(
            interval, i -> client.newBuilder().pingInterval(i).build()))
        .orElse(client);
  }

  @Override
  public String name() {
    return "okhttp";
  }

  /**
   * OkHttp sends its own keep-alive pings, configured from the heartbeat interval, and reports a
   * missing pong as a failure; it cannot send one on demand.
   *
   * @return {@code false}
   */
  @Override
  public boolean supportsPing() {
    return false;
  }

  /**
   * OkHttp's own pings confirm delivery: a message is confirmed once it left OkHttp's queue and
   * OkHttp's next ping got its pong, about one ping interval later. Not when the connection has
   * no ping interval (no heartbeat and none on the application's client).
   *
   * @return {@code true}
   */
  @Override
  public boolean confirmsDelivery() {
    return true;
  }

  /** @return whether {@code TCP_NODELAY} is on for the WebSocket sockets (default true) */
  public boolean tcpNoDelay() {
    return tcpNoDelay;
  }

  @Override
  public String toString() {
    return "OkHttpTransport{tcpNoDelay=" + tcpNoDelay + "}";
  }

  private Request toOkHttp(HandshakeRequest request) {
    Request.Builder builder = new Request.Builder().url(httpUrl(request));
    Headers.Builder headers = new Headers.Builder();
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      for (String value : header.getValue()) {
        try { // a Cookie value goes out as the jar stores it: its UTF-8 bytes (eur=€)
          if (header.getKey().equalsIgnoreCase("Cookie")) {
            headers.addUnsafeNonAscii(header.getKey(), value);
          } else {
            headers.add(header.getKey(), value);
          }
        } catch (IllegalArgumentException e) { // may show the value
          throw new IllegalArgumentException(
              "header (" + header.getKey() + ") has a name or value OkHttp does not accept");
        }
      }
    }
    return builder.headers(headers.build()).build();
  }

  /** OkHttp's parse of the request's {@link HandshakeRequest#httpUri()}. */
  private HttpUrl httpUrl(HandshakeRequest request) {
    String given = request.uri().toString();
    ParsedUrl last = lastUrl;
    if (last != null && last.uri().equals(given)) {
      return last.url();
    }
    HttpUrl url;
    try {
      url = HttpUrl.get(request.httpUri().toString());
    } catch (IllegalArgumentException e) { // its message shows the query, which may hold secrets
      throw new IllegalArgumentException(
          "uri (" + Loggable.uri(request.uri()) + ") is not a URL OkHttp accepts");
    }
    lastUrl = new ParsedUrl(given, url);
    return url;
  }

  /**
   * Builds an {@link OkHttpTransport}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final OkHttpClient client;
    private boolean tcpNoDelay = true;

    private Builder(OkHttpClient client) {
      this.client = client;
    }

    /**
     * Whether to enable {@code TCP_NODELAY} on the WebSocket sockets. On by default: without it a
     * TLS handshake through a balancer takes about 50 ms instead of 10, Nagle's algorithm waiting
     * for delayed ACKs.
     *
     * @param tcpNoDelay {@code false} to keep the socket factory's own setting
     * @return this
     */
    public Builder tcpNoDelay(boolean tcpNoDelay) {
      this.tcpNoDelay = tcpNoDelay;
      return this;
    }

    /**
     * Builds the transport.
     *
     * @return the transport
     */
    public OkHttpTransport build() {
      return new OkHttpTransport(this);
    }
  }
}
