package io.stickyws.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.Cookie;
import io.stickyws.internal.affinity.AffinityTracker;
import io.stickyws.spi.HandshakeResponse;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conventions added for issue 17, each read from the Set-Cookie its balancer documents (name,
 * attributes and the shape of the value; the values themselves are made up).
 */
class BalancerConventionsTest {
  private static final URI SITE = URI.create("wss://app.example.com/ws");
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  private static Cookie parse(String setCookie) {
    return Cookie.parse(SITE, setCookie, NOW).orElseThrow();
  }

  private static Optional<AffinityToken> token(String setCookie) {
    Cookie c = parse(setCookie);
    return AffinityToken.ofCookie(c.name(), c.value());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // Traefik v2/v3: "_" + the first 5 hex digits of sha1("_TRAEFIK_BACKEND_" + service), hashed value
      "_5f7bc=b1a2a39dc1b9f1b2; Path=/; HttpOnly; SameSite=Lax | Traefik | b1a2a39dc1b9f1b2",
      // Traefik v1: _TRAEFIK_BACKEND holds the backend URL
      "_TRAEFIK_BACKEND=http://10.0.0.5:8080; Path=/ | Traefik | http://10.0.0.5:8080",
      // Contour: Envoy's hash-policy cookie, quoted hex hash of the endpoint
      "X-Contour-Session-Affinity=\"a0f3c9e1b2d4c6e8\"; Path=/; HttpOnly | Contour | a0f3c9e1b2d4c6e8",
      // Google Cloud: external GCLB, internal GCILB, stateful cookie-based affinity GSSA
      "GCLB=CLPg3cWs8a2yXBAD; path=/; HttpOnly; expires=Sun, 29-Nov-2026 12:10:00 GMT"
          + " | Google Cloud Load Balancing | CLPg3cWs8a2yXBAD",
      "GCILB=\"a1b2c3d4e5f60718\"; Path=/; HttpOnly | Google Cloud Load Balancing | a1b2c3d4e5f60718",
      "GSSA=6a8f1e2c3b; Path=/; Max-Age=86400; HttpOnly | Google Cloud Load Balancing | 6a8f1e2c3b",
      // Azure Application Gateway, and its SameSite=None twin for CORS
      "ApplicationGatewayAffinity=6fd6b7a1c5d3e9f0; Path=/ | Azure Application Gateway | 6fd6b7a1c5d3e9f0",
      "ApplicationGatewayAffinityCORS=6fd6b7a1c5d3e9f0; Path=/; SameSite=None; Secure"
          + " | Azure Application Gateway | 6fd6b7a1c5d3e9f0",
      // DigitalOcean load balancer sticky sessions
      "DO-LB=\"MTAuMTAuMC41OjgwODA=\"; Path=/; Max-Age=300; HttpOnly | DigitalOcean | MTAuMTAuMC41OjgwODA=",
      // Phusion Passenger
      "_passenger_route=3; Path=/ | Phusion Passenger | 3",
  })
  void recognisedByNameFromTheDocumentedSetCookie(String setCookie, String balancer, String id) {
    assertThat(token(setCookie)).hasValueSatisfying(t -> {
      assertThat(t.balancer()).isEqualTo(balancer);
      assertThat(t.backendId()).isEqualTo(id);
      assertThat(t.source()).isEqualTo(AffinityToken.Source.COOKIE);
    });
  }

  @Test
  void awsApplicationStickinessShardsRotate() {
    // AWSALBAPP-0 .. -3: ALB's encrypted shards, set next to the application's own cookie
    for (int i = 0; i <= 3; i++) {
      String name = "AWSALBAPP-" + i;
      assertThat(KnownBalancers.balancerOf(name)).contains("AWS ALB");
      assertThat(KnownBalancers.rotates(name)).isTrue();
      assertThat(token(name + "=_remove_; Expires=Sun, 06 Dec 2026 12:00:00 GMT; Path=/"))
          .map(AffinityToken::balancer).contains("AWS ALB");
    }
    assertThat(KnownBalancers.balancerOf("AWSALBAPP-4")).isEmpty();
    assertThat(KnownBalancers.balancerOf("AWSALBAPP-")).isEmpty();
    // the application cookie the target group names only triggers stickiness: not a token itself
    assertThat(KnownBalancers.balancerOf("MYAPPSESSION")).isEmpty();
  }

  @Test
  void rotatesOnlyForOpaqueAwsValues() {
    assertThat(KnownBalancers.rotates("AWSALB")).isTrue();
    assertThat(KnownBalancers.rotates("AWSALBTGCORS")).isTrue();
    assertThat(KnownBalancers.rotates("SERVERID")).isFalse();
    assertThat(KnownBalancers.rotates("GSSA")).isFalse();
    assertThat(KnownBalancers.rotates("unknown")).isFalse();
  }

  @Test
  void quotedValuesAreReadWithoutQuotes() {
    assertThat(token("SERVERID=\"s1|ZG9kt|ZG9kt\"; Path=/")).map(AffinityToken::backendId)
        .contains("s1");
    assertThat(token("lb=\"b7e2c\"; Path=/")).map(AffinityToken::backendId).contains("b7e2c");
    assertThat(token("JSESSIONID=\"8A3F0C2B9D41E7.node1\"; Path=/")).map(AffinityToken::balancer)
        .contains("Tomcat");
    assertThat(token("SERVERID=\"\"; Path=/")).as("quoted empty value names nothing").isEmpty();
  }

  @Test
  void deletionsAndExpiryKeepTheName() {
    // A balancer deletes its cookie with an empty value or a date in the past; the tracker treats
    // those as deletions (see AffinityTrackerValueShapeTest); the parse keeps the expiry.
    Cookie deleted = parse("GSSA=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    assertThat(deleted.value()).isEmpty();
    assertThat(AffinityToken.ofCookie(deleted.name(), deleted.value())).isEmpty();
    Cookie maxAgeZero = parse("DO-LB=\"x\"; Path=/; Max-Age=0");
    assertThat(maxAgeZero.expiresAt()).hasValueSatisfying(at -> assertThat(at).isBefore(NOW.plusSeconds(1)));
    Cookie live = parse("_passenger_route=3; Path=/; Max-Age=600");
    assertThat(live.expiresAt()).contains(NOW.plusSeconds(600));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"_5f7bc", "_TRAEFIK_BACKEND", "X-Contour-Session-Affinity", "GSSA",
      "ApplicationGatewayAffinityCORS", "DO-LB", "_passenger_route", "AWSALBAPP-2"})
  void liveExpiringAndDeletedFormsOnAHandshake(String name) {
    HandshakeResponse ok = HandshakeResponse.of(101, Map.of());
    AffinityTracker tracker = new AffinityTracker(AffinityRules.defaults());
    Cookie live = parse(name + "=\"b7e2c\"; Path=/; Max-Age=600; HttpOnly");
    assertThat(tracker.onOpen(ok, List.of(live), List.of()).token()).map(AffinityToken::name)
        .contains(name);
    Cookie maxAgeZero = parse(name + "=\"b7e2c\"; Path=/; Max-Age=0");
    assertThat(tracker.onOpen(ok, List.of(maxAgeZero), List.of(live)).token())
        .as("Max-Age=0 deletes the cookie, also the one just sent").isEmpty();
    Cookie expired = parse(name + "=b7e2c; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    assertThat(tracker.onOpen(ok, List.of(expired), List.of(live)).token()).isEmpty();
    Cookie emptied = parse(name + "=; Path=/");
    assertThat(tracker.onOpen(ok, List.of(emptied), List.of(live)).token()).isEmpty();
  }
}
