package io.stickyws.cookie;

import java.net.URI;
import java.util.List;

/**
 * Stores cookies received on handshakes and supplies the cookies to send on the next ones, in the
 * shape of OkHttp's {@code CookieJar}.
 *
 * <p>{@code ws} URIs follow the rules of {@code http} and {@code wss} those of {@code https}
 * (RFC 6455 §4.1): a {@code Secure} cookie is sent over {@code wss://} and never over
 * {@code ws://}. A cookie that is already expired when saved deletes the stored cookie with the same
 * name, domain and path (RFC 6265 §5.3 step 11).
 *
 * <p>Implementations are thread-safe.
 */
public interface CookieJar {

  /**
   * A jar that stores nothing and sends nothing: what a plain client without cookies does.
   */
  CookieJar NO_COOKIES = new CookieJar() {
    @Override
    public void saveFromResponse(URI uri, List<Cookie> cookies) {}

    @Override
    public List<Cookie> loadForRequest(URI uri) {
      return List.of();
    }

    @Override
    public String toString() {
      return "CookieJar.NO_COOKIES";
    }
  };

  /**
   * Stores the cookies a response to {@code uri} set, already parsed with
   * {@link Cookie#parse(URI, String, java.time.Instant)} (which rejected foreign and public-suffix
   * domains).
   *
   * @param uri the request URI the response answered
   * @param cookies the cookies in the order of their {@code Set-Cookie} headers
   */
  void saveFromResponse(URI uri, List<Cookie> cookies);

  /**
   * The cookies to send with a request to {@code uri}, in {@code Cookie} header order (RFC 6265
   * §5.4: longer paths first, then earlier creation). Expired cookies are never returned.
   *
   * @param uri the request URI
   * @return the matching cookies, possibly empty
   */
  List<Cookie> loadForRequest(URI uri);
}
