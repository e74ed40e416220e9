package io.stickyws.okhttp;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.spi.SharedJar;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stickyws {@link CookieJar} seen as an OkHttp {@link okhttp3.CookieJar}, so that the
 * application's REST calls and its stickyws WebSocket share one jar, and one backend.
 *
 * <pre>{@code
 * CookieJar jar = ...; // the jar the StickyWebSocket uses
 * OkHttpClient rest = client.newBuilder().cookieJar(OkHttpCookieJar.of(jar)).build();
 * }</pre>
 *
 * <p>Cookies OkHttp parsed from a response are turned back into {@code Set-Cookie} text and parsed
 * again by {@link Cookie#parseAll}, so that stickyws's rules (public suffixes, {@code Secure} over
 * an insecure scheme, size limits, expiry) apply to REST responses exactly as to handshakes; an
 * already expired cookie deletes the stored one. Cookies loaded for a request are converted field by
 * field, in the jar's order. A failure of the jar is logged at WARN (names and hosts, never values)
 * and never fails the call.
 *
 * <p>Instances are immutable and thread-safe (the wrapped jar is thread-safe).
 */
public final class OkHttpCookieJar implements okhttp3.CookieJar {
  private static final Logger log = LoggerFactory.getLogger(OkHttpCookieJar.class);

  private final CookieJar jar;
  private final Clock clock;

  private OkHttpCookieJar(CookieJar jar, Clock clock) {
    this.jar = jar;
    this.clock = clock;
  }

  /**
   * A view of {@code jar} for OkHttp.
   *
   * @param jar the stickyws cookie jar
   * @return the view
   */
  public static OkHttpCookieJar of(CookieJar jar) {
    return of(jar, Clock.systemUTC());
  }

  /**
   * A view of {@code jar} for OkHttp that reads the time from {@code clock}.
   *
   * @param jar the stickyws cookie jar
   * @param clock the time a response arrived, for {@code Max-Age} and creation times
   * @return the view
   */
  public static OkHttpCookieJar of(CookieJar jar, Clock clock) {
    Objects.requireNonNull(jar, "jar == null");
    Objects.requireNonNull(clock, "clock == null");
    return new OkHttpCookieJar(jar, clock);
  }

  /**
   * The stickyws jar behind this view.
   *
   * @return the jar
   */
  public CookieJar jar() {
    return jar;
  }

  /**
   * Stores the cookies of a response in the stickyws jar, through its parser.
   *
   * @param url the request URL the response answered
   * @param cookies the cookies OkHttp parsed from its {@code Set-Cookie} headers
   */
  @Override
  public void saveFromResponse(HttpUrl url, List<okhttp3.Cookie> cookies) {
    Instant now = clock.instant();
    List<String> setCookies = new ArrayList<>(cookies.size());
    for (okhttp3.Cookie cookie : cookies) {
      setCookies.add(setCookieHeader(cookie, now));
    }
    SharedJar.save(jar, url.uri(), setCookies, now);
  }

  /**
   * The cookies of the stickyws jar for a request, in the jar's order.
   *
   * @param url the request URL
   * @return the cookies OkHttp puts in the {@code Cookie} header
   */
  @Override
  public List<okhttp3.Cookie> loadForRequest(HttpUrl url) {
    List<Cookie> cookies = SharedJar.load(jar, url.uri());
    List<okhttp3.Cookie> result = new ArrayList<>(cookies.size());
    for (Cookie cookie : cookies) {
      try {
        result.add(toOkHttp(cookie));
      } catch (IllegalArgumentException e) {
        log.debug("OkHttp refused cookie {} for {}", cookie.name(), cookie.domain());
      }
    }
    return result;
  }

  /** The {@code Set-Cookie} text that makes {@link Cookie#parse} rebuild {@code cookie}. */
  static String setCookieHeader(okhttp3.Cookie cookie, Instant now) {
    StringBuilder out = new StringBuilder();
    out.append(cookie.name()).append('=').append(cookie.value());
    if (cookie.persistent()) {
      // OkHttp keeps an absolute time (Long.MIN_VALUE once expired); Max-Age=0 deletes.
      // Compare before subtracting: Long.MIN_VALUE minus now would overflow.
      long expiresAt = cookie.expiresAt();
      long nowMillis = now.toEpochMilli();
      long seconds = expiresAt <= nowMillis ? 0 : (expiresAt - nowMillis + 999) / 1000;
      out.append("; Max-Age=").append(seconds);
    }
    if (!cookie.hostOnly()) {
      out.append("; Domain=").append(cookie.domain());
    }
    out.append("; Path=").append(cookie.path());
    if (cookie.secure()) {
      out.append("; Secure");
    }
    if (cookie.httpOnly()) {
      out.append("; HttpOnly");
    }
    String sameSite = OkHttp5.sameSite(cookie);
    if (sameSite != null) {
      out.append("; SameSite=").append(sameSite);
    }
    return out.toString();
  }

  /** The same cookie as OkHttp models it. */
  static okhttp3.Cookie toOkHttp(Cookie cookie) {
    okhttp3.Cookie.Builder builder = new okhttp3.Cookie.Builder()
        .name(cookie.name())
        .value(cookie.value())
        .path(cookie.path());
    if (cookie.hostOnly()) {
      builder.hostOnlyDomain(cookie.domain());
    } else {
      builder.domain(cookie.domain());
    }
    cookie.expiresAt().ifPresent(at -> builder.expiresAt(at.toEpochMilli()));
    if (cookie.secure()) {
      builder.secure();
    }
    if (cookie.httpOnly()) {
      builder.httpOnly();
    }
    cookie.sameSite().ifPresent(value -> OkHttp5.sameSite(builder, value));
    return builder.build();
  }

  @Override
  public String toString() {
    return "OkHttpCookieJar{" + jar + "}";
  }
}
