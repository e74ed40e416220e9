package io.stickyws.affinity;

import java.util.Objects;
import java.util.Optional;

/**
 * The affinity cookies that load balancers set on their own, recognised without configuration:
 *
 * <ul>
 *   <li>HAProxy {@code SERVERID} (the {@code |date} suffixes of {@code maxidle}/{@code maxlife}
 *       are not part of the backend), and {@code JSESSIONID} in {@code prefix} mode
 *       ({@code server~session});
 *   <li>AWS {@code AWSALB}, {@code AWSALBCORS}, {@code AWSALBTG*}, {@code AWSELB*}, and
 *       {@code AWSALBAPP-0} to {@code AWSALBAPP-3} of application-based stickiness (opaque
 *       values that change on every response; the application's own cookie that the target group
 *       names only triggers them and is no token itself);
 *   <li>Kubernetes ingress-nginx {@code INGRESSCOOKIE}, Caddy {@code lb}, nginx {@code route} and
 *       {@code srv_id}, Traefik v2/v3 {@code _} followed by five lower-case hex digits (hashed
 *       values) and Traefik v1 {@code _TRAEFIK_BACKEND}, Contour
 *       {@code X-Contour-Session-Affinity}, Phusion Passenger {@code _passenger_route};
 *   <li>Google Cloud {@code GCLB}, {@code GCILB} and the stateful {@code GSSA}; Azure
 *       {@code ApplicationGatewayAffinity}, {@code ApplicationGatewayAffinityCORS},
 *       {@code ARRAffinity*}, {@code ASLBSA*}; DigitalOcean {@code DO-LB}; F5
 *       {@code BIGipServer*}; Citrix {@code NSC_*}; Cloudflare {@code __cflb}; Heroku
 *       {@code heroku-session-affinity}; Cloud Foundry {@code __VCAP_ID__};
 *   <li>Apache httpd {@code ROUTEID} ({@code .route}) and Tomcat {@code JSESSIONID} with a route
 *       suffix ({@code session.route}); a {@code JSESSIONID} without a route is a plain session
 *       cookie, not an affinity token.
 * </ul>
 *
 * <p>Cookie names are matched case-sensitively, as browsers do. Values in double quotes are read
 * without them. Besides names, values are recognised by shape: Envoy's stateful session lets the
 * operator choose the name ({@link #balancerOfValue(String)}).
 *
 * <p>This class has no instances; its methods are thread-safe.
 */
public final class KnownBalancers {
  /**
   * The balancer of a token recognised by value shape (see
   * {@link AffinityToken#ofValue(String, AffinityToken.Source, String)}).
   */
  public static final String ENVOY_STATEFUL_SESSION = EnvoySessionValue.BALANCER;

  private KnownBalancers() {}

  /**
   * The balancer that sets a cookie of this name.
   *
   * @param cookieName a cookie name, for example {@code "SERVERID"}
   * @return the balancer, for example {@code "HAProxy"}, or empty when the name is not a built-in
   *     affinity cookie or when only its value can tell ({@code JSESSIONID}: use
   *     {@link #balancerOf(String, String)})
   * @throws NullPointerException if {@code cookieName} is null
   */
  public static Optional<String> balancerOf(String cookieName) {
    Objects.requireNonNull(cookieName, "cookieName == null");
    return BuiltInCookies.lookup(cookieName).flatMap(BuiltInCookies::balancer);
  }

  /**
   * The balancer that set this cookie, judging by its name and value. The value is only inspected,
   * never kept or shown.
   *
   * @param cookieName a cookie name, for example {@code "JSESSIONID"}
   * @param value the cookie value
   * @return the balancer, or empty when this cookie is not a built-in affinity token (an unknown
   *     name, an empty value, a {@code JSESSIONID} without a route or server prefix)
   * @throws NullPointerException if an argument is null
   */
  public static Optional<String> balancerOf(String cookieName, String value) {
    Objects.requireNonNull(cookieName, "cookieName == null");
    Objects.requireNonNull(value, "value == null");
    return BuiltInCookies.lookup(cookieName).flatMap(rule -> rule.balancer(value));
  }

  /**
   * Whether the balancer that sets a cookie of this name re-issues a new opaque value on every
   * response (AWS), so that two different values prove nothing about the backend.
   *
   * @param cookieName a cookie name, for example {@code "AWSALB"}
   * @return {@code true} for a built-in name with rotating values
   * @throws NullPointerException if {@code cookieName} is null
   */
  public static boolean rotates(String cookieName) {
    Objects.requireNonNull(cookieName, "cookieName == null");
    return BuiltInCookies.isRotating(cookieName);
  }

  /**
   * The balancer that wrote a value, judging by its shape alone, whatever the cookie or header
   * name: {@value #ENVOY_STATEFUL_SESSION} for a value of Envoy's stateful session. The value is
   * only inspected, never kept or shown.
   *
   * @param value a cookie or header value
   * @return the balancer, or empty when the value has no known shape
   * @throws NullPointerException if {@code value} is null
   */
  public static Optional<String> balancerOfValue(String value) {
    Objects.requireNonNull(value, "value == null");
    return EnvoySessionValue.address(value).map(address -> ENVOY_STATEFUL_SESSION);
  }
}
