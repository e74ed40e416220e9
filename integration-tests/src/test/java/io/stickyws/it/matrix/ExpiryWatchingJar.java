package io.stickyws.it.matrix;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory jar that counts how often a cookie of one name was saved already expired: that is how the engine
 * deletes a dropped affinity cookie, so the count tells whether the client gave up its affinity.
 *
 * <p>Thread-safe.
 */
final class ExpiryWatchingJar implements CookieJar {
  private final MemoryCookieJar delegate = MemoryCookieJar.create();
  private final String name;
  private final AtomicInteger expired = new AtomicInteger();

  ExpiryWatchingJar(String name) {
    this.name = name;
  }

  /** How many times the watched cookie was deleted (saved with an expiry in the past). */
  int expirations() {
    return expired.get();
  }

  @Override
  public void saveFromResponse(URI uri, List<Cookie> cookies) {
    Instant now = Instant.now();
    for (Cookie c : cookies) {
      if (c.name().equals(name) && c.expiresAt().map(at -> !at.isAfter(now)).orElse(false)) {
        expired.incrementAndGet();
      }
    }
    delegate.saveFromResponse(uri, cookies);
  }

  @Override
  public List<Cookie> loadForRequest(URI uri) {
    return delegate.loadForRequest(uri);
  }
}
