package io.stickyws.cookie;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP cookie as stored by a {@link CookieJar} (RFC 6265 §5.3).
 *
 * <p>The value is a secret: {@link #toString()} never shows it.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Cookie {
  private final String name;
  private final String value;
  private final String domain;
  private final String path;
  private final Instant expiresAt;
  private final boolean secure;
  private final boolean httpOnly;
  private final boolean hostOnly;
  private final Instant creationTime;
  private final Instant lastAccessTime;
  private final String sameSite;

  /** A cookie whose name and value together exceed this many bytes (UTF-8) is ignored. */
  public static final int MAX_NAME_VALUE_BYTES = 4096;

  /** The name prefix of RFC 6265bis for cookies that must be {@code Secure}. */
  static final String SECURE_PREFIX = "__Secure-";
  /** The name prefix of RFC 6265bis for {@code Secure}, host-only cookies with path {@code /}. */
  static final String HOST_PREFIX = "__Host-";

  /** The latest expiry stored: 9999-12-31T23:59:59Z, so that every file format can hold it. */
  static final Instant MAX_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

  private Cookie(Builder b) {
    this.name = b.name;
    this.value = b.value;
    this.domain = b.domain;
    this.path = b.path;
    this.expiresAt = b.expiresAt;
    this.secure = b.secure;
    this.httpOnly = b.httpOnly;
    this.hostOnly = b.hostOnly;
    this.creationTime = b.creationTime;
    this.lastAccessTime = b.lastAccessTime == null ? b.creationTime : b.lastAccessTime;
    this.sameSite = b.sameSite;
  }

  /**
   * Parses one {@code Set-Cookie} header value received in answer to a request to {@code uri}
   * (RFC 6265 §5.2, and the steps of §5.3 that depend only on the request: domain matching,
   * public suffixes, the size limit), with the {@code __Secure-} and {@code __Host-} name prefixes
   * of RFC 6265bis enforced as browsers do.
   *
   * @param uri the request URI; {@code ws} is treated as {@code http} and {@code wss} as
   *     {@code https}
   * @param setCookie the header value, without the {@code Set-Cookie:} name
   * @param now the time the response arrived, for {@code Max-Age} and the creation time
   * @return the cookie, or empty when the header is malformed or must be ignored
   */
  public static Optional<Cookie> parse(URI uri, String setCookie, Instant now) {
    return parse(uri, setCookie, now, PublicSuffixList.defaultList());
  }

  /**
   * Like {@link #parse(URI, String, Instant)}, with a specific Public Suffix List.
   *
   * @param uri the request URI
   * @param setCookie the header value, without the {@code Set-Cookie:} name
   * @param now the time the response arrived
   * @param publicSuffixes the list used to reject {@code Domain} attributes naming a public suffix
   * @return the cookie, or empty when the header is malformed or must be ignored
   */
  public static Optional<Cookie> parse(
      URI uri, String setCookie, Instant now, PublicSuffixList publicSuffixes) {
    Objects.requireNonNull(uri, "uri == null");
    Objects.requireNonNull(setCookie, "setCookie == null");
    Objects.requireNonNull(now, "now == null");
    Objects.requireNonNull(publicSuffixes, "publicSuffixes == null");
    if (!Hosts.isHttpScheme(uri.getScheme())) {
      return Optional.empty();
    }
    String host = Hosts.canonicalHost(uri);
    if (host == null) {
      return Optional.empty();
    }
    // §5.2 steps 1-5: the name-value-pair
    int semicolon = setCookie.indexOf(';');
    String nameValue = semicolon < 0 ? setCookie : setCookie.substring(0, semicolon);
    int eq = nameValue.indexOf('=');
    if (eq < 0) {
      return Optional.empty();
    }
    String name = trimWsp(nameValue.substring(0, eq));
    String value = trimWsp(nameValue.substring(eq + 1));
    if (name.isEmpty() || hasControl(name) || hasControl(value)) {
      return Optional.empty();
    }
    if (utf8Length(name) + utf8Length(value) > MAX_NAME_VALUE_BYTES) {
      return Optional.empty();
    }
    // §5.2 steps 6+: the attributes; the last one of each name wins
    Instant expires = null;
    Instant maxAge = null;
    String domainAttr = null;
    String pathAttr = null;
    boolean secure = false;
    boolean httpOnly = false;
    String sameSite = null;
    String rest = semicolon < 0 ? "" : setCookie.substring(semicolon + 1);
    for (String av : rest.split(";", -1)) {
      int aeq = av.indexOf('=');
      String attrName = trimWsp(aeq < 0 ? av : av.substring(0, aeq));
      String attrValue = aeq < 0 ? "" : trimWsp(av.substring(aeq + 1));
      if (attrName.equalsIgnoreCase("expires")) {
        Instant parsed = CookieDates.parse(attrValue);
        if (parsed != null) {
          expires = parsed.isAfter(MAX_EXPIRY) ? MAX_EXPIRY : parsed;
        }
      } else if (attrName.equalsIgnoreCase("max-age")) {
        Instant parsed = parseMaxAge(attrValue, now);
        if (parsed != null) {
          maxAge = parsed;
        }
      } else if (attrName.equalsIgnoreCase("domain")) {
        if (!attrValue.isEmpty()) {
          String d = attrValue.startsWith(".") ? attrValue.substring(1) : attrValue;
          domainAttr = d.toLowerCase(Locale.ROOT);
        }
      } else if (attrName.equalsIgnoreCase("path")) {
        pathAttr = attrValue.isEmpty() || attrValue.charAt(0) != '/' ? null : attrValue;
        if (pathAttr == null) {
          pathAttr = Hosts.defaultPath(uri);
        }
      } else if (attrName.equalsIgnoreCase("secure")) {
        secure = true;
      } else if (attrName.equalsIgnoreCase("httponly")) {
        httpOnly = true;
      } else if (attrName.equalsIgnoreCase("samesite")) {
        sameSite = attrValue;
      }
    }
    // §5.3 storage model, the request-dependent steps
    Instant expiresAt = maxAge != null ? maxAge : expires;
    String domain =
        domainAttr == null || domainAttr.isEmpty() ? "" : Hosts.canonicalize(domainAttr);
    if (domain == null) {
      return Optional.empty();
    }
    if (!domain.isEmpty() && publicSuffixes.isPublicSuffix(domain)) {
      if (domain.equals(host)) {
        domain = "";
      } else {
        return Optional.empty();
      }
    }
    boolean hostOnly;
    if (!domain.isEmpty()) {
      if (!Hosts.domainMatch(host, domain)) {
        return Optional.empty();
      }
      hostOnly = false;
    } else {
      hostOnly = true;
      domain = host;
    }
    // RFC 6265bis §5.7: __Host- also needs an explicit "Path=/" and no Domain attribute at all
    if (startsWithIgnoreCase(name, HOST_PREFIX) && (domainAttr != null || !"/".equals(pathAttr))) {
      return Optional.empty();
    }
    if (!prefixAllows(name, secure, hostOnly, "/", Hosts.isSecureScheme(uri.getScheme()))) {
      return Optional.empty();
    }
    return Optional.of(builder()
        .name(name)
        .value(value)
        .domain(domain)
        .hostOnly(hostOnly)
        .path(pathAttr != null ? pathAttr : Hosts.defaultPath(uri))
        .expiresAt(expiresAt)
        .secure(secure)
        .httpOnly(httpOnly)
        .sameSite(sameSite)
        .creationTime(now)
        .lastAccessTime(now)
        .build());
  }

  /**
   * Parses every {@code Set-Cookie} header value of one response, skipping those that must be
   * ignored.
   *
   * @param uri the request URI
   * @param setCookies the header values in the order received
   * @param now the time the response arrived
   * @return the cookies in the order of their headers
   */
  public static List<Cookie> parseAll(URI uri, List<String> setCookies, Instant now) {
    return parseAll(uri, setCookies, now, PublicSuffixList.defaultList());
  }

  /**
   * Like {@link #parseAll(URI, List, Instant)}, with a specific Public Suffix List.
   *
   * @param uri the request URI
   * @param setCookies the header values in the order received
   * @param now the time the response arrived
   * @param publicSuffixes the list used to reject {@code Domain} attributes naming a public suffix
   * @return the cookies in the order of their headers
   */
  public static List<Cookie> parseAll(
      URI uri, List<String> setCookies, Instant now, PublicSuffixList publicSuffixes) {
    Objects.requireNonNull(setCookies, "setCookies == null");
    List<Cookie> result = new ArrayList<>(setCookies.size());
    for (String setCookie : setCookies) {
      if (setCookie != null) {
        parse(uri, setCookie, now, publicSuffixes).ifPresent(result::add);
      }
    }
    return result;
  }

  /**
   * Formats cookies as one {@code Cookie} request header value, {@code a=1; b=2}, in the order
   * given, values byte for byte.
   *
   * @param cookies cookies in the order to send them
   * @return the header value, empty for no cookies
   */
  public static String header(List<Cookie> cookies) {
    Objects.requireNonNull(cookies, "cookies == null");
    StringBuilder sb = new StringBuilder();
    for (Cookie c : cookies) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(c.name).append('=').append(c.value);
    }
    return sb.toString();
  }

  /**
   * Whether this cookie is sent with a request to {@code uri} (domain, path and {@code Secure}
   * rules of RFC 6265 §5.4; expiry is the jar's business).
   *
   * @param uri the request URI
   * @return {@code true} if it matches
   */
  public boolean matches(URI uri) {
    Objects.requireNonNull(uri, "uri == null");
    if (!Hosts.isHttpScheme(uri.getScheme())) {
      return false;
    }
    String host = Hosts.canonicalHost(uri);
    if (host == null) {
      return false;
    }
    if (hostOnly ? !host.equals(domain) : !Hosts.domainMatch(host, domain)) {
      return false;
    }
    if (!Hosts.pathMatch(Hosts.requestPath(uri), path)) {
      return false;
    }
    return !secure || Hosts.isSecureScheme(uri.getScheme());
  }

  /**
   * Whether a jar may store this cookie as received from {@code uri}: the domain rules of RFC 6265
   * §5.3 (a host-only cookie belongs to the request host; a domain cookie's domain must
   * domain-match it and must not be a public suffix), the size and control-character limits,
   * and the {@code __Secure-}/{@code __Host-} name prefixes judged against {@code uri}'s scheme.
   */
  boolean storableFrom(URI uri, PublicSuffixList publicSuffixes) {
    if (!wellFormed()) {
      return false;
    }
    String host = Hosts.canonicalHost(uri);
    if (host == null || !Hosts.isHttpScheme(uri.getScheme())) {
      return false;
    }
    if (!prefixAllows(name, secure, hostOnly, path, Hosts.isSecureScheme(uri.getScheme()))) {
      return false;
    }
    if (hostOnly) {
      return host.equals(domain);
    }
    return Hosts.domainMatch(host, domain) && !publicSuffixes.isPublicSuffix(domain);
  }

  /**
   * Why a jar must not load this cookie read from a file, where the response that set it is not
   * known: the checks of a received cookie that do not depend on the request (size, control
   * characters, name prefixes, a {@code Domain} that is a public suffix). A file only holds
   * cookies received over a secure scheme when they are {@code Secure}, so the prefix rules take
   * the scheme as secure.
   *
   * @return the reason, without the value, or {@code null} when the cookie may be stored
   */
  String problemAsStored(PublicSuffixList publicSuffixes) {
    if (name.isEmpty()) {
      return "empty cookie name";
    }
    if (hasControl(name) || hasControl(value)) {
      return "control character in the name or value";
    }
    if (utf8Length(name) + utf8Length(value) > MAX_NAME_VALUE_BYTES) {
      return "name and value over " + MAX_NAME_VALUE_BYTES + " bytes";
    }
    if (!prefixAllows(name, secure, hostOnly, path, true)) {
      return "breaks the rules of its __Secure- or __Host- name prefix";
    }
    if (!hostOnly && publicSuffixes.isPublicSuffix(domain)) {
      return "domain is a public suffix";
    }
    return null;
  }

  /**
   * The cookie name prefixes of RFC 6265bis §4.1.3 as browsers enforce them (ASCII
   * case-insensitive): a
   * {@code __Secure-} cookie must be {@code Secure} and come over a secure scheme; a
   * {@code __Host-} cookie must also be host-only with path {@code /}.
   */
  static boolean prefixAllows(
      String name, boolean secure, boolean hostOnly, String path, boolean secureScheme) {
    if (startsWithIgnoreCase(name, SECURE_PREFIX)) {
      return secure && secureScheme;
    }
    if (startsWithIgnoreCase(name, HOST_PREFIX)) {
      return secure && secureScheme && hostOnly && "/".equals(path);
    }
    return true;
  }

  /** ASCII case-insensitive, as browsers match the prefixes. */
  private static boolean startsWithIgnoreCase(String s, String prefix) {
    if (s.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      char a = s.charAt(i);
      char b = prefix.charAt(i);
      if (a != b && toLowerAscii(a) != toLowerAscii(b)) {
        return false;
      }
    }
    return true;
  }

  private static char toLowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  private static Instant parseMaxAge(String v, Instant now) {
    if (v.isEmpty()) {
      return null;
    }
    char first = v.charAt(0);
    if (!(first == '-' || (first >= '0' && first <= '9'))) {
      return null;
    }
    for (int i = 1; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return null;
      }
    }
    if (first == '-') {
      return v.length() == 1 ? null : Instant.EPOCH; // "earliest representable time"
    }
    long seconds;
    try {
      seconds = Long.parseLong(v);
    } catch (NumberFormatException e) {
      seconds = Long.MAX_VALUE; // too many digits: latest representable time
    }
    if (seconds <= 0) {
      return Instant.EPOCH;
    }
    long cap = MAX_EXPIRY.getEpochSecond() - now.getEpochSecond();
    return seconds >= cap ? MAX_EXPIRY : now.plusSeconds(seconds);
  }

  private static String trimWsp(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Whether name and value could have come from a valid {@code Set-Cookie}: no control
   * characters, at most {@link #MAX_NAME_VALUE_BYTES} bytes. Guards the jar against cookies built
   * by hand or read from a tampered file, which would otherwise reach the {@code Cookie} header.
   */
  boolean wellFormed() {
    return !name.isEmpty() && !hasControl(name) && !hasControl(value)
        && utf8Length(name) + utf8Length(value) <= MAX_NAME_VALUE_BYTES;
  }

  /** The length of {@code s} in UTF-8, without encoding it (a lone surrogate is the one byte "?"). */
  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return bytes;
  }

  /** Control characters other than TAB (RFC 6265bis §5.6 step 2 ignores such cookies). */
  static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this cookie has expired at {@code now}. Session cookies never expire by time here.
   *
   * @param now the current time
   * @return {@code true} if expired
   */
  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  /**
   * A new builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this cookie's fields.
   *
   * @return a builder initialized from this cookie
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** @return the cookie name */
  public String name() {
    return name;
  }

  /** @return the cookie value, sent back byte for byte; a secret */
  public String value() {
    return value;
  }

  /** @return the domain, lower case, without a leading dot */
  public String domain() {
    return domain;
  }

  /** @return the path, starting with {@code /} */
  public String path() {
    return path;
  }

  /** @return when the cookie expires, or empty for a session cookie */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /** @return {@code true} for a cookie with an expiry time ({@code Max-Age} or {@code Expires}) */
  public boolean persistent() {
    return expiresAt != null;
  }

  /** @return {@code true} if sent only over {@code https}/{@code wss} */
  public boolean secure() {
    return secure;
  }

  /** @return {@code true} if the server marked it {@code HttpOnly} (it is sent all the same) */
  public boolean httpOnly() {
    return httpOnly;
  }

  /** @return {@code true} if the cookie had no {@code Domain} attribute and matches its host only */
  public boolean hostOnly() {
    return hostOnly;
  }

  /** @return when the cookie was first stored (kept when it is replaced) */
  public Instant creationTime() {
    return creationTime;
  }

  /** @return when the cookie was last sent or stored */
  public Instant lastAccessTime() {
    return lastAccessTime;
  }

  /** @return the {@code SameSite} attribute as received, or empty */
  public Optional<String> sameSite() {
    return Optional.ofNullable(sameSite);
  }

  /** Two cookies are equal when every field, the value included, is equal. */
  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Cookie)) {
      return false;
    }
    Cookie that = (Cookie) other;
    return secure == that.secure
        && httpOnly == that.httpOnly
        && hostOnly == that.hostOnly
        && name.equals(that.name)
        && value.equals(that.value)
        && domain.equals(that.domain)
        && path.equals(that.path)
        && Objects.equals(expiresAt, that.expiresAt)
        && Objects.equals(creationTime, that.creationTime)
        && Objects.equals(lastAccessTime, that.lastAccessTime)
        && Objects.equals(sameSite, that.sameSite);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, value, domain, path, expiresAt, secure, httpOnly, hostOnly);
  }

  /** Shows everything but the value, which is a secret. */
  @Override
  public String toString() {
    return "Cookie{name=" + name + ", value=<" + value.length() + " chars>, domain=" + domain
        + ", path=" + path + (hostOnly ? ", hostOnly" : "")
        + ", expiresAt=" + (expiresAt == null ? "session" : expiresAt.toString())
        + (secure ? ", secure" : "") + (httpOnly ? ", httpOnly" : "") + "}";
  }

  /**
   * Builds a {@link Cookie}. {@code name}, {@code value}, {@code domain} are required.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private String name;
    private String value;
    private String domain;
    private String path = "/";
    private Instant expiresAt;
    private boolean secure;
    private boolean httpOnly;
    private boolean hostOnly;
    private Instant creationTime = Instant.EPOCH;
    private Instant lastAccessTime;
    private String sameSite;

    private Builder() {}

    private Builder(Cookie c) {
      name = c.name;
      value = c.value;
      domain = c.domain;
      path = c.path;
      expiresAt = c.expiresAt;
      secure = c.secure;
      httpOnly = c.httpOnly;
      hostOnly = c.hostOnly;
      creationTime = c.creationTime;
      lastAccessTime = c.lastAccessTime;
      sameSite = c.sameSite;
    }

    /**
     * Sets the name.
     *
     * @param name the name
     * @return this
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets the value.
     *
     * @param value the value, kept byte for byte
     * @return this
     */
    public Builder value(String value) {
      this.value = value;
      return this;
    }

    /**
     * Sets the domain.
     *
     * @param domain the domain, without a leading dot
     * @return this
     */
    public Builder domain(String domain) {
      this.domain = domain;
      return this;
    }

    /**
     * Sets the path.
     *
     * @param path the path, starting with {@code /}
     * @return this
     */
    public Builder path(String path) {
      this.path = path;
      return this;
    }

    /**
     * Sets the expiresAt.
     *
     * @param expiresAt when it expires, or {@code null} for a session cookie
     * @return this
     */
    public Builder expiresAt(Instant expiresAt) {
      this.expiresAt = expiresAt;
      return this;
    }

    /**
     * Sets the secure.
     *
     * @param secure sent only over https/wss
     * @return this
     */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    /**
     * Sets the httpOnly.
     *
     * @param httpOnly the HttpOnly attribute
     * @return this
     */
    public Builder httpOnly(boolean httpOnly) {
      this.httpOnly = httpOnly;
      return this;
    }

    /**
     * Sets the hostOnly.
     *
     * @param hostOnly matches only its own host
     * @return this
     */
    public Builder hostOnly(boolean hostOnly) {
      this.hostOnly = hostOnly;
      return this;
    }

    /**
     * Sets the creationTime.
     *
     * @param creationTime when first stored
     * @return this
     */
    public Builder creationTime(Instant creationTime) {
      this.creationTime = creationTime;
      return this;
    }

    /**
     * Sets the lastAccessTime.
     *
     * @param lastAccessTime when last sent or stored
     * @return this
     */
    public Builder lastAccessTime(Instant lastAccessTime) {
      this.lastAccessTime = lastAccessTime;
      return this;
    }

    /**
     * Sets the sameSite.
     *
     * @param sameSite the SameSite attribute, or {@code null}
     * @return this
     */
    public Builder sameSite(String sameSite) {
      this.sameSite = sameSite;
      return this;
    }

    /**
     * Builds the cookie.
     *
     * @return the cookie
     * @throws NullPointerException if name, value, domain or path is missing
     * @throws IllegalArgumentException if the path does not start with {@code /}
     */
    public Cookie build() {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(value, "value == null");
      Objects.requireNonNull(domain, "domain == null");
      Objects.requireNonNull(path, "path == null");
      Objects.requireNonNull(creationTime, "creationTime == null");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path (" + path + ") must start with /");
      }
      return new Cookie(this);
    }
  }
}
