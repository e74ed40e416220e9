package io.stickyws.cookie;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An RFC 6265 cookie jar held in memory: what a browser does for one session.
 *
 * <p>Cookies are replaced by name, domain and path (keeping their creation time), expired cookies
 * are dropped, and beyond {@link Builder#maxCookiesPerDomain(int)} cookies for one domain or
 * {@link Builder#maxCookies(int)} in total the least recently used are evicted. {@code ws} and
 * {@code wss} URIs follow the rules of {@code http} and {@code https}.
 *
 * <p>Instances are thread-safe.
 */
public final class MemoryCookieJar implements CookieJar {
  /** Default limit of cookies sharing one domain (RFC 6265 §6.1 asks for at least 50). */
  public static final int DEFAULT_MAX_COOKIES_PER_DOMAIN = 50;
  /** Default limit of cookies in total (RFC 6265 §6.1 asks for at least 3000). */
  public static final int DEFAULT_MAX_COOKIES = 3000;

  private final Clock clock;
  private final int maxCookiesPerDomain;
  private final int maxCookies;
  private final PublicSuffixList publicSuffixes;
  private final Object lock = new Object();
  private final CookieStore store;

  private MemoryCookieJar(Builder b) {
    this.clock = b.clock;
    this.maxCookiesPerDomain = b.maxCookiesPerDomain;
    this.maxCookies = b.maxCookies;
    this.publicSuffixes = b.publicSuffixes;
    this.store = new CookieStore(maxCookiesPerDomain, maxCookies, null);
  }

  /**
   * An empty jar with the system UTC clock and the default limits.
   *
   * @return a new jar
   */
  public static MemoryCookieJar create() {
    return builder().build();
  }

  /**
   * A builder with the defaults of {@link #create()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses the {@code Set-Cookie} header values of a response to {@code uri} at this jar's clock
   * and Public Suffix List, and stores the cookies.
   *
   * @param uri the request URI the response answered
   * @param setCookieHeaders the header values in the order received
   */
  public void receive(URI uri, List<String> setCookieHeaders) {
    saveFromResponse(uri, Cookie.parseAll(uri, setCookieHeaders, clock.instant(), publicSuffixes));
  }

  /**
   * The {@code Cookie} header value for a request to {@code uri}.
   *
   * @param uri the request URI
   * @return the header value, empty when no cookie matches
   */
  public String cookieHeader(URI uri) {
    return Cookie.header(loadForRequest(uri));
  }

  @Override
  public void saveFromResponse(URI uri, List<Cookie> cookies) {
    Objects.requireNonNull(uri, "uri == null");
    Objects.requireNonNull(cookies, "cookies == null");
    Instant now = clock.instant();
    synchronized (lock) {
      for (Cookie c : cookies) {
        if (c.storableFrom(uri, publicSuffixes)) {
          store.put(c, now);
        }
      }
    }
  }

  @Override
  public List<Cookie> loadForRequest(URI uri) {
    Objects.requireNonNull(uri, "uri == null");
    Instant now = clock.instant();
    synchronized (lock) {
      return store.forRequest(uri, now);
    }
  }

  /**
   * Every cookie stored and not expired, least recently used first.
   *
   * @return a snapshot
   */
  public List<Cookie> cookies() {
    Instant now = clock.instant();
    synchronized (lock) {
      return List.copyOf(store.all(now));
    }
  }

  /** Removes every cookie. */
  public void clear() {
    synchronized (lock) {
      store.clear();
    }
  }

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = store.size();
    }
    return "MemoryCookieJar{cookies=" + size + ", maxCookiesPerDomain=" + maxCookiesPerDomain
        + ", maxCookies=" + maxCookies + "}";
  }

  /**
   * Configures a {@link MemoryCookieJar}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private int maxCookiesPerDomain = DEFAULT_MAX_COOKIES_PER_DOMAIN;
    private int maxCookies = DEFAULT_MAX_COOKIES;
    private PublicSuffixList publicSuffixes;

    private Builder() {}

    /**
     * The clock for expiry, creation and last-access times; default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * How many cookies may share one domain before the least recently used is evicted; default 50.
     *
     * @param max at least 1
     * @return this
     */
    public Builder maxCookiesPerDomain(int max) {
      this.maxCookiesPerDomain = max;
      return this;
    }

    /**
     * How many cookies the jar holds before the least recently used is evicted; default 3000.
     *
     * @param max at least 1
     * @return this
     */
    public Builder maxCookies(int max) {
      this.maxCookies = max;
      return this;
    }

    /**
     * The Public Suffix List that rejects {@code Domain} cookies for registries; default
     * {@link PublicSuffixList#defaultList()}.
     *
     * @param list the list
     * @return this
     */
    public Builder publicSuffixList(PublicSuffixList list) {
      this.publicSuffixes = Objects.requireNonNull(list, "list == null");
      return this;
    }

    /**
     * Builds the jar.
     *
     * @return the jar
     * @throws IllegalArgumentException if a limit is below 1
     */
    public MemoryCookieJar build() {
      Limits.check(maxCookiesPerDomain, maxCookies);
      if (publicSuffixes == null) {
        publicSuffixes = PublicSuffixList.defaultList();
      }
      return new MemoryCookieJar(this);
    }
  }
}
