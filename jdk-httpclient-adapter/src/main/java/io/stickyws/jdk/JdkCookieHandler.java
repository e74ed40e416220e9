package io.stickyws.jdk;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.spi.HeaderLines;
import io.stickyws.spi.SharedJar;
import java.net.CookieHandler;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link CookieHandler} backed by a stickyws {@link CookieJar}, which a {@link JdkTransport}
 * installs on its {@link java.net.http.HttpClient}: the JDK shows a WebSocket handshake's response
 * headers to the client's cookie handler only.
 *
 * <p>For WebSocket handshakes (requests carrying {@code Sec-WebSocket-Key}) it adds no cookie (the
 * engine already put the {@code Cookie} header in the request) and saves nothing: it hands the 101
 * response headers to the attempt that made the handshake, and the engine stores the cookies. For
 * the application's plain {@code http}/{@code https} requests on {@link JdkTransport#httpClient()}
 * it loads the {@code Cookie} header from the jar and saves every {@code Set-Cookie} into it, with
 * stickyws' RFC 6265 rules (unlike {@link java.net.CookieManager}, which sends {@code Secure}
 * cookies over {@code https} only, never {@code wss}, and turns cookies with {@code Max-Age} into
 * {@code $Version="1"} headers that balancers do not match).
 *
 * <p>Instances are thread-safe.
 */
public final class JdkCookieHandler extends CookieHandler {
  private final CookieJar jar;
  final PendingHandshakes handshakes = new PendingHandshakes();

  private JdkCookieHandler(CookieJar jar) {
    this.jar = jar;
  }

  /**
   * Creates a handler that loads and saves the cookies of plain HTTP requests through {@code jar}.
   *
   * @param jar the jar; {@link CookieJar#NO_COOKIES} for a handler that only serves WebSocket
   *     handshakes
   * @return the handler
   */
  public static JdkCookieHandler of(CookieJar jar) {
    return new JdkCookieHandler(Objects.requireNonNull(jar, "jar == null"));
  }

  /**
   * The jar behind this handler.
   *
   * @return the jar
   */
  public CookieJar cookieJar() {
    return jar;
  }

  /**
   * The cookies for a request: none for a WebSocket handshake, otherwise the jar's cookies as one
   * {@code Cookie} header. A failing jar is logged at WARN and sends no cookie.
   *
   * @param uri the request URI ({@code http} or {@code https})
   * @param requestHeaders the request's headers as the application set them
   * @return an empty map, or a map holding one {@code Cookie} header
   */
  @Override
  public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) {
    if (uri == null || requestHeaders == null) {
      throw new IllegalArgumentException("uri and requestHeaders must not be null");
    }
    if (handshakes.onRequest(uri, requestHeaders) || jar == CookieJar.NO_COOKIES) {
      return Map.of();
    }
    List<Cookie> cookies = SharedJar.load(jar, uri);
    return cookies.isEmpty() ? Map.of() : Map.of("Cookie", List.of(Cookie.header(cookies)));
  }

  /**
   * Takes the cookies of a response: the headers of a WebSocket handshake's answer go to the
   * attempt that made it, every other response's {@code Set-Cookie} headers are saved in the jar. A
   * failing jar is logged at WARN and never fails the request.
   *
   * @param uri the request URI ({@code http} or {@code https})
   * @param responseHeaders every response header
   */
  @Override
  public void put(URI uri, Map<String, List<String>> responseHeaders) {
    if (uri == null || responseHeaders == null) {
      throw new IllegalArgumentException("uri and responseHeaders must not be null");
    }
    if (handshakes.onResponse(uri, responseHeaders) || jar == CookieJar.NO_COOKIES) {
      return;
    }
    SharedJar.save(jar, uri, HeaderLines.values(responseHeaders, "Set-Cookie"), Instant.now());
  }

  /** Names the jar only. */
  @Override
  public String toString() {
    return "JdkCookieHandler{" + jar + "}";
  }
}
