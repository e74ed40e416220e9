package io.stickyws.spi;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls a library's cookie hook (OkHttp's {@code CookieJar}, the JDK's {@code CookieHandler})
 * makes into a stickyws {@link CookieJar}, for adapters that let the application's plain HTTP
 * requests share the engine's jar. {@code Set-Cookie} values go through {@link Cookie#parseAll}, so
 * stickyws' RFC 6265 rules apply to them exactly as to handshakes. A jar that fails is logged at
 * WARN (the loggable part of the URI and the exception's class, never a cookie) and never fails the
 * request.
 *
 * <p>Stateless and thread-safe.
 */
public final class SharedJar {
  private static final Logger log = LoggerFactory.getLogger(SharedJar.class);

  private SharedJar() {}

  /**
   * The jar's cookies for a request.
   *
   * @param jar the jar
   * @param uri the request URI ({@code http} or {@code https})
   * @return the cookies in the jar's order; empty when the jar failed (or returned a {@code null}
   *     list or cookie)
   */
  public static List<Cookie> load(CookieJar jar, URI uri) {
    try {
      return List.copyOf(jar.loadForRequest(uri));
    } catch (RuntimeException e) {
      log.warn("cookie jar failed to load cookies for {}; sending none ({})",
          Loggable.uri(uri), e.getClass().getName());
      return List.of();
    }
  }

  /**
   * Parses a response's {@code Set-Cookie} values and saves the valid cookies in the jar; a
   * malformed value is ignored, as RFC 6265 says.
   *
   * @param jar the jar
   * @param uri the request URI the response answered
   * @param setCookies every {@code Set-Cookie} value of the response
   * @param now when the response arrived, for {@code Max-Age} and creation times
   */
  public static void save(CookieJar jar, URI uri, List<String> setCookies, Instant now) {
    try {
      List<Cookie> cookies = Cookie.parseAll(uri, setCookies, now);
      if (!cookies.isEmpty()) {
        jar.saveFromResponse(uri, cookies);
      }
    } catch (RuntimeException e) {
      log.warn("cookie jar failed to save cookies from {}; ignored ({})",
          Loggable.uri(uri), e.getClass().getName());
    }
  }
}
