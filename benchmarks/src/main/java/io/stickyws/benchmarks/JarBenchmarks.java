package io.stickyws.benchmarks;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.MemoryCookieJar;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmarks of the {@code jar} benchmark: the {@code Cookie} header for one request (20
 * matching cookies among 2000 over 100 sites) and the parsing of one {@code Set-Cookie}, by the
 * stickyws jar, {@link CookieManager} and OkHttp ({@code Cookie.parse} + {@code matches} over a list,
 * OkHttp having no cookie store of its own).
 *
 * <p>JMH state: one instance per benchmark thread group, as JMH manages it.
 */
@State(Scope.Benchmark)
public class JarBenchmarks {
  static final int SITES = 100;
  static final int PER_SITE = 20;
  static final String SET_COOKIE =
      "SERVERID=s1-0123456789abcdef; Path=/; Domain=site42.com; Max-Age=3600; Secure; HttpOnly;"
          + " SameSite=Lax";

  private final URI uri = URI.create("https://api.site42.com/ws/chat");
  private final HttpUrl url = HttpUrl.get("https://api.site42.com/ws/chat");
  private final Instant now = Instant.now();
  private MemoryCookieJar sticky;
  private CookieManager manager;
  private List<okhttp3.Cookie> okhttp;

  /** Fills the three stores with the same 2000 cookies. */
  @Setup
  public void fill() throws Exception {
    sticky = MemoryCookieJar.create();
    manager = new CookieManager();
    okhttp = new ArrayList<>();
    for (int site = 0; site < SITES; site++) {
      URI siteUri = URI.create("https://api.site" + site + ".com/");
      HttpUrl siteUrl = HttpUrl.get(siteUri.toString());
      List<String> headers = new ArrayList<>();
      for (int i = 0; i < PER_SITE; i++) {
        headers.add("c" + i + "=value-" + site + "-" + i + "; Path=/; Max-Age=86400");
      }
      sticky.receive(siteUri, headers);
      manager.put(siteUri, Map.of("Set-Cookie", headers));
      for (String h : headers) {
        okhttp.add(okhttp3.Cookie.parse(siteUrl, h));
      }
    }
    String header = stickyCookieHeader();
    if (header == null || header.split("; ").length != PER_SITE) {
      throw new IllegalStateException("stickyws jar matched " + header);
    }
    // CookieManager formats Max-Age cookies the RFC 2965 way ($Version, $Path): count values
    if (cookieManagerCookieHeader().split("value-42-", -1).length != PER_SITE + 1
        || okhttpCookieHeader().split("; ").length != PER_SITE) {
      throw new IllegalStateException("reference stores do not match 20 cookies");
    }
  }

  /** stickyws: the header for a request. */
  @Benchmark
  public String stickyCookieHeader() {
    return sticky.cookieHeader(uri);
  }

  /** java.net.CookieManager: the header for a request. */
  @Benchmark
  public String cookieManagerCookieHeader() throws Exception {
    List<String> values = manager.get(uri, Map.of()).get("Cookie");
    return values == null || values.isEmpty() ? null : String.join("; ", values);
  }

  /** OkHttp: every cookie's {@code matches}, then the header. */
  @Benchmark
  public String okhttpCookieHeader() {
    StringBuilder sb = new StringBuilder();
    for (okhttp3.Cookie c : okhttp) {
      if (c.matches(url)) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append(c.name()).append('=').append(c.value());
      }
    }
    return sb.toString();
  }

  /** stickyws: one Set-Cookie. */
  @Benchmark
  public Object stickySetCookieParse() {
    return Cookie.parse(uri, SET_COOKIE, now);
  }

  /** java.net: one Set-Cookie ({@link HttpCookie#parse}, what CookieManager uses). */
  @Benchmark
  public Object cookieManagerSetCookieParse() {
    return HttpCookie.parse(SET_COOKIE);
  }

  /** OkHttp: one Set-Cookie. */
  @Benchmark
  public Object okhttpSetCookieParse() {
    return okhttp3.Cookie.parse(url, SET_COOKIE);
  }
}
