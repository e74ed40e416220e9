package io.stickyws.okhttp;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A simple stickyws jar for adapter tests: replaces by name, domain and path, drops expired
 * cookies, and loads the cookies whose domain matches the host (paths and Secure are ignored).
 */
final class FakeCookieJar implements CookieJar {
  private final List<Cookie> cookies = new ArrayList<>();
  final List<URI> savedFrom = new ArrayList<>();

  @Override
  public synchronized void saveFromResponse(URI uri, List<Cookie> received) {
    savedFrom.add(uri);
    for (Cookie cookie : received) {
      cookies.removeIf(c -> c.name().equals(cookie.name()) && c.domain().equals(cookie.domain())
          && c.path().equals(cookie.path()));
      if (!cookie.expiredAt(Instant.now())) {
        cookies.add(cookie);
      }
    }
  }

  @Override
  public synchronized List<Cookie> loadForRequest(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    List<Cookie> result = new ArrayList<>();
    for (Cookie c : cookies) {
      boolean domainMatch = c.hostOnly()
          ? host.equals(c.domain())
          : host.equals(c.domain()) || host.endsWith("." + c.domain());
      if (domainMatch && !c.expiredAt(Instant.now())) {
        result.add(c);
      }
    }
    return result;
  }

  synchronized List<Cookie> all() {
    return new ArrayList<>(cookies);
  }
}
