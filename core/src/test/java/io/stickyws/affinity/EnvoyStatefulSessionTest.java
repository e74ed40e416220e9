package io.stickyws.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.stickyws.affinity.AffinityToken.Source;
import io.stickyws.cookie.Cookie;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Envoy's stateful session values, built from the Set-Cookie and headers Envoy writes:
 * {@code Utility::makeSetCookieValue} quotes the value and adds {@code Max-Age}, {@code Path} and
 * {@code HttpOnly}; the cookie extension writes base64 of the host address (older form) or of a
 * protobuf {@code {address = 1; expires = 2}} (newer form); the header extension writes base64 of
 * the address; the envelope extension writes {@code base64(address);UV:base64(original)}.
 */
class EnvoyStatefulSessionTest {
  private static final URI GATEWAY = URI.create("wss://gw.example.com/ws");
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  /** base64("10.0.3.7:8080"). */
  private static final String PLAIN = "MTAuMC4zLjc6ODA4MA==";
  /** base64 of the protobuf {address: "10.0.3.7:8080", expires: 1234567}. */
  private static final String PROTO = "Cg0xMC4wLjMuNzo4MDgwEIetSw==";
  /** The same host re-issued later: {address: "10.0.3.7:8080", expires: 1234999}. */
  private static final String PROTO_LATER = "Cg0xMC4wLjMuNzo4MDgwELewSw==";
  /** A cookie without TTL: only {address: "10.0.3.7:8080"}. */
  private static final String PROTO_NO_TTL = "Cg0xMC4wLjMuNzo4MDgw";

  private static Cookie setCookie(String header) {
    return Cookie.parse(GATEWAY, header, NOW).orElseThrow();
  }

  private static AffinityToken cookieToken(Cookie c) {
    return AffinityToken.ofValue(c.name(), Source.COOKIE, c.value()).orElseThrow();
  }

  @Test
  void documentedExampleOfTheCookieExtension() {
    // envoy.http.stateful_session.cookie docs: cookie: sticky-host="MS4yLjMuNDo4MA=="
    Cookie c = setCookie("sticky-host=\"MS4yLjMuNDo4MA==\"; Max-Age=120; Path=/; HttpOnly");
    assertThat(c.value()).isEqualTo("\"MS4yLjMuNDo4MA==\"");
    AffinityToken token = cookieToken(c);
    assertThat(token.name()).isEqualTo("sticky-host");
    assertThat(token.balancer()).isEqualTo("Envoy stateful session")
        .isEqualTo(KnownBalancers.ENVOY_STATEFUL_SESSION);
    assertThat(token.backendId()).isEqualTo("1.2.3.4:80");
    assertThat(token.value()).isEqualTo(c.value());
  }

  @Test
  void olderFormQuotedOrNot() {
    assertThat(cookieToken(setCookie("gw=\"" + PLAIN + "\"; Path=/; HttpOnly")).backendId())
        .isEqualTo("10.0.3.7:8080");
    assertThat(cookieToken(setCookie("gw=" + PLAIN + "; Path=/")).backendId())
        .isEqualTo("10.0.3.7:8080");
  }

  @Test
  void newerProtobufFormWithExpiry() {
    Cookie c = setCookie("session-a=\"" + PROTO + "\"; Max-Age=3600; Path=/; HttpOnly");
    assertThat(c.expiresAt()).contains(NOW.plusSeconds(3600));
    assertThat(cookieToken(c).backendId()).isEqualTo("10.0.3.7:8080");
    assertThat(cookieToken(setCookie("session-a=\"" + PROTO_NO_TTL + "\"; Path=/; HttpOnly"))
        .backendId()).isEqualTo("10.0.3.7:8080");
  }

  @Test
  void reissuedWithAnotherExpiryNamesTheSameBackend() {
    AffinityToken first = cookieToken(setCookie("s=\"" + PROTO + "\"; Max-Age=60; Path=/"));
    AffinityToken later = cookieToken(setCookie("s=\"" + PROTO_LATER + "\"; Max-Age=60; Path=/"));
    assertThat(first.value()).isNotEqualTo(later.value());
    assertThat(first.sameBackendAs(later)).isTrue();
    assertThat(first.fingerprint()).isEqualTo(later.fingerprint());
    AffinityToken older = cookieToken(setCookie("s=\"" + PLAIN + "\"; Path=/"));
    assertThat(older.sameBackendAs(first)).as("older and newer form of one host").isTrue();
  }

  @Test
  void anotherHostIsAnotherBackend() {
    AffinityToken a = cookieToken(setCookie("s=\"" + PLAIN + "\"; Path=/"));
    AffinityToken b = cookieToken(setCookie("s=\"MTAuMC4zLjg6ODA4MA==\"; Path=/"));
    assertThat(b.backendId()).isEqualTo("10.0.3.8:8080");
    assertThat(a.sameBackendAs(b)).isFalse();
  }

  @Test
  void ipv6Host() {
    assertThat(AffinityToken.ofValue("s", Source.COOKIE, "\"W2ZkMDA6OjFdOjgwODA=\""))
        .map(AffinityToken::backendId).contains("[fd00::1]:8080");
  }

  @Test
  void headerExtensionValue() {
    // envoy.http.stateful_session.header: the response header holds base64(address), unquoted
    assertThat(AffinityToken.ofValue("x-session-host", Source.RESPONSE_HEADER, PLAIN))
        .hasValueSatisfying(t -> {
          assertThat(t.source()).isEqualTo(Source.RESPONSE_HEADER);
          assertThat(t.backendId()).isEqualTo("10.0.3.7:8080");
        });
  }

  @Test
  void documentedEnvelopeExample() {
    // envoy.http.stateful_session.envelope docs:
    // session-header: "MS4yLjMuNDo4MAo=;UV:eHh4eHh4Cg==" # base64(1.2.3.4:80);UV:base64(xxxxxx)
    assertThat(AffinityToken.ofValue("session-header", Source.RESPONSE_HEADER,
        "MS4yLjMuNDo4MAo=;UV:eHh4eHh4Cg==")).map(AffinityToken::backendId).contains("1.2.3.4:80");
    assertThat(AffinityToken.ofValue("mcp-session-id", Source.RESPONSE_HEADER,
        PLAIN + ";UV:" + "c2Vzc2lvbi00Mg==")).map(AffinityToken::backendId)
        .contains("10.0.3.7:8080");
  }

  @Test
  void envelopeWithoutUpstreamValueIsNotEnvoys() {
    assertThat(KnownBalancers.balancerOfValue(PLAIN + ";XX:c2Vzc2lvbi00Mg==")).isEmpty();
    assertThat(KnownBalancers.balancerOfValue(PLAIN + ";UV:")).isEmpty();
    assertThat(KnownBalancers.balancerOfValue(PLAIN + ";UV:!!!")).isEmpty();
    assertThat(KnownBalancers.balancerOfValue("bm9wZQ==;UV:c2Vzc2lvbi00Mg==")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "\"\"", "s1", "dark", "MTAuMC4zLjc=", // base64("10.0.3.7"): no port
      "dXNlcjoxMjM0", // base64("user:1234"): not an IP literal
      "MTAuMC4zLjc6OTk5OTk=", // base64("10.0.3.7:99999"): no such port
      "MTAuMC4zLjc6ODA4MA=x", "MTAuMC4z Ljc6ODA4MA==", "Cg0xMC4wLjMuNzo4MDgwGAE=", // unknown field 3
      "Cg0xMC4wLjMu", // protobuf cut short
      "eyJhZGRyZXNzIjoiMTAuMC4zLjc6ODA4MCJ9" // JSON, never released by Envoy
  })
  void otherValuesAreNotEnvoys(String value) {
    assertThat(KnownBalancers.balancerOfValue(value)).isEmpty();
    assertThat(AffinityToken.ofValue("c", Source.COOKIE, value)).isEmpty();
  }

  @Test
  void balancerOfValueNamesEnvoy() {
    assertThat(KnownBalancers.balancerOfValue("\"" + PROTO + "\"")).contains("Envoy stateful session");
  }

  @Test
  void tokenNeverShowsTheValueOrAddress() {
    AffinityToken token = cookieToken(setCookie("gw=\"" + PLAIN + "\"; Path=/"));
    assertThat(token.toString()).doesNotContain(PLAIN).doesNotContain("10.0.3.7");
  }

  @Test
  void onlyCookieAndResponseHeaderSources() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityToken.ofValue("q", Source.QUERY_PARAMETER, PLAIN))
        .withMessage("source (QUERY_PARAMETER) must be COOKIE or RESPONSE_HEADER");
  }
}
