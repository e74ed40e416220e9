package io.stickyws.affinity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Optional;

/**
 * The value a load balancer routes on to keep a client on one backend: a cookie such as HAProxy's
 * {@code SERVERID}, a header captured from the handshake response, or a backend id the
 * application supplies as a request header or query parameter.
 *
 * <p>The {@link #value()} and the {@link #backendId()} are secrets: they are never logged and
 * {@link #toString()} never shows them. Log the {@link #fingerprint()} instead.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AffinityToken {
  /** Where the token is carried. */
  public enum Source {
    /** A cookie the balancer set. */
    COOKIE,
    /** A header of the handshake response, replayed as a request header. */
    RESPONSE_HEADER,
    /** A request header carrying a backend id the application supplied. */
    REQUEST_HEADER,
    /** A query parameter carrying a backend id the application supplied. */
    QUERY_PARAMETER
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final String name;
  private final Source source;
  private final String balancer;
  private final String value;
  private final String backendId;
  private final String fingerprint;

  private AffinityToken(Builder b) {
    this.name = b.name;
    this.source = b.source;
    this.balancer = b.balancer;
    this.value = b.value;
    this.backendId = b.backendId == null ? b.value : b.backendId;
    this.fingerprint = fingerprint(name, backendId);
  }

  /**
   * Reads a cookie the way the built-in rules of {@link KnownBalancers} do: HAProxy
   * {@code SERVERID=s1|date|date} names backend {@code s1}, {@code JSESSIONID=s1~session} (HAProxy
   * prefix mode) names {@code s1}, {@code JSESSIONID=session.node1} (Tomcat route) names
   * {@code node1}, {@code ROUTEID=.node1} (Apache) names {@code node1}; other built-in names use
   * the whole value, without one pair of surrounding double quotes.
   *
   * @param name the cookie name
   * @param value the cookie value, a secret
   * @return the token, or empty when this cookie is not a built-in affinity token
   * @throws NullPointerException if an argument is null
   */
  public static Optional<AffinityToken> ofCookie(String name, String value) {
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(value, "value == null");
    Optional<BuiltInCookies> rule = BuiltInCookies.lookup(name);
    if (rule.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> backendId = rule.get().backendId(value);
    Optional<String> balancer = rule.get().balancer(value);
    if (backendId.isEmpty() || balancer.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(builder()
        .name(name)
        .source(Source.COOKIE)
        .balancer(balancer.get())
        .value(value)
        .backendId(backendId.get())
        .build());
  }

  /**
   * Reads a cookie or header value by its shape alone, whatever its name: a value written by
   * Envoy's stateful session ({@code envoy.http.stateful_session.cookie}, {@code .header} or
   * {@code .envelope}; base64 of the upstream address, quoted or not, the newer protobuf form with
   * an expiry, or {@code base64(address);UV:base64(original)}) gives a token of balancer
   * {@value KnownBalancers#ENVOY_STATEFUL_SESSION} whose {@link #backendId()} is the decoded
   * address, so that a value re-issued for the same host (a new expiry) names the same backend.
   *
   * <p>Gateway API implementations built on Envoy (Envoy Gateway, Istio, kgateway) let the
   * operator choose the cookie or header name, so only the value can tell.
   *
   * @param name the cookie or header name
   * @param source where the value was carried: {@link Source#COOKIE} or
   *     {@link Source#RESPONSE_HEADER}
   * @param value the value, a secret
   * @return the token, or empty when the value does not have the shape of an Envoy value
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code source} is neither {@code COOKIE} nor
   *     {@code RESPONSE_HEADER}
   */
  public static Optional<AffinityToken> ofValue(String name, Source source, String value) {
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(source, "source == null");
    Objects.requireNonNull(value, "value == null");
    if (source != Source.COOKIE && source != Source.RESPONSE_HEADER) {
      throw new IllegalArgumentException(
          "source (" + source + ") must be COOKIE or RESPONSE_HEADER");
    }
    if (name.isBlank()) {
      return Optional.empty();
    }
    return EnvoySessionValue.address(value).map(address -> builder()
        .name(name)
        .source(source)
        .balancer(EnvoySessionValue.BALANCER)
        .value(value)
        .backendId(address)
        .build());
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
   * A builder holding this token's fields.
   *
   * @return a builder initialized from this token
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * The cookie, header or query parameter name.
   *
   * @return the name, for example {@code "SERVERID"}
   */
  public String name() {
    return name;
  }

  /**
   * Where the token is carried.
   *
   * @return the source
   */
  public Source source() {
    return source;
  }

  /**
   * The balancer the token belongs to.
   *
   * @return for example {@code "HAProxy"}, {@code "AWS ALB"}, {@code "Caddy"} or {@code "custom"}
   */
  public String balancer() {
    return balancer;
  }

  /**
   * The raw value as received or configured. This is a secret: never log it.
   *
   * @return the value
   */
  public String value() {
    return value;
  }

  /**
   * The part of the value that names the backend, for example {@code s1} of HAProxy's
   * {@code SERVERID=s1|ZG9kt|ZG9kt}. This is a secret: never log it.
   *
   * @return the backend id
   */
  public String backendId() {
    return backendId;
  }

  /**
   * A short digest of the name and the backend id, stable across runs, that tells backends apart
   * in logs without revealing the value: the first 12 hex digits of a SHA-256.
   *
   * @return 12 lower-case hex digits
   */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Whether both tokens prove the same backend: the same source, the same name (header names
   * without regard to case) and the same backend id. Two different values of a balancer that
   * re-issues opaque values on every response (AWS) prove nothing, so they give {@code false}
   * here although the backend may be the same.
   *
   * @param other another token
   * @return {@code true} if both name the same backend
   * @throws NullPointerException if {@code other} is null
   */
  public boolean sameBackendAs(AffinityToken other) {
    Objects.requireNonNull(other, "other == null");
    if (source != other.source || !backendId.equals(other.backendId)) {
      return false;
    }
    boolean header = source == Source.RESPONSE_HEADER || source == Source.REQUEST_HEADER;
    return header ? name.equalsIgnoreCase(other.name) : name.equals(other.name);
  }

  /** Equal when every field, the value included, is equal. */
  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof AffinityToken)) {
      return false;
    }
    AffinityToken that = (AffinityToken) other;
    return name.equals(that.name)
        && source == that.source
        && balancer.equals(that.balancer)
        && value.equals(that.value)
        && backendId.equals(that.backendId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, source, balancer, value, backendId);
  }

  /** Shows the name, source, balancer and fingerprint; never the value or the backend id. */
  @Override
  public String toString() {
    return "AffinityToken{name=" + name + ", source=" + source + ", balancer=" + balancer
        + ", fingerprint=" + fingerprint + "}";
  }

  private static String fingerprint(String name, String backendId) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    sha256.update(name.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) 0);
    byte[] digest = sha256.digest(backendId.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder(12);
    for (int i = 0; i < 6; i++) {
      hex.append(HEX[(digest[i] >> 4) & 0xf]).append(HEX[digest[i] & 0xf]);
    }
    return hex.toString();
  }

  /**
   * Builds an {@link AffinityToken}. {@code name}, {@code source} and {@code value} are required;
   * {@code balancer} defaults to {@code "custom"} and {@code backendId} to the whole value.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private String name;
    private Source source;
    private String balancer = "custom";
    private String value;
    private String backendId;

    private Builder() {}

    private Builder(AffinityToken token) {
      name = token.name;
      source = token.source;
      balancer = token.balancer;
      value = token.value;
      backendId = token.backendId;
    }

    /**
     * Sets the cookie, header or query parameter name.
     *
     * @param name the name
     * @return this
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets where the token is carried.
     *
     * @param source the source
     * @return this
     */
    public Builder source(Source source) {
      this.source = source;
      return this;
    }

    /**
     * Sets the balancer the token belongs to.
     *
     * @param balancer for example {@code "HAProxy"}; {@code "custom"} by default
     * @return this
     */
    public Builder balancer(String balancer) {
      this.balancer = balancer;
      return this;
    }

    /**
     * Sets the raw value, a secret.
     *
     * @param value the value
     * @return this
     */
    public Builder value(String value) {
      this.value = value;
      return this;
    }

    /**
     * Sets the part of the value that names the backend, a secret.
     *
     * @param backendId the backend id, or {@code null} for the whole value
     * @return this
     */
    public Builder backendId(String backendId) {
      this.backendId = backendId;
      return this;
    }

    /**
     * Builds the token.
     *
     * @return the token
     * @throws NullPointerException if name, source, balancer or value is missing
     * @throws IllegalArgumentException if the name, the balancer, the value or the backend id is
     *     blank
     */
    public AffinityToken build() {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(source, "source == null");
      Objects.requireNonNull(balancer, "balancer == null");
      Objects.requireNonNull(value, "value == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name (\"" + name + "\") must not be blank");
      }
      if (balancer.isBlank()) {
        throw new IllegalArgumentException("balancer (\"" + balancer + "\") must not be blank");
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException("value of " + name + " must not be empty");
      }
      if (backendId != null && backendId.isEmpty()) {
        throw new IllegalArgumentException("backendId of " + name + " must not be empty");
      }
      return new AffinityToken(this);
    }
  }
}
