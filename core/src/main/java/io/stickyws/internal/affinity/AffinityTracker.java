package io.stickyws.internal.affinity;

import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.KnownBalancers;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.Cookie;
import io.stickyws.spi.HandshakeResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the affinity token of one reconnecting connection: adds it to every handshake, reads it
 * back from every completed handshake, tells whether the connection landed on the same backend,
 * and drops it when its backend looks gone.
 *
 * <p>The token of an open is, in this order: an affinity cookie recognised by name that the
 * handshake response set (the balancer issued or re-issued it); one the handshake sent (the
 * balancer kept the client where it was and set nothing, as HAProxy's {@code insert indirect}
 * does); a captured response header; the fixed request header or query parameter; and, when
 * {@link AffinityRules#valueShapes()} is on, a cookie recognised by value shape (set, then sent)
 * and last a response header recognised by value shape. Among cookies recognised by name, names
 * the application configured come first, then built-in names whose value names a backend, then
 * the rotating opaque ones (AWS). A response header recognised by value shape is remembered and
 * replayed under its own name, like a captured one.
 *
 * <p>An open is {@link SameBackend#SAME} or {@link SameBackend#CHANGED} against the affinity cookie
 * the handshake sent, when it sent one (the jar's after a restart, or on a new connection of the
 * session): honoured (nothing replaced it) is SAME, replaced by a cookie naming another backend is
 * CHANGED, from the token sent. When none was sent, the open is compared with the last known token;
 * {@link SameBackend#UNKNOWN} when there is nothing comparable on either side.
 *
 * <p>Dropping forgets everything that steers towards the old backend: the held cookie (returned so
 * that the engine expires it in the jar), the captured response headers, and the fixed header and
 * query parameter, which are no longer sent by this tracker. The last known token is kept, so that
 * the next open on another backend reports {@link SameBackend#CHANGED}.
 *
 * <p>Not thread-safe: the engine serializes the calls of one connection.
 */
public final class AffinityTracker {
  private static final Logger log = LoggerFactory.getLogger(AffinityTracker.class);
  /**
   * Response headers never replayed as request headers (lower case): cookies, and the headers the
   * handshake or HTTP/1.1 itself manages, which the JDK client refuses to set.
   */
  private static final Set<String> NOT_REPLAYABLE = Set.of("set-cookie", "set-cookie2", "cookie",
      "host", "connection", "upgrade", "content-length", "transfer-encoding", "expect",
      "keep-alive", "proxy-connection", "te", "trailer");

  private final AffinityRules rules;
  /** The configured response header names, lower case: not discovered by value shape. */
  private final Set<String> configuredResponseHeaders;
  /** Response header name (as configured) to the value last captured. */
  private final Map<String, String> captured = new LinkedHashMap<>();
  /** Response headers recognised by value shape (Envoy), name as received to the last value. */
  private final Map<String, String> discovered = new LinkedHashMap<>();
  private AffinityToken held;
  private Cookie heldCookie;
  private AffinityToken lastKnown;
  private boolean fixedSuppressed;
  private int failures;
  private Cookie droppedCookie;
  /**
   * The affinity cookie last dropped because its backend failed (name and value): a balancer that
   * pins the client to it again (a random pick set on an error response) is not trusted twice.
   */
  private Cookie failedCookie;

  /**
   * Creates a tracker holding no token.
   *
   * @param rules the affinity rules
   */
  public AffinityTracker(AffinityRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules == null");
    Set<String> configured = new HashSet<>();
    rules.responseHeaders().keySet().forEach(n -> configured.add(n.toLowerCase(Locale.ROOT)));
    this.configuredResponseHeaders = Set.copyOf(configured);
  }

  /**
   * Adds the fixed query parameters, percent-encoded, to the handshake URI. The existing query is
   * kept, except parameters of the same names, which are replaced.
   *
   * @param uri the handshake URI
   * @return the URI to connect to; {@code uri} itself when there is nothing to add
   */
  public URI applyToUri(URI uri) {
    Objects.requireNonNull(uri, "uri == null");
    Map<String, String> params = rules.queryParameters();
    if (fixedSuppressed || params.isEmpty() || uri.isOpaque()) {
      return uri;
    }
    StringBuilder query = new StringBuilder();
    String rawQuery = uri.getRawQuery();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String part : rawQuery.split("&", -1)) {
        int eq = part.indexOf('=');
        String rawName = eq < 0 ? part : part.substring(0, eq);
        String decoded = percentDecode(rawName);
        if (params.containsKey(rawName) || (decoded != null && params.containsKey(decoded))) {
          continue;
        }
        if (query.length() > 0) {
          query.append('&');
        }
        query.append(part);
      }
    }
    params.forEach((name, id) -> {
      if (query.length() > 0) {
        query.append('&');
      }
      query.append(percentEncode(name)).append('=').append(percentEncode(id));
    });
    StringBuilder out = new StringBuilder();
    if (uri.getScheme() != null) {
      out.append(uri.getScheme()).append(':');
    }
    if (uri.getRawAuthority() != null) {
      out.append("//").append(uri.getRawAuthority());
    }
    if (uri.getRawPath() != null) {
      out.append(uri.getRawPath());
    }
    out.append('?').append(query);
    if (uri.getRawFragment() != null) {
      out.append('#').append(uri.getRawFragment());
    }
    log.trace("affinity query parameters {} added", params.keySet());
    return URI.create(out.toString());
  }

  /**
   * Sets the fixed request headers and replays the captured response headers, replacing headers
   * of the same names (ignoring case).
   *
   * @param headers the handshake request headers, modified in place
   */
  public void applyToHeaders(Map<String, List<String>> headers) {
    Objects.requireNonNull(headers, "headers == null");
    captured.forEach((responseName, value) ->
        setHeader(headers, rules.responseHeaders().get(responseName), value));
    discovered.forEach((name, value) -> setHeader(headers, name, value));
    if (!fixedSuppressed) {
      rules.requestHeaders().forEach((name, id) -> setHeader(headers, name, id));
    }
  }

  /**
   * Adds the held affinity cookie to the cookies the jar chose for a handshake when the jar has
   * no cookie of that name, so that the token survives a cleared or unpersisted jar.
   *
   * @param fromJar the cookies the jar would send
   * @return a new list: {@code fromJar}, followed by the held cookie if it was missing
   */
  public List<Cookie> applyToCookies(List<Cookie> fromJar) {
    Objects.requireNonNull(fromJar, "fromJar == null");
    List<Cookie> out = new ArrayList<>(fromJar);
    if (heldCookie != null) {
      String name = heldCookie.name();
      if (fromJar.stream().noneMatch(c -> c.name().equals(name))) {
        out.add(heldCookie);
        log.trace("affinity cookie {} restored to the handshake", name);
      }
    }
    return out;
  }

  /**
   * Reads the token of a completed handshake and compares it with the last known one. Resets the
   * count of consecutive failures.
   *
   * @param response the handshake response (status 101)
   * @param received the cookies set by this response, as accepted by the jar
   * @param sent the cookies sent with this handshake
   * @return the token now held and whether the backend is the same
   */
  public Opened onOpen(HandshakeResponse response, List<Cookie> received, List<Cookie> sent) {
    Objects.requireNonNull(response, "response == null");
    Objects.requireNonNull(received, "received == null");
    Objects.requireNonNull(sent, "sent == null");
    failures = 0;
    failedCookie = null;

    List<Cookie> live = received;
    List<Cookie> kept = sent;
    if (!received.isEmpty()) { // most 101s set no cookie: nothing to sort out
      Set<String> deleted = new HashSet<>();
      live = new ArrayList<>();
      for (Cookie c : received) {
        if (isDeletion(c)) {
          deleted.add(c.name());
        } else {
          live.add(c);
        }
      }
      kept = new ArrayList<>();
      for (Cookie c : sent) {
        if (!deleted.contains(c.name())) {
          kept.add(c);
        }
      }
    }
    Candidate candidate = pickByName(live);
    if (candidate == null) {
      candidate = pickByName(kept);
    }
    for (String name : rules.responseHeaders().keySet()) {
      response.header(name).filter(v -> !v.isBlank()).ifPresent(v -> captured.put(name, v));
    }
    if (rules.valueShapes()) {
      discoverHeaders(response);
    }

    AffinityToken now = candidate != null ? candidate.token : headerToken();
    heldCookie = candidate != null ? candidate.cookie : null;
    if (now == null && rules.valueShapes()) {
      Candidate shaped = pickByShape(live);
      if (shaped == null) {
        shaped = pickByShape(kept);
      }
      if (shaped != null) {
        now = shaped.token;
        heldCookie = shaped.cookie;
      } else {
        now = discoveredToken();
      }
    }

    // Compared with the last token this connection knew: the backend its state lives on, even when
    // the session's shared jar sent another connection's cookie. A connection that knew none (a new
    // connection of the session, a new process) is compared with the affinity cookie it sent.
    Candidate sentCandidate = lastKnown != null ? null : pick(sent);
    AffinityToken before = sentCandidate != null ? sentCandidate.token : lastKnown;
    SameBackend same = SameBackend.UNKNOWN;
    AffinityToken changedFrom = null;
    if (now != null && before != null) {
      if (now.sameBackendAs(before)) {
        same = SameBackend.SAME;
      } else if (comparable(now, before) && !rotating(now) && !rotating(before)) {
        same = SameBackend.CHANGED;
        changedFrom = before;
      }
    }
    held = now;
    if (now != null) {
      lastKnown = now;
    }
    if (same == SameBackend.CHANGED) {
      log.debug("affinity moved from {} to {}", changedFrom, now);
    } else {
      log.debug("affinity token {} on open: {}", now, same);
    }
    return new Opened(now, same, changedFrom);
  }

  /**
   * Counts a handshake that failed (no 101) while a token is held; drops the token when the count
   * reaches {@link AffinityRules#dropAfterFailures()}. A failure without a held token does not
   * count. The cookie of a token dropped here is available once from {@link #takeDroppedCookie()}.
   *
   * @return {@code true} if the token was dropped by this call
   */
  public boolean onAttemptFailed() {
    return onAttemptFailed(List.of());
  }

  /**
   * Counts a failed handshake like {@link #onAttemptFailed()}; when no token is held but the
   * handshake sent an affinity cookie from the jar (one a balancer set on an error response, or one
   * that came back after a drop), that cookie becomes the held token first, so a jar that keeps
   * pinning the client to a dead backend is dropped too.
   *
   * @param sent the cookies sent with the failed handshake
   * @return {@code true} if the token was dropped by this call
   */
  public boolean onAttemptFailed(List<Cookie> sent) {
    Objects.requireNonNull(sent, "sent == null");
    if (held == null) {
      Candidate candidate = pick(sent);
      if (candidate == null) {
        return false;
      }
      held = candidate.token;
      heldCookie = candidate.cookie;
      if (sameCookie(candidate.cookie, failedCookie)) {
        // the balancer pinned the backend dropped a moment ago again: it is still failing
        log.debug("affinity token {} pins a backend dropped before; dropped again", held);
        failures = rules.dropAfterFailures() - 1;
      }
    }
    failures++;
    if (failures < rules.dropAfterFailures()) {
      log.debug("handshake failed while holding {} ({} of {})", held, failures,
          rules.dropAfterFailures());
      return false;
    }
    log.debug("affinity token {} dropped after {} failed handshakes", held, failures);
    droppedCookie = drop().orElse(null);
    failedCookie = droppedCookie;
    return true;
  }

  /**
   * Drops the held token when the connection closed with one of
   * {@link AffinityRules#dropOnCloseCodes()}. The cookie of a token dropped here is available
   * once from {@link #takeDroppedCookie()}.
   *
   * @param closeCode the close code received or reported
   * @return {@code true} if a token was held and dropped by this call
   */
  public boolean onConnectionClosed(int closeCode) {
    if (held == null || !rules.dropOnCloseCodes().contains(closeCode)) {
      return false;
    }
    log.debug("affinity token {} dropped on close code {}", held, closeCode);
    droppedCookie = drop().orElse(null);
    return true;
  }

  /**
   * The cookie of the token last dropped by {@link #onAttemptFailed()} or
   * {@link #onConnectionClosed(int)}, returned once, so that the engine expires it in the jar.
   *
   * @return the cookie, or empty when none is pending
   */
  public Optional<Cookie> takeDroppedCookie() {
    Cookie c = droppedCookie;
    droppedCookie = null;
    return Optional.ofNullable(c);
  }

  /**
   * The cookies among {@code cookies} that carry an affinity token by these rules: by name, and by
   * value shape when {@link AffinityRules#valueShapes()} is on.
   *
   * @param cookies cookies, for example the jar's for a URI
   * @return those that are affinity cookies, in their order
   */
  public List<Cookie> affinityCookies(List<Cookie> cookies) {
    Objects.requireNonNull(cookies, "cookies == null");
    List<Cookie> out = new ArrayList<>();
    for (Cookie c : cookies) {
      if (pick(List.of(c)) != null) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The token held now.
   *
   * @return the token, empty before the first open with a token and after a drop
   */
  public Optional<AffinityToken> token() {
    return Optional.ofNullable(held);
  }

  /**
   * Forgets the held token and everything that steers towards its backend: the held cookie, the
   * captured response headers, and the fixed header and query parameter (no longer sent). The
   * token stays the last known one, for comparison with the next open.
   *
   * @return the held cookie if the token was a cookie, for the engine to expire in the jar
   */
  public Optional<Cookie> drop() {
    Cookie cookie = heldCookie;
    if (held != null) {
      fixedSuppressed = true;
    }
    held = null;
    heldCookie = null;
    captured.clear();
    discovered.clear();
    failures = 0;
    return Optional.ofNullable(cookie);
  }

  private AffinityToken headerToken() {
    if (!captured.isEmpty()) {
      Map.Entry<String, String> first = captured.entrySet().iterator().next();
      return AffinityToken.ofValue(first.getKey(), AffinityToken.Source.RESPONSE_HEADER,
          first.getValue()).orElseGet(() -> fixedToken(captured,
          AffinityToken.Source.RESPONSE_HEADER));
    }
    if (fixedSuppressed) {
      return null;
    }
    if (!rules.requestHeaders().isEmpty()) {
      return fixedToken(rules.requestHeaders(), AffinityToken.Source.REQUEST_HEADER);
    }
    if (!rules.queryParameters().isEmpty()) {
      return fixedToken(rules.queryParameters(), AffinityToken.Source.QUERY_PARAMETER);
    }
    return null;
  }

  /** The first response header recognised by value shape, or {@code null}. */
  private AffinityToken discoveredToken() {
    for (Map.Entry<String, String> e : discovered.entrySet()) {
      Optional<AffinityToken> token =
          AffinityToken.ofValue(e.getKey(), AffinityToken.Source.RESPONSE_HEADER, e.getValue());
      if (token.isPresent()) {
        return token.get();
      }
    }
    return null;
  }

  /**
   * Remembers the headers of a 101 whose value has an Envoy shape, except configured ones and those
   * the handshake itself manages. Envoy sets its header only when it picks another host, so a
   * header absent from a later 101 keeps its last value.
   */
  private void discoverHeaders(HandshakeResponse response) {
    response.headers().forEach((name, values) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (values.isEmpty() || NOT_REPLAYABLE.contains(lower) || lower.startsWith("sec-websocket-")
          || configuredResponseHeaders.contains(lower)) {
        return;
      }
      String value = values.get(0);
      if (KnownBalancers.balancerOfValue(value).isPresent()) {
        discovered.keySet().removeIf(name::equalsIgnoreCase);
        discovered.put(name, value);
        log.trace("affinity header {} recognised by value shape", name);
      }
    });
  }

  /** A token from the first entry of a non-empty name-to-value map; the whole value is the id. */
  private static AffinityToken fixedToken(Map<String, String> values, AffinityToken.Source source) {
    Map.Entry<String, String> first = values.entrySet().iterator().next();
    return AffinityToken.builder().name(first.getKey()).source(source).value(first.getValue())
        .build();
  }

  /** A cookie and the token it carries. */
  private static boolean sameCookie(Cookie a, Cookie b) {
    return a != null && b != null && a.name().equals(b.name()) && a.value().equals(b.value());
  }

  private static final class Candidate {
    final Cookie cookie;
    final AffinityToken token;

    Candidate(Cookie cookie, AffinityToken token) {
      this.cookie = cookie;
      this.token = token;
    }
  }

  /** By name, then (when value shapes are on) by value shape. */
  private Candidate pick(List<Cookie> cookies) {
    Candidate byName = pickByName(cookies);
    return byName != null || !rules.valueShapes() ? byName : pickByShape(cookies);
  }

  /** The first non-empty cookie whose value has an Envoy shape, whatever its name. */
  private static Candidate pickByShape(List<Cookie> cookies) {
    for (Cookie c : cookies) {
      Optional<AffinityToken> token =
          AffinityToken.ofValue(c.name(), AffinityToken.Source.COOKIE, c.value());
      if (token.isPresent()) {
        return new Candidate(c, token.get());
      }
    }
    return null;
  }

  /** Configured names first, in their order; then built-in definite ones; then rotating ones. */
  private Candidate pickByName(List<Cookie> cookies) {
    for (String name : rules.cookies()) {
      for (Cookie c : cookies) {
        if (c.name().equals(name) && !c.value().isEmpty()) {
          return new Candidate(c, configuredToken(c));
        }
      }
    }
    if (!rules.builtInCookies()) {
      return null;
    }
    Candidate rotating = null;
    for (Cookie c : cookies) {
      Optional<AffinityToken> token = AffinityToken.ofCookie(c.name(), c.value());
      if (token.isEmpty()) {
        continue;
      }
      Candidate candidate = new Candidate(c, token.get());
      if (!rotating(token.get())) {
        return candidate;
      }
      if (rotating == null) {
        rotating = candidate;
      }
    }
    return rotating;
  }

  /**
   * A configured name: read as built in when the value allows, else as Envoy's when it has the
   * shape, else the whole value.
   */
  private static AffinityToken configuredToken(Cookie c) {
    return AffinityToken.ofCookie(c.name(), c.value())
        .or(() -> AffinityToken.ofValue(c.name(), AffinityToken.Source.COOKIE, c.value()))
        .orElseGet(() -> AffinityToken.builder()
        .name(c.name())
        .source(AffinityToken.Source.COOKIE)
        .value(c.value())
        .build());
  }

  /** A cookie that expires no later than it was created is the server deleting it. */
  private static boolean isDeletion(Cookie c) {
    return c.value().isEmpty()
        || c.expiresAt().map(at -> !at.isAfter(c.creationTime())).orElse(false);
  }

  private static boolean comparable(AffinityToken a, AffinityToken b) {
    if (a.source() != b.source()) {
      return false;
    }
    boolean header = a.source() == AffinityToken.Source.RESPONSE_HEADER
        || a.source() == AffinityToken.Source.REQUEST_HEADER;
    return header ? a.name().equalsIgnoreCase(b.name()) : a.name().equals(b.name());
  }

  private static boolean rotating(AffinityToken token) {
    return token.source() == AffinityToken.Source.COOKIE && KnownBalancers.rotates(token.name());
  }

  private static void setHeader(Map<String, List<String>> headers, String name, String value) {
    headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
    List<String> values = new ArrayList<>(1);
    values.add(value);
    headers.put(name, values);
  }

  private static String percentEncode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Decodes %XX escapes as UTF-8; {@code null} when malformed. */
  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] bytes = new byte[s.length()];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes[n++] = (byte) ((hi << 4) | lo);
        i += 2;
      } else if (c < 0x80) {
        bytes[n++] = (byte) c;
      } else {
        return null;
      }
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  /**
   * What one completed handshake showed about affinity.
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class Opened {
    private final AffinityToken token;
    private final SameBackend sameBackend;
    private final AffinityToken changedFrom;

    Opened(AffinityToken token, SameBackend sameBackend, AffinityToken changedFrom) {
      this.token = token;
      this.sameBackend = sameBackend;
      this.changedFrom = changedFrom;
    }

    /**
     * The token of this connection.
     *
     * @return the token, or empty when the handshake carried none
     */
    public Optional<AffinityToken> token() {
      return Optional.ofNullable(token);
    }

    /**
     * Whether this connection reached the same backend as the last known token.
     *
     * @return the verdict
     */
    public SameBackend sameBackend() {
      return sameBackend;
    }

    /**
     * The last known token, naming the backend this connection moved away from.
     *
     * @return present if and only if {@link #sameBackend()} is {@link SameBackend#CHANGED}
     */
    public Optional<AffinityToken> changedFrom() {
      return Optional.ofNullable(changedFrom);
    }

    /** Shows tokens by fingerprint only. */
    @Override
    public String toString() {
      return "Opened{token=" + token + ", sameBackend=" + sameBackend
          + (changedFrom == null ? "" : ", changedFrom=" + changedFrom) + "}";
    }
  }
}
