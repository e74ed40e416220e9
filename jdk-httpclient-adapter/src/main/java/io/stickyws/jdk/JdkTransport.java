package io.stickyws.jdk;

import io.stickyws.cookie.CookieJar;
import io.stickyws.spi.AsciiCookies;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The stickyws transport on the JDK's {@code java.net.http.WebSocket}, with no third-party
 * dependency. It builds one {@link HttpClient} from the application's builder, so its TLS, proxy,
 * executor, connect timeout and authenticator apply, with a {@link JdkCookieHandler} installed (the
 * only way to see a handshake's response headers in the JDK). The engine's {@code Cookie} header is
 * sent as given, except that the JDK sends header values as ASCII only: a cookie whose value is not
 * ASCII ({@code eur=€}) is left out and named once at WARN ({@link AsciiCookies}). A handshake
 * answered with another status than 101 is reported with that status and its headers. TCP_NODELAY
 * needs nothing: the JDK's HTTP/1.1 connections (plain, TLS and tunnelled) always enable it.
 *
 * <p>Limits: handshakes with the same URI and the same headers are handed to the JDK one after the
 * other (each waits microseconds, until the previous one has been given its cookies, before the JDK
 * connects), so that response headers are never attributed to the wrong attempt. Cookies set by
 * authentication challenges within one handshake are not seen. A handshake is never redirected: if
 * the application's builder follows redirects, WebSockets run on a second client built from it
 * with {@link HttpClient.Redirect#NEVER} (one more selector thread), and a 3xx is a failed
 * handshake with its status. Java 17's {@code HttpClient} cannot be closed: its selector thread
 * ends when the client is no longer referenced. A {@code CookieHandler} set on the builder
 * beforehand is replaced.
 *
 * <p>Instances are thread-safe.
 */
public final class JdkTransport implements Transport {
  private static final Set<String> FORBIDDEN_HEADERS = Set.of(
      "sec-websocket-key", "sec-websocket-accept", "sec-websocket-version",
      "sec-websocket-extensions");

  private final HttpClient client;
  /** {@link #client}, or a twin of it that follows no redirect when it follows them. */
  private final HttpClient webSockets;
  private final JdkCookieHandler cookieHandler;
  private final long maxOutboundBytes;
  private final AsciiCookies asciiCookies = new AsciiCookies("the JDK HttpClient");

  private JdkTransport(HttpClient client, HttpClient webSockets, JdkCookieHandler cookieHandler,
      long maxOutboundBytes) {
    this.client = client;
    this.webSockets = webSockets;
    this.cookieHandler = cookieHandler;
    this.maxOutboundBytes = maxOutboundBytes;
  }

  /**
   * Creates a transport on a default {@link HttpClient}.
   *
   * @return the transport
   */
  public static JdkTransport create() {
    return builder(HttpClient.newBuilder()).build();
  }

  /**
   * Creates a transport on a client built from the application's builder. The builder's cookie
   * handler is replaced by a {@link JdkCookieHandler} that only serves WebSocket handshakes.
   *
   * @param httpClientBuilder the application's builder, with its TLS, proxy, executor and timeouts
   * @return the transport
   */
  public static JdkTransport create(HttpClient.Builder httpClientBuilder) {
    return builder(httpClientBuilder).build();
  }

  /**
   * A builder for a transport with options.
   *
   * @param httpClientBuilder the application's builder, with its TLS, proxy, executor and timeouts
   * @return a new builder
   */
  public static Builder builder(HttpClient.Builder httpClientBuilder) {
    return new Builder(Objects.requireNonNull(httpClientBuilder, "httpClientBuilder == null"));
  }

  /**
   * The client built from the application's builder; the application may send its own HTTP
   * requests on it, with the cookies of the jar given to {@link Builder#cookieJar}. WebSockets are
   * opened on it too, unless it follows redirects: then on a second client built from the same
   * builder with {@link HttpClient.Redirect#NEVER}, since a handshake is never redirected.
   *
   * @return the client
   */
  public HttpClient httpClient() {
    return client;
  }

  /**
   * The cookie handler installed on {@link #httpClient()}.
   *
   * @return the handler
   */
  public JdkCookieHandler cookieHandler() {
    return cookieHandler;
  }

  /**
   * Starts one handshake. A {@code Sec-WebSocket-Protocol} header is passed to the JDK as its list
   * of subprotocols.
   *
   * @param request what to connect to and which headers to send
   * @param listener receives the events of this attempt
   * @return the attempt
   * @throws IllegalArgumentException if the request sets a {@code Sec-WebSocket-Key},
   *     {@code -Accept}, {@code -Version} or {@code -Extensions} header, which the JDK sets itself,
   *     or a header value the JDK cannot send as it is (a character outside visible ASCII, space
   *     and tab); the engine then gives up at once rather than failing every attempt
   */
  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    Objects.requireNonNull(request, "request == null");
    Objects.requireNonNull(listener, "listener == null");
    HandshakeRequest sent = asciiCookies.sendable(request);
    WebSocket.Builder builder = webSockets.newWebSocketBuilder();
    List<String> subprotocols = new ArrayList<>();
    sent.headers().forEach((name, values) -> {
      if (FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("header (" + name + ") is set by the JDK itself");
      }
      for (String value : values) {
        if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7F))) {
          // the JDK refuses it (its message shows the value) or sends '?' for each non-ASCII char
          throw new IllegalArgumentException("header (" + name + ") has a value the JDK cannot"
              + " send (only visible ASCII, space and tab)");
        }
        if (name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
          Arrays.stream(value.split(",")).map(String::trim).filter(p -> !p.isEmpty())
              .forEach(subprotocols::add);
        } else {
          builder.header(name, value);
        }
      }
    });
    if (!subprotocols.isEmpty()) {
      builder.subprotocols(subprotocols.get(0),
          subprotocols.subList(1, subprotocols.size()).toArray(new String[0]));
    }
    JdkConnection connection =
        new JdkConnection(builder, cookieHandler.handshakes, sent, listener, maxOutboundBytes);
    connection.start();
    return connection;
  }

  /**
   * The library's name.
   *
   * @return {@code "jdk"}
   */
  @Override
  public String name() {
    return "jdk";
  }

  /** Names the library and the jar. */
  @Override
  public String toString() {
    return "JdkTransport{" + cookieHandler.cookieJar() + "}";
  }

  /**
   * Builds a {@link JdkTransport}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final HttpClient.Builder httpClientBuilder;
    private CookieJar cookieJar = CookieJar.NO_COOKIES;
    private long maxOutboundBytes = 16L * 1024 * 1024;

    private Builder(HttpClient.Builder httpClientBuilder) {
      this.httpClientBuilder = httpClientBuilder;
    }

    /**
     * The jar the client's plain HTTP requests load cookies from and save them to, so that they and
     * the engine's handshakes share one jar. Default {@link CookieJar#NO_COOKIES}: the client's
     * plain requests carry no cookies.
     *
     * @param cookieJar the jar, usually the one the engine uses
     * @return this
     */
    public Builder cookieJar(CookieJar cookieJar) {
      this.cookieJar = cookieJar;
      return this;
    }

    /**
     * How many bytes of messages may wait for the JDK to send them (text counted in chars) before
     * sends return {@code false}. Default 16 MiB.
     *
     * @param maxOutboundBytes a positive number of bytes
     * @return this
     */
    public Builder maxOutboundBytes(long maxOutboundBytes) {
      this.maxOutboundBytes = maxOutboundBytes;
      return this;
    }

    /**
     * Installs the cookie handler on the {@code HttpClient.Builder} and builds the client and the
     * transport.
     *
     * @return the transport
     * @throws NullPointerException if the cookie jar is {@code null}
     * @throws IllegalArgumentException if {@code maxOutboundBytes} is not positive
     */
    public JdkTransport build() {
      Objects.requireNonNull(cookieJar, "cookieJar == null");
      if (maxOutboundBytes <= 0) {
        throw new IllegalArgumentException(
            "maxOutboundBytes (" + maxOutboundBytes + ") must be > 0");
      }
      JdkCookieHandler handler = JdkCookieHandler.of(cookieJar);
      HttpClient client = httpClientBuilder.cookieHandler(handler).build();
      HttpClient.Redirect redirect = client.followRedirects();
      HttpClient webSockets = client;
      if (redirect != HttpClient.Redirect.NEVER) {
        // the JDK would follow a 3xx on the handshake and send the Cookie header to the Location
        webSockets = httpClientBuilder.followRedirects(HttpClient.Redirect.NEVER).build();
        httpClientBuilder.followRedirects(redirect);
      }
      return new JdkTransport(client, webSockets, handler, maxOutboundBytes);
    }
  }
}
