package io.stickyws.affinity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which cookie or header carries the balancer's affinity token, and when to give it up.
 *
 * <p>By default the cookies of {@link KnownBalancers} are recognised, a token is dropped after 3
 * consecutive failed handshakes, and when the server closes with 1001 (going away), 1012 (service
 * restart) or 1013 (try again later). Cookie names the application adds are checked before the
 * built-in ones. A balancer that routes on a response header ({@link Builder#responseHeader}) or
 * on a backend id the application knows ({@link Builder#requestHeader},
 * {@link Builder#queryParameter}) is configured here too.
 *
 * <p><b>Recognition by value.</b> Envoy's stateful session, the session persistence of Gateway API
 * implementations, sets a cookie (or a response header) under a name the operator chooses, whose
 * value encodes the upstream address. With {@link #valueShapes()} on (the default), a cookie set or
 * sent with the handshake, or a header of the 101, whose value has that shape is an affinity token
 * whatever its name, and its decoded address is the backend compared for
 * {@link SameBackend#SAME}/{@link SameBackend#CHANGED}; a header recognised this way is replayed on
 * later handshakes under its own name. See
 * {@link AffinityToken#ofValue(String, AffinityToken.Source, String)} for the formats.
 *
 * <p><b>Which token wins.</b> The first of these that the handshake carries is the token:
 *
 * <ol>
 *   <li>a cookie the application named ({@link Builder#cookie}), in the order given;
 *   <li>a built-in cookie of {@link KnownBalancers} whose value names a backend;
 *   <li>a built-in cookie with rotating opaque values (AWS);
 *   <li>a captured response header ({@link Builder#responseHeader});
 *   <li>the fixed request header, then the fixed query parameter;
 *   <li>a cookie recognised by value shape only;
 *   <li>a response header recognised by value shape only.
 * </ol>
 *
 * <p>For each cookie step, cookies the handshake response set come before cookies the handshake
 * sent (a balancer that keeps the client where it was may set nothing), and among equals the first
 * in order wins. A value shape that matches by accident (an ordinary cookie that happens to be
 * base64 of an address) therefore never wins over anything recognised by name or configured; turn
 * the recognition off with {@link Builder#valueShapes(boolean) valueShapes(false)} when even that
 * is unwanted. A cookie or header the application names is read as Envoy's whenever its value has
 * the shape, whether value shapes are on or off: naming it is not recognition by accident.
 *
 * <p>Backend ids given to {@link Builder#requestHeader} and {@link Builder#queryParameter} are
 * secrets: {@link #toString()} shows their names only.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AffinityRules {
  private static final Set<String> MANAGED_REQUEST_HEADERS = Set.of(
      "cookie", "host", "connection", "upgrade", "content-length", "transfer-encoding");
  private static final AffinityRules DEFAULTS = builder().build();

  private final List<String> cookies;
  private final boolean builtInCookies;
  private final boolean valueShapes;
  private final Map<String, String> responseHeaders;
  private final Map<String, String> requestHeaders;
  private final Map<String, String> queryParameters;
  private final int dropAfterFailures;
  private final Set<Integer> dropOnCloseCodes;

  private AffinityRules(
      List<String> cookies,
      boolean builtInCookies,
      boolean valueShapes,
      Map<String, String> responseHeaders,
      Map<String, String> requestHeaders,
      Map<String, String> queryParameters,
      int dropAfterFailures,
      Set<Integer> dropOnCloseCodes) {
    this.cookies = cookies;
    this.builtInCookies = builtInCookies;
    this.valueShapes = valueShapes;
    this.responseHeaders = responseHeaders;
    this.requestHeaders = requestHeaders;
    this.queryParameters = queryParameters;
    this.dropAfterFailures = dropAfterFailures;
    this.dropOnCloseCodes = dropOnCloseCodes;
  }

  /**
   * The default rules: built-in cookies, drop after 3 failures and on close codes 1001, 1012,
   * 1013.
   *
   * @return the default rules
   */
  public static AffinityRules defaults() {
    return DEFAULTS;
  }

  /**
   * A new builder with the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding these rules.
   *
   * @return a builder initialized from these rules
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Cookie names the application names as affinity tokens, checked before the built-in ones.
   *
   * @return the names in the order given, without duplicates
   */
  public List<String> cookies() {
    return cookies;
  }

  /**
   * Whether the cookies of {@link KnownBalancers} are recognised.
   *
   * @return {@code true} by default
   */
  public boolean builtInCookies() {
    return builtInCookies;
  }

  /**
   * Whether cookies and response headers are recognised by the shape of their value (Envoy's
   * stateful session), whatever their name. Such a token never wins over one recognised by name;
   * see the class comment. Like any affinity cookie, a cookie recognised this way is expired in the
   * jar when the token is dropped ({@link #dropAfterFailures()}, {@link #dropOnCloseCodes()}): turn
   * value shapes off if an application cookie of yours could look like base64 of an IP address and
   * port.
   *
   * @return {@code true} by default
   */
  public boolean valueShapes() {
    return valueShapes;
  }

  /**
   * Response headers captured from the handshake response, mapped to the request header name that
   * replays them.
   *
   * @return response header name to request header name, in the order given
   */
  public Map<String, String> responseHeaders() {
    return responseHeaders;
  }

  /**
   * Request headers sent on every handshake with a backend id the application supplied. The ids
   * are secrets.
   *
   * @return header name to backend id, in the order given
   */
  public Map<String, String> requestHeaders() {
    return requestHeaders;
  }

  /**
   * Query parameters added to every handshake URI with a backend id the application supplied. The
   * ids are secrets.
   *
   * @return parameter name to backend id, in the order given
   */
  public Map<String, String> queryParameters() {
    return queryParameters;
  }

  /**
   * How many consecutive failed handshakes, while a token is held, drop the token. Counted are
   * handshakes the balancer answered with a 5xx status (nginx and Caddy answer 502 forever while
   * the pinned backend is down) and handshakes that timed out; a balancer that cannot be reached at
   * all (connection refused or reset) says nothing about the backend, and keeps the token.
   *
   * @return at least 1; 3 by default
   */
  public int dropAfterFailures() {
    return dropAfterFailures;
  }

  /**
   * Close codes that drop the token: the backend is going away.
   *
   * @return the codes, in the order given; 1001, 1012 and 1013 by default
   */
  public Set<Integer> dropOnCloseCodes() {
    return dropOnCloseCodes;
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof AffinityRules)) {
      return false;
    }
    AffinityRules that = (AffinityRules) other;
    return builtInCookies == that.builtInCookies
        && valueShapes == that.valueShapes
        && dropAfterFailures == that.dropAfterFailures
        && cookies.equals(that.cookies)
        && responseHeaders.equals(that.responseHeaders)
        && requestHeaders.equals(that.requestHeaders)
        && queryParameters.equals(that.queryParameters)
        && dropOnCloseCodes.equals(that.dropOnCloseCodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cookies, builtInCookies, valueShapes, responseHeaders, requestHeaders, queryParameters,
        dropAfterFailures, dropOnCloseCodes);
  }

  /** Shows every setting except the backend ids, which are secrets. */
  @Override
  public String toString() {
    return "AffinityRules{cookies=" + cookies
        + ", builtInCookies=" + builtInCookies
        + ", valueShapes=" + valueShapes
        + ", responseHeaders=" + responseHeaders
        + ", requestHeaders=" + requestHeaders.keySet()
        + ", queryParameters=" + queryParameters.keySet()
        + ", dropAfterFailures=" + dropAfterFailures
        + ", dropOnCloseCodes=" + dropOnCloseCodes + "}";
  }

  /**
   * Builds {@link AffinityRules}, starting from the defaults. Every setting is checked at
   * {@link #build()}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final List<String> cookies = new ArrayList<>();
    private boolean builtInCookies = true;
    private boolean valueShapes = true;
    private final List<String[]> responseHeaders = new ArrayList<>();
    private final List<String[]> requestHeaders = new ArrayList<>();
    private final List<String[]> queryParameters = new ArrayList<>();
    private int dropAfterFailures = 3;
    private int[] dropOnCloseCodes = {1001, 1012, 1013};

    private Builder() {}

    private Builder(AffinityRules rules) {
      cookies.addAll(rules.cookies);
      builtInCookies = rules.builtInCookies;
      valueShapes = rules.valueShapes;
      rules.responseHeaders.forEach((k, v) -> responseHeaders.add(new String[] {k, v}));
      rules.requestHeaders.forEach((k, v) -> requestHeaders.add(new String[] {k, v}));
      rules.queryParameters.forEach((k, v) -> queryParameters.add(new String[] {k, v}));
      dropAfterFailures = rules.dropAfterFailures;
      dropOnCloseCodes = rules.dropOnCloseCodes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Adds a cookie name that carries the affinity token, checked before the built-in names. For
     * a name that is also built in, the built-in reading of its value applies; otherwise the
     * whole value names the backend.
     *
     * @param name the cookie name, case-sensitive
     * @return this
     */
    public Builder cookie(String name) {
      cookies.add(name);
      return this;
    }

    /**
     * Whether the cookies of {@link KnownBalancers} are recognised.
     *
     * @param enabled {@code true} by default
     * @return this
     */
    public Builder builtInCookies(boolean enabled) {
      this.builtInCookies = enabled;
      return this;
    }

    /**
     * Whether cookies and response headers are recognised by the shape of their value (Envoy's
     * stateful session: base64 of the upstream address), whatever their name. A token recognised
     * by name always wins over one recognised by value (see {@link AffinityRules}).
     *
     * @param enabled {@code true} by default; {@code false} to recognise names only
     * @return this
     */
    public Builder valueShapes(boolean enabled) {
      this.valueShapes = enabled;
      return this;
    }

    /**
     * Captures a header of the handshake response and replays it on later handshakes as a request
     * header of the same name. A later call for the same name (ignoring case) replaces this one.
     *
     * @param name the header name
     * @return this
     */
    public Builder responseHeader(String name) {
      return responseHeader(name, name);
    }

    /**
     * Captures a header of the handshake response and replays it on later handshakes under
     * another name. A later call for the same response name (ignoring case) replaces this one.
     *
     * @param responseName the response header to capture
     * @param requestName the request header that replays it
     * @return this
     */
    public Builder responseHeader(String responseName, String requestName) {
      put(responseHeaders, responseName, requestName);
      return this;
    }

    /**
     * Sends a fixed request header naming the backend, for balancers that route on one (for
     * example Fly.io's {@code fly-force-instance-id}). A later call for the same name (ignoring
     * case) replaces this one.
     *
     * @param name the header name
     * @param backendId the backend id, a secret
     * @return this
     */
    public Builder requestHeader(String name, String backendId) {
      put(requestHeaders, name, backendId);
      return this;
    }

    /**
     * Adds a fixed query parameter naming the backend to the handshake URI. A later call for the
     * same name replaces this one.
     *
     * @param name the parameter name
     * @param backendId the backend id, a secret; percent-encoded when added
     * @return this
     */
    public Builder queryParameter(String name, String backendId) {
      for (int i = 0; i < queryParameters.size(); i++) {
        if (Objects.equals(queryParameters.get(i)[0], name)) {
          queryParameters.remove(i);
          break;
        }
      }
      queryParameters.add(new String[] {name, backendId});
      return this;
    }

    /**
     * How many consecutive failed handshakes, while a token is held, drop the token: answered with
     * a 5xx status, or timed out (see {@link AffinityRules#dropAfterFailures()}).
     *
     * @param failures at least 1; 3 by default
     * @return this
     */
    public Builder dropAfterFailures(int failures) {
      this.dropAfterFailures = failures;
      return this;
    }

    /**
     * The close codes that drop the token, replacing the defaults 1001, 1012 and 1013.
     *
     * @param codes close codes in 1000..4999; none to never drop on a close
     * @return this
     */
    public Builder dropOnCloseCodes(int... codes) {
      this.dropOnCloseCodes = codes == null ? null : codes.clone();
      return this;
    }

    /**
     * Builds the rules.
     *
     * @return the rules
     * @throws NullPointerException if a name, a backend id or the close codes are null
     * @throws IllegalArgumentException if a name is blank or not a valid cookie or header name, a
     *     header backend id holds control characters, {@code dropAfterFailures} is below 1, or a
     *     close code is outside 1000..4999
     */
    public AffinityRules build() {
      Set<String> cookieNames = new LinkedHashSet<>();
      for (String name : cookies) {
        Objects.requireNonNull(name, "cookie == null");
        checkToken("cookie", name);
        cookieNames.add(name);
      }
      Map<String, String> response = new LinkedHashMap<>();
      for (String[] pair : responseHeaders) {
        Objects.requireNonNull(pair[0], "responseHeader == null");
        Objects.requireNonNull(pair[1], "responseHeader requestName == null");
        checkToken("responseHeader", pair[0]);
        checkToken("responseHeader requestName", pair[1]);
        if (pair[0].equalsIgnoreCase("Set-Cookie")) {
          throw new IllegalArgumentException(
              "responseHeader (" + pair[0] + ") must not be Set-Cookie: name the cookie instead");
        }
        checkNotManaged("responseHeader requestName", pair[1]);
        response.put(pair[0], pair[1]);
      }
      Map<String, String> request = new LinkedHashMap<>();
      for (String[] pair : requestHeaders) {
        Objects.requireNonNull(pair[0], "requestHeader == null");
        Objects.requireNonNull(pair[1], "requestHeader backendId == null");
        checkToken("requestHeader", pair[0]);
        checkNotManaged("requestHeader", pair[0]);
        checkBackendId("requestHeader", pair[0], pair[1]);
        for (int i = 0; i < pair[1].length(); i++) {
          char c = pair[1].charAt(i);
          if ((c < 0x20 && c != '\t') || c == 0x7f) {
            throw new IllegalArgumentException("requestHeader (" + pair[0]
                + ") backendId must not contain control characters (value not shown: secret)");
          }
        }
        request.put(pair[0], pair[1]);
      }
      Map<String, String> query = new LinkedHashMap<>();
      for (String[] pair : queryParameters) {
        Objects.requireNonNull(pair[0], "queryParameter == null");
        Objects.requireNonNull(pair[1], "queryParameter backendId == null");
        if (pair[0].isBlank()) {
          throw new IllegalArgumentException(
              "queryParameter (\"" + printable(pair[0]) + "\") must not be blank");
        }
        checkBackendId("queryParameter", pair[0], pair[1]);
        query.put(pair[0], pair[1]);
      }
      if (dropAfterFailures < 1) {
        throw new IllegalArgumentException(
            "dropAfterFailures (" + dropAfterFailures + ") must be >= 1");
      }
      Objects.requireNonNull(dropOnCloseCodes, "dropOnCloseCodes == null");
      Set<Integer> codes = new LinkedHashSet<>();
      for (int code : dropOnCloseCodes) {
        if (code < 1000 || code > 4999) {
          throw new IllegalArgumentException(
              "dropOnCloseCodes (" + code + ") must be in 1000..4999");
        }
        codes.add(code);
      }
      return new AffinityRules(
          List.copyOf(cookieNames),
          builtInCookies,
          valueShapes,
          Collections.unmodifiableMap(response),
          Collections.unmodifiableMap(request),
          Collections.unmodifiableMap(query),
          dropAfterFailures,
          Collections.unmodifiableSet(codes));
    }

    /** Adds a pair, replacing an earlier one whose key equals ignoring case. */
    private static void put(List<String[]> pairs, String key, String value) {
      if (key != null) {
        pairs.removeIf(p -> p[0] != null && p[0].equalsIgnoreCase(key));
      }
      pairs.add(new String[] {key, value});
    }

    private static void checkToken(String field, String name) {
      if (name.isBlank()) {
        throw new IllegalArgumentException(
            field + " (\"" + printable(name) + "\") must not be blank");
      }
      for (int i = 0; i < name.length(); i++) {
        if (!isTokenChar(name.charAt(i))) {
          throw new IllegalArgumentException(field + " (" + printable(name)
              + ") must be an RFC 9110 token: illegal character at index " + i);
        }
      }
    }

    private static void checkNotManaged(String field, String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (MANAGED_REQUEST_HEADERS.contains(lower) || lower.startsWith("sec-websocket-")) {
        throw new IllegalArgumentException(
            field + " (" + name + ") is set by the handshake itself and cannot carry affinity");
      }
    }

    private static void checkBackendId(String field, String name, String backendId) {
      if (backendId.isBlank()) {
        throw new IllegalArgumentException(field + " (" + printable(name)
            + ") backendId (\"" + backendId + "\") must not be blank");
      }
    }

    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** Escapes control characters so that a message never breaks a log line. */
    private static String printable(String s) {
      StringBuilder out = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }
  }
}
