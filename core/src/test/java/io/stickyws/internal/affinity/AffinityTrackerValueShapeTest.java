package io.stickyws.internal.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.AffinityToken.Source;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.Cookie;
import io.stickyws.internal.affinity.AffinityTracker.Opened;
import io.stickyws.spi.HandshakeResponse;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envoy stateful-session tokens found by value shape, and how they rank against names. */
class AffinityTrackerValueShapeTest {
  private static final URI GATEWAY = URI.create("ws://gw.example.com/ws");
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final HandshakeResponse OK = HandshakeResponse.of(101, Map.of());
  /** base64("10.0.3.7:8080") and base64("10.0.3.8:8080"). */
  private static final String HOST_A = "MTAuMC4zLjc6ODA4MA==";
  private static final String HOST_B = "MTAuMC4zLjg6ODA4MA==";
  /** Protobuf form of 10.0.3.7:8080 with two different expiries. */
  private static final String HOST_A_PROTO = "Cg0xMC4wLjMuNzo4MDgwEIetSw==";
  private static final String HOST_A_PROTO_LATER = "Cg0xMC4wLjMuNzo4MDgwELewSw==";

  private final AffinityTracker tracker = new AffinityTracker(AffinityRules.defaults());

  /** What Envoy's makeSetCookieValue writes for an operator-chosen name. */
  private static Cookie envoy(String name, String encoded) {
    return Cookie.parse(GATEWAY, name + "=\"" + encoded + "\"; Max-Age=3600; Path=/; HttpOnly", NOW)
        .orElseThrow();
  }

  private static Cookie plain(String name, String value) {
    return Cookie.parse(GATEWAY, name + "=" + value + "; Path=/", NOW).orElseThrow();
  }

  private static HandshakeResponse header(String name, String value) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Sec-WebSocket-Accept", List.of("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    headers.put(name, List.of(value));
    return HandshakeResponse.of(101, headers);
  }

  @Test
  void envoyCookieUnderAnyNameIsTheToken() {
    Opened first = tracker.onOpen(OK, List.of(envoy("gw-session", HOST_A_PROTO)), List.of());
    assertThat(first.token()).hasValueSatisfying(t -> {
      assertThat(t.name()).isEqualTo("gw-session");
      assertThat(t.balancer()).isEqualTo("Envoy stateful session");
      assertThat(t.backendId()).isEqualTo("10.0.3.7:8080");
    });
    assertThat(first.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
  }

  @Test
  void envoyKeepsTheHostAndSetsNothing() {
    Cookie a = envoy("gw-session", HOST_A_PROTO);
    tracker.onOpen(OK, List.of(a), List.of());
    Opened again = tracker.onOpen(OK, List.of(), List.of(a));
    assertThat(again.sameBackend()).isEqualTo(SameBackend.SAME);
    assertThat(tracker.applyToCookies(List.of())).containsExactly(a);
  }

  @Test
  void sameHostReissuedWithAnotherExpiryIsSame() {
    tracker.onOpen(OK, List.of(envoy("gw", HOST_A_PROTO)), List.of());
    Opened again = tracker.onOpen(OK, List.of(envoy("gw", HOST_A_PROTO_LATER)), List.of());
    assertThat(again.sameBackend()).isEqualTo(SameBackend.SAME);
  }

  @Test
  void envoyPicksAnotherHostIsChanged() {
    Cookie a = envoy("gw", HOST_A);
    tracker.onOpen(OK, List.of(a), List.of());
    Opened moved = tracker.onOpen(OK, List.of(envoy("gw", HOST_B)), List.of(a));
    assertThat(moved.sameBackend()).isEqualTo(SameBackend.CHANGED);
    assertThat(moved.token()).map(AffinityToken::backendId).contains("10.0.3.8:8080");
    assertThat(moved.changedFrom()).map(AffinityToken::backendId).contains("10.0.3.7:8080");
  }

  @Test
  void deletedEnvoyCookieIsNoToken() {
    Cookie a = envoy("gw", HOST_A);
    tracker.onOpen(OK, List.of(a), List.of());
    Cookie deleted = Cookie.parse(GATEWAY, "gw=\"\"; Max-Age=0; Path=/", NOW).orElseThrow();
    Opened opened = tracker.onOpen(OK, List.of(deleted), List.of(a));
    assertThat(opened.token()).isEmpty();
    Cookie expired = Cookie.parse(GATEWAY,
        "gw=\"" + HOST_A + "\"; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/", NOW).orElseThrow();
    assertThat(tracker.onOpen(OK, List.of(expired), List.of(a)).token()).isEmpty();
  }

  @Test
  void cookieRecognisedByNameWinsOverValueShapeInTheSameResponse() {
    Opened opened = tracker.onOpen(OK,
        List.of(plain("prefs", HOST_A), plain("SERVERID", "s1")), List.of());
    assertThat(opened.token()).map(AffinityToken::name).contains("SERVERID");
  }

  @Test
  void cookieRecognisedByNameThatWasSentWinsOverValueShapeThatWasSet() {
    // HAProxy insert indirect sets nothing; the application sets a cookie that looks like Envoy's
    Opened opened = tracker.onOpen(OK, List.of(plain("prefs", HOST_A)),
        List.of(plain("SERVERID", "s1")));
    assertThat(opened.token()).map(AffinityToken::name).contains("SERVERID");
  }

  @Test
  void rotatingNameWinsOverValueShape() {
    Opened opened = tracker.onOpen(OK,
        List.of(plain("prefs", HOST_A), plain("AWSALB", "opaque+v1")), List.of());
    assertThat(opened.token()).map(AffinityToken::name).contains("AWSALB");
  }

  @Test
  void configuredResponseHeaderWinsOverValueShape() {
    AffinityTracker withHeader = new AffinityTracker(
        AffinityRules.builder().responseHeader("X-Backend").build());
    Opened opened = withHeader.onOpen(header("X-Backend", "node-7"),
        List.of(plain("prefs", HOST_A)), List.of());
    assertThat(opened.token()).map(AffinityToken::name).contains("X-Backend");
  }

  @Test
  void fixedRequestHeaderWinsOverValueShape() {
    AffinityTracker fixed = new AffinityTracker(
        AffinityRules.builder().requestHeader("fly-force-instance-id", "i-1").build());
    Opened opened = fixed.onOpen(OK, List.of(plain("prefs", HOST_A)), List.of());
    assertThat(opened.token()).map(AffinityToken::source).contains(Source.REQUEST_HEADER);
  }

  @Test
  void valueShapesOffIgnoresAnEnvoyCookie() {
    AffinityTracker namesOnly = new AffinityTracker(
        AffinityRules.builder().valueShapes(false).build());
    Opened opened = namesOnly.onOpen(OK, List.of(envoy("gw", HOST_A)), List.of());
    assertThat(opened.token()).isEmpty();
    assertThat(namesOnly.onAttemptFailed(List.of(envoy("gw", HOST_A)))).isFalse();
    assertThat(namesOnly.token()).isEmpty();
  }

  @Test
  void valueShapesOffStillReadsANamedEnvoyCookieByItsAddress() {
    AffinityTracker named = new AffinityTracker(
        AffinityRules.builder().valueShapes(false).cookie("gw").build());
    named.onOpen(OK, List.of(envoy("gw", HOST_A_PROTO)), List.of());
    Opened again = named.onOpen(OK, List.of(envoy("gw", HOST_A_PROTO_LATER)), List.of());
    assertThat(again.sameBackend()).isEqualTo(SameBackend.SAME);
    assertThat(again.token()).map(AffinityToken::balancer).contains("Envoy stateful session");
  }

  @Test
  void envoyHeaderModeIsFoundReplayedAndCompared() {
    Opened first = tracker.onOpen(header("x-session-host", HOST_A), List.of(), List.of());
    assertThat(first.token()).hasValueSatisfying(t -> {
      assertThat(t.source()).isEqualTo(Source.RESPONSE_HEADER);
      assertThat(t.backendId()).isEqualTo("10.0.3.7:8080");
    });
    Map<String, List<String>> request = new LinkedHashMap<>();
    tracker.applyToHeaders(request);
    assertThat(request).containsEntry("x-session-host", List.of(HOST_A));
    // Envoy sets the header again only when it picks another host
    assertThat(tracker.onOpen(OK, List.of(), List.of()).sameBackend()).isEqualTo(SameBackend.SAME);
    Opened moved = tracker.onOpen(header("x-session-host", HOST_B), List.of(), List.of());
    assertThat(moved.sameBackend()).isEqualTo(SameBackend.CHANGED);
    request.clear();
    tracker.applyToHeaders(request);
    assertThat(request).containsEntry("x-session-host", List.of(HOST_B));
  }

  @Test
  void configuredEnvoyHeaderIsComparedByAddress() {
    AffinityTracker configured = new AffinityTracker(
        AffinityRules.builder().responseHeader("x-session-host").build());
    Opened opened = configured.onOpen(header("x-session-host", HOST_A), List.of(), List.of());
    assertThat(opened.token()).map(AffinityToken::backendId).contains("10.0.3.7:8080");
    assertThat(opened.token()).map(AffinityToken::balancer).contains("Envoy stateful session");
  }

  @Test
  void envelopeHeaderIsReplayedWhole() {
    String envelope = HOST_A + ";UV:c2Vzc2lvbi00Mg==";
    Opened opened = tracker.onOpen(header("Mcp-Session-Id", envelope), List.of(), List.of());
    assertThat(opened.token()).map(AffinityToken::backendId).contains("10.0.3.7:8080");
    Map<String, List<String>> request = new LinkedHashMap<>();
    tracker.applyToHeaders(request);
    assertThat(request).containsEntry("Mcp-Session-Id", List.of(envelope));
  }

  @Test
  void valueShapesOffFindsNoHeader() {
    AffinityTracker namesOnly = new AffinityTracker(
        AffinityRules.builder().valueShapes(false).build());
    assertThat(namesOnly.onOpen(header("x-session-host", HOST_A), List.of(), List.of()).token())
        .isEmpty();
    Map<String, List<String>> request = new LinkedHashMap<>();
    namesOnly.applyToHeaders(request);
    assertThat(request).isEmpty();
  }

  @Test
  void handshakeHeadersAreNeverReplayed() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Sec-WebSocket-Protocol", List.of(HOST_A));
    headers.put("Connection", List.of(HOST_A));
    tracker.onOpen(HandshakeResponse.of(101, headers), List.of(), List.of());
    Map<String, List<String>> request = new LinkedHashMap<>();
    tracker.applyToHeaders(request);
    assertThat(request).isEmpty();
    assertThat(tracker.token()).isEmpty();
  }

  @Test
  void strictEnvoyAnswering503DropsTheCookieAfterTheConfiguredFailures() {
    Cookie a = envoy("gw", HOST_A);
    tracker.onOpen(OK, List.of(a), List.of());
    assertThat(tracker.onAttemptFailed(List.of(a))).isFalse();
    assertThat(tracker.onAttemptFailed(List.of(a))).isFalse();
    assertThat(tracker.onAttemptFailed(List.of(a))).isTrue();
    assertThat(tracker.takeDroppedCookie()).contains(a);
    Opened elsewhere = tracker.onOpen(OK, List.of(envoy("gw", HOST_B)), List.of());
    assertThat(elsewhere.sameBackend()).isEqualTo(SameBackend.CHANGED);
  }

  @Test
  void dropForgetsADiscoveredHeader() {
    tracker.onOpen(header("x-session-host", HOST_A), List.of(), List.of());
    tracker.drop();
    Map<String, List<String>> request = new LinkedHashMap<>();
    tracker.applyToHeaders(request);
    assertThat(request).isEmpty();
  }
}
