package io.stickyws.affinity;

import io.stickyws.internal.affinity.BuiltInCookies;
import java.util.Objects;
import java.util.Optional;

/**
 * The affinity cookies that load balancers set on their own, recognised without configuration:
 *
 * <ul>
 *   <li>HAProxy {@code SERVERID} (the {@code |date} suffixes of {@code maxidle}/{@code maxlife}
 *       are not part of the backend), and {@code JSESSIONID} in {@code prefix} mode
 *       ({@code server~session});
 *   <li>AWS {@code AWSALB}, {@code AWSALBCORS}, {@code AWSALBAPP-*}, {@code AWSALBTG*},
 *       {@code AWSELB*} (opaque values that change on every response);
 *   <li>Kubernetes ingress-nginx {@code INGRESSCOOKIE}, Caddy {@code lb}, nginx {@code route} and
 *       {@code srv_id}, Traefik {@code _} followed by five lower-case hex digits;
 *   <li>Google Cloud {@code GCLB}, {@code GCILB}; Azure {@code ApplicationGatewayAffinity*},
 *       {@code ARRAffinity*}, {@code ASLBSA*}; F5 {@code BIGipServer*}; Citrix {@code NSC_*};
 *       Cloudflare {@code __cflb}; Heroku {@code heroku-session-affinity}; Cloud Foundry
 *       {@code __VCAP_ID__};
 *   <li>Apache httpd {@code ROUTEID} ({@code .route}) and Tomcat {@code JSESSIONID} with a route
 *       suffix ({@code session.route}); a {@code JSESSIONID} without a route is a plain session
 *       cookie, not an affinity token.
 * </ul>
 *
 * <p>Cookie names are matched case-sensitively, as browsers do.
 *
 * <p>This class has no instances; its methods are thread-safe.
 */
public final class KnownBalancers {
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
}
