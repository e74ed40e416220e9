package io.stickyws.affinity;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The table of affinity cookies that load balancers set on their own: which cookie names belong to
 * which balancer, and how to read the backend out of the value. A value wrapped in double quotes
 * (RFC 6265 allows them; Envoy writes them) is read without them.
 *
 * <p>Instances are immutable and thread-safe.
 */
final class BuiltInCookies {
  private static final Pattern TRAEFIK = Pattern.compile("_[0-9a-f]{5}");

  /** How the part of a value naming the backend is found. */
  private enum Reading {
    /** The whole value names the backend. */
    WHOLE,
    /** Opaque value re-issued on every response: only equal values prove anything. */
    ROTATING,
    /** HAProxy insert mode: {@code s1} or {@code s1|<idle date>|<first date>}. */
    BEFORE_PIPE,
    /** Apache mod_proxy_balancer: {@code .route} or {@code <anything>.route}. */
    AFTER_DOT,
    /** Session id with HAProxy prefix {@code <server>~<id>} or Tomcat route {@code <id>.<route>}. */
    SESSION_ID
  }

  private static final class Entry {
    final String name;
    final boolean prefix;
    final String balancer;
    final Reading reading;

    Entry(String name, boolean prefix, String balancer, Reading reading) {
      this.name = name;
      this.prefix = prefix;
      this.balancer = balancer;
      this.reading = reading;
    }

    boolean matches(String cookieName) {
      return prefix ? cookieName.startsWith(name) : cookieName.equals(name);
    }
  }

  /** Exact names before prefixes, so that {@code AWSALBCORS} is found as itself. */
  private static final List<Entry> ENTRIES = List.of(
      new Entry("SERVERID", false, "HAProxy", Reading.BEFORE_PIPE),
      new Entry("AWSALB", false, "AWS ALB", Reading.ROTATING),
      new Entry("AWSALBCORS", false, "AWS ALB", Reading.ROTATING),
      new Entry("INGRESSCOOKIE", false, "Kubernetes ingress-nginx", Reading.WHOLE),
      new Entry("lb", false, "Caddy", Reading.WHOLE),
      new Entry("route", false, "nginx", Reading.WHOLE),
      new Entry("srv_id", false, "nginx", Reading.WHOLE),
      new Entry("GCLB", false, "Google Cloud Load Balancing", Reading.WHOLE),
      new Entry("GCILB", false, "Google Cloud Load Balancing", Reading.WHOLE),
      new Entry("GSSA", false, "Google Cloud Load Balancing", Reading.WHOLE),
      new Entry("X-Contour-Session-Affinity", false, "Contour", Reading.WHOLE),
      new Entry("_TRAEFIK_BACKEND", false, "Traefik", Reading.WHOLE),
      new Entry("DO-LB", false, "DigitalOcean", Reading.WHOLE),
      new Entry("_passenger_route", false, "Phusion Passenger", Reading.WHOLE),
      new Entry("__cflb", false, "Cloudflare", Reading.WHOLE),
      new Entry("heroku-session-affinity", false, "Heroku", Reading.WHOLE),
      new Entry("__VCAP_ID__", false, "Cloud Foundry", Reading.WHOLE),
      new Entry("ROUTEID", false, "Apache httpd", Reading.AFTER_DOT),
      new Entry("JSESSIONID", false, "Tomcat", Reading.SESSION_ID),
      new Entry("AWSALBAPP-0", false, "AWS ALB", Reading.ROTATING),
      new Entry("AWSALBAPP-1", false, "AWS ALB", Reading.ROTATING),
      new Entry("AWSALBAPP-2", false, "AWS ALB", Reading.ROTATING),
      new Entry("AWSALBAPP-3", false, "AWS ALB", Reading.ROTATING),
      new Entry("AWSALBTG", true, "AWS ALB", Reading.ROTATING),
      new Entry("AWSELB", true, "AWS ELB", Reading.ROTATING),
      new Entry("ApplicationGatewayAffinity", true, "Azure Application Gateway", Reading.WHOLE),
      new Entry("ARRAffinity", true, "Azure App Service", Reading.WHOLE),
      new Entry("ASLBSA", true, "Azure App Service", Reading.WHOLE),
      new Entry("BIGipServer", true, "F5 BIG-IP", Reading.WHOLE),
      new Entry("NSC_", true, "Citrix ADC", Reading.WHOLE));

  private static final Entry TRAEFIK_ENTRY = new Entry("_", true, "Traefik", Reading.WHOLE);

  private final Entry entry;

  private BuiltInCookies(Entry entry) {
    this.entry = entry;
  }

  /**
   * Finds the built-in rule for a cookie name (names are case-sensitive).
   *
   * @param cookieName the cookie name
   * @return the rule, or empty when no balancer is known to set this name
   */
  static Optional<BuiltInCookies> lookup(String cookieName) {
    if (cookieName == null) {
      return Optional.empty();
    }
    for (Entry e : ENTRIES) {
      if (e.matches(cookieName)) {
        return Optional.of(new BuiltInCookies(e));
      }
    }
    if (TRAEFIK.matcher(cookieName).matches()) {
      return Optional.of(new BuiltInCookies(TRAEFIK_ENTRY));
    }
    return Optional.empty();
  }

  /**
   * The balancer that set a cookie of this name and value.
   *
   * @param value the cookie value
   * @return the balancer name, or empty when this value is not an affinity token (a plain
   *     {@code JSESSIONID})
   */
  Optional<String> balancer(String value) {
    if (backendId(value).isEmpty()) {
      return Optional.empty();
    }
    if (entry.reading == Reading.SESSION_ID && unquoted(value).indexOf('~') > 0) {
      return Optional.of("HAProxy");
    }
    return Optional.of(entry.balancer);
  }

  /**
   * The balancer this name belongs to whatever its value, for names that are always an affinity
   * token.
   *
   * @return the balancer name, or empty for a name whose value decides ({@code JSESSIONID})
   */
  Optional<String> balancer() {
    return entry.reading == Reading.SESSION_ID ? Optional.empty() : Optional.of(entry.balancer);
  }

  /**
   * The part of a value that names the backend.
   *
   * @param value the cookie value
   * @return the backend id, or empty when the value names no backend
   */
  Optional<String> backendId(String raw) {
    String value = unquoted(raw);
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    String id;
    switch (entry.reading) {
      case BEFORE_PIPE: {
        int pipe = value.indexOf('|');
        id = pipe < 0 ? value : value.substring(0, pipe);
        break;
      }
      case AFTER_DOT: {
        int dot = value.indexOf('.');
        id = dot < 0 ? value : value.substring(dot + 1);
        break;
      }
      case SESSION_ID: {
        int tilde = value.indexOf('~');
        int dot = value.indexOf('.');
        if (tilde > 0) {
          id = value.substring(0, tilde);
        } else if (dot >= 0) {
          id = value.substring(dot + 1);
        } else {
          id = "";
        }
        break;
      }
      default:
        id = value;
    }
    return id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  /**
   * Whether the balancer re-issues a new opaque value on every response, so that two different
   * values cannot prove a change of backend.
   *
   * @return {@code true} for rotating values (AWS)
   */
  boolean rotating() {
    return entry.reading == Reading.ROTATING;
  }

  /**
   * Whether a cookie of this name is a rotating opaque token.
   *
   * @param cookieName the cookie name
   * @return {@code true} for rotating values
   */
  static boolean isRotating(String cookieName) {
    return lookup(cookieName).map(BuiltInCookies::rotating).orElse(false);
  }

  /** The value without one pair of surrounding double quotes; {@code null} stays {@code null}. */
  static String unquoted(String value) {
    if (value != null && value.length() >= 2 && value.charAt(0) == '"'
        && value.charAt(value.length() - 1) == '"') {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }
}
