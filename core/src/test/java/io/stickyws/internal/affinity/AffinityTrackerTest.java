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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AffinityTrackerTest {
  private static final HandshakeResponse OK = HandshakeResponse.of(101, Map.of());

  private final AffinityTracker tracker = new AffinityTracker(AffinityRules.defaults());

  private static Cookie cookie(String name, String value) {
    return Cookie.builder().name(name).value(value).domain("example.com").build();
  }

  private static HandshakeResponse withHeader(String name, String value) {
    return HandshakeResponse.of(101, Map.of(name, List.of(value)));
  }

  /** The balancer sets the cookie on this handshake. */
  private static Opened issued(AffinityTracker tracker, Cookie cookie) {
    return tracker.onOpen(OK, List.of(cookie), List.of());
  }

  @Test
  void firstOpenIsUnknown() {
    Opened opened = issued(tracker, cookie("SERVERID", "s1"));
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
    assertThat(opened.token()).map(AffinityToken::backendId).contains("s1");
    assertThat(opened.changedFrom()).isEmpty();
    assertThat(tracker.token()).isEqualTo(opened.token());
  }

  @Test
  void openWithoutTokenIsUnknown() {
    Opened opened = tracker.onOpen(OK, List.of(cookie("theme", "dark")), List.of());
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
    assertThat(opened.token()).isEmpty();
    assertThat(tracker.token()).isEmpty();
  }

  @Test
  void reissuedSameBackendIsSame() {
    issued(tracker, cookie("SERVERID", "s1|ZG9kt|ZG9kt"));
    Opened opened = issued(tracker, cookie("SERVERID", "s1|ZH0aB|ZG9kt"));
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.SAME);
    assertThat(opened.changedFrom()).isEmpty();
  }

  @Test
  void haproxyInsertIndirectFlow() {
    Cookie s1 = cookie("SERVERID", "s1");
    // First handshake: the balancer picks s1 and sets the cookie.
    Opened first = tracker.onOpen(OK, List.of(s1), List.of());
    assertThat(first.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
    // Reconnect: we send it, HAProxy (insert indirect) keeps us on s1 and sets nothing.
    Opened second = tracker.onOpen(OK, List.of(), List.of(s1));
    assertThat(second.sameBackend()).isEqualTo(SameBackend.SAME);
    assertThat(second.token()).map(AffinityToken::backendId).contains("s1");
    // s1 died: HAProxy redispatches to s2 and sets the new cookie.
    Opened third = tracker.onOpen(OK, List.of(cookie("SERVERID", "s2")), List.of(s1));
    assertThat(third.sameBackend()).isEqualTo(SameBackend.CHANGED);
    assertThat(third.token()).map(AffinityToken::backendId).contains("s2");
    assertThat(third.changedFrom()).map(AffinityToken::backendId).contains("s1");
  }

  @Test
  void firstOpenThatSentTheJarsCookieIsSameWhenHonoured() {
    // a new process: the tracker knows nothing, the jar sent s3 and the balancer kept it
    Opened opened = tracker.onOpen(OK, List.of(), List.of(cookie("SERVERID", "s3")));
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.SAME);
    assertThat(opened.token()).map(AffinityToken::backendId).contains("s3");
  }

  @Test
  void firstOpenThatSentTheJarsCookieIsChangedWhenReplaced() {
    Opened opened = tracker.onOpen(
        OK, List.of(cookie("SERVERID", "s1")), List.of(cookie("SERVERID", "s3")));
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.CHANGED);
    assertThat(opened.changedFrom()).map(AffinityToken::backendId).contains("s3");
    assertThat(opened.token()).map(AffinityToken::backendId).contains("s1");
  }

  @Test
  void findsTheAffinityCookiesAmongOthers() {
    assertThat(tracker.affinityCookies(List.of(cookie("theme", "dark"), cookie("SERVERID", "s1"))))
        .extracting(Cookie::name).containsExactly("SERVERID");
  }

  @Test
  void openWithoutTokenKeepsLastKnownForComparison() {
    issued(tracker, cookie("SERVERID", "s1"));
    assertThat(tracker.onOpen(OK, List.of(), List.of()).sameBackend())
        .isEqualTo(SameBackend.UNKNOWN);
    Opened opened = issued(tracker, cookie("SERVERID", "s2"));
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.CHANGED);
    assertThat(opened.changedFrom()).map(AffinityToken::backendId).contains("s1");
  }

  @Test
  void awsAlbRotationIsUnknownNotChanged() {
    issued(tracker, cookie("AWSALB", "rot4tesA/ZmI2OWNk"));
    Opened rotated = issued(tracker, cookie("AWSALB", "rot4tesB/OWU3YzQx"));
    assertThat(rotated.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
    assertThat(rotated.changedFrom()).isEmpty();
    assertThat(rotated.token()).map(AffinityToken::balancer).contains("AWS ALB");
    Opened kept = tracker.onOpen(OK, List.of(), List.of(cookie("AWSALB", "rot4tesB/OWU3YzQx")));
    assertThat(kept.sameBackend()).isEqualTo(SameBackend.SAME);
  }

  @Test
  void prefersBackendNamingCookieOverRotatingOne() {
    Opened opened = tracker.onOpen(OK,
        List.of(cookie("AWSALB", "opaque"), cookie("SERVERID", "s1")), List.of());
    assertThat(opened.token()).map(AffinityToken::name).contains("SERVERID");
  }

  @Test
  void receivedCookieWinsOverSentCookie() {
    Opened opened = tracker.onOpen(OK,
        List.of(cookie("SERVERID", "s2")), List.of(cookie("SERVERID", "s1")));
    assertThat(opened.token()).map(AffinityToken::backendId).contains("s2");
  }

  @Test
  void configuredCookieIsCheckedBeforeBuiltIns() {
    AffinityTracker custom = new AffinityTracker(AffinityRules.builder().cookie("STICKY").build());
    Opened opened = custom.onOpen(OK,
        List.of(cookie("SERVERID", "s1"), cookie("STICKY", "node-a")), List.of());
    assertThat(opened.token()).map(AffinityToken::name).contains("STICKY");
    assertThat(opened.token()).map(AffinityToken::balancer).contains("custom");
    assertThat(opened.token()).map(AffinityToken::backendId).contains("node-a");
  }

  @Test
  void configuredBuiltInNameKeepsBuiltInReading() {
    AffinityTracker custom = new AffinityTracker(AffinityRules.builder().cookie("SERVERID").build());
    Opened opened = custom.onOpen(OK, List.of(cookie("SERVERID", "s1|ZG9kt")), List.of());
    assertThat(opened.token()).map(AffinityToken::backendId).contains("s1");
  }

  @Test
  void builtInCookiesCanBeTurnedOff() {
    AffinityTracker custom =
        new AffinityTracker(AffinityRules.builder().builtInCookies(false).build());
    assertThat(custom.onOpen(OK, List.of(cookie("SERVERID", "s1")), List.of()).token()).isEmpty();
  }

  @Test
  void plainJsessionIdIsNotATokenButTomcatRouteIs() {
    assertThat(issued(tracker, cookie("JSESSIONID", "0F3C9A1B77D2")).token()).isEmpty();
    issued(tracker, cookie("JSESSIONID", "0F3C9A1B77D2.node1"));
    Opened newSession = issued(tracker, cookie("JSESSIONID", "77AA01.node1"));
    assertThat(newSession.sameBackend()).isEqualTo(SameBackend.SAME);
  }

  @Test
  void deletedAffinityCookieIsNotTheToken() {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    Cookie deletion = cookie("SERVERID", "s1").newBuilder()
        .creationTime(Instant.parse("2025-01-01T00:00:00Z"))
        .expiresAt(Instant.parse("1970-01-01T00:00:00Z"))
        .build();
    Opened opened = tracker.onOpen(OK, List.of(deletion), List.of(s1));
    assertThat(opened.token()).isEmpty();
    assertThat(tracker.applyToCookies(List.of())).isEmpty();
  }

  @Test
  void dropsAfterThreeConsecutiveFailures() {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    assertThat(tracker.onAttemptFailed()).isFalse();
    assertThat(tracker.onAttemptFailed()).isFalse();
    assertThat(tracker.token()).isPresent();
    assertThat(tracker.onAttemptFailed()).isTrue();
    assertThat(tracker.token()).isEmpty();
    assertThat(tracker.takeDroppedCookie()).contains(s1);
    assertThat(tracker.takeDroppedCookie()).isEmpty();
    assertThat(tracker.applyToCookies(List.of())).isEmpty();
  }

  @Test
  void aBalancerThatPinsTheDroppedBackendAgainIsDroppedAtItsFirstFailure() {
    // Caddy's cookie policy: with no cookie, a random pick and its Set-Cookie, on a 502 too
    Cookie dead = cookie("lb", "dead");
    issued(tracker, dead);
    tracker.onAttemptFailed();
    tracker.onAttemptFailed();
    assertThat(tracker.onAttemptFailed()).isTrue();
    tracker.takeDroppedCookie();

    assertThat(tracker.onAttemptFailed(List.of(dead))).as("the same backend, pinned again").isTrue();
    assertThat(tracker.takeDroppedCookie()).contains(dead);

    Cookie other = cookie("lb", "other");
    assertThat(tracker.onAttemptFailed(List.of(other))).as("another backend counts as usual").isFalse();
    assertThat(tracker.onAttemptFailed(List.of(other))).isFalse();
    assertThat(tracker.onAttemptFailed(List.of(other))).isTrue();
  }

  @Test
  void anOpenForgetsTheBackendDroppedBefore() {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    for (int i = 0; i < 3; i++) {
      tracker.onAttemptFailed();
    }
    tracker.onOpen(OK, List.of(), List.of()); // on another backend, no cookie of its own

    assertThat(tracker.onAttemptFailed(List.of(s1))).isFalse();
    assertThat(tracker.onAttemptFailed(List.of(s1))).isFalse();
    assertThat(tracker.onAttemptFailed(List.of(s1))).isTrue();
  }

  @Test
  void openResetsFailureCount() {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    tracker.onAttemptFailed();
    tracker.onAttemptFailed();
    tracker.onOpen(OK, List.of(), List.of(s1));
    assertThat(tracker.onAttemptFailed()).isFalse();
    assertThat(tracker.onAttemptFailed()).isFalse();
    assertThat(tracker.token()).isPresent();
    assertThat(tracker.onAttemptFailed()).isTrue();
  }

  @Test
  void failuresWithoutTokenDoNotCount() {
    for (int i = 0; i < 5; i++) {
      assertThat(tracker.onAttemptFailed()).isFalse();
    }
    issued(tracker, cookie("SERVERID", "s1"));
    assertThat(tracker.onAttemptFailed()).isFalse();
    assertThat(tracker.onAttemptFailed()).isFalse();
    assertThat(tracker.token()).isPresent();
  }

  @Test
  void failuresBeforeDropAreConfigurable() {
    AffinityTracker eager =
        new AffinityTracker(AffinityRules.builder().dropAfterFailures(1).build());
    issued(eager, cookie("SERVERID", "s1"));
    assertThat(eager.onAttemptFailed()).isTrue();
    assertThat(eager.token()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {1001, 1012, 1013})
  void dropsWhenBackendGoesAway(int closeCode) {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    assertThat(tracker.onConnectionClosed(closeCode)).isTrue();
    assertThat(tracker.token()).isEmpty();
    assertThat(tracker.takeDroppedCookie()).contains(s1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1006, 1011, 4000})
  void keepsTokenOnOtherCloses(int closeCode) {
    issued(tracker, cookie("SERVERID", "s1"));
    assertThat(tracker.onConnectionClosed(closeCode)).isFalse();
    assertThat(tracker.token()).isPresent();
  }

  @Test
  void closeCodesAreConfigurable() {
    AffinityTracker custom =
        new AffinityTracker(AffinityRules.builder().dropOnCloseCodes(4000).build());
    issued(custom, cookie("SERVERID", "s1"));
    assertThat(custom.onConnectionClosed(1001)).isFalse();
    assertThat(custom.onConnectionClosed(4000)).isTrue();
    AffinityTracker never = new AffinityTracker(AffinityRules.builder().dropOnCloseCodes().build());
    issued(never, cookie("SERVERID", "s1"));
    assertThat(never.onConnectionClosed(1012)).isFalse();
  }

  @Test
  void closeWithoutTokenDropsNothing() {
    assertThat(tracker.onConnectionClosed(1001)).isFalse();
  }

  @Test
  void nextOpenAfterDropReportsChangedFromDroppedToken() {
    issued(tracker, cookie("SERVERID", "s1"));
    tracker.onConnectionClosed(1012);
    Opened opened = issued(tracker, cookie("SERVERID", "s2"));
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.CHANGED);
    assertThat(opened.changedFrom()).map(AffinityToken::backendId).contains("s1");
  }

  @Test
  void explicitDropReturnsCookieAndKeepsLastKnown() {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    assertThat(tracker.drop()).contains(s1);
    assertThat(tracker.drop()).isEmpty();
    assertThat(issued(tracker, cookie("SERVERID", "s1")).sameBackend())
        .isEqualTo(SameBackend.SAME);
  }

  @Test
  void tokenSurvivesClearedJar() {
    Cookie s1 = cookie("SERVERID", "s1");
    issued(tracker, s1);
    Cookie theme = cookie("theme", "dark");
    assertThat(tracker.applyToCookies(List.of(theme))).containsExactly(theme, s1);
    assertThat(tracker.applyToCookies(List.of())).containsExactly(s1);
  }

  @Test
  void jarCookieOfSameNameIsNotDuplicated() {
    issued(tracker, cookie("SERVERID", "s1"));
    Cookie fromJar = cookie("SERVERID", "s1|ZH0aB");
    assertThat(tracker.applyToCookies(List.of(fromJar))).containsExactly(fromJar);
  }

  @Test
  void nothingAddedBeforeAnyToken() {
    assertThat(tracker.applyToCookies(List.of())).isEmpty();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    tracker.applyToHeaders(headers);
    assertThat(headers).isEmpty();
    URI uri = URI.create("wss://example.com/ws?room=1");
    assertThat(tracker.applyToUri(uri)).isSameAs(uri);
  }

  @Test
  void capturesResponseHeaderAndReplaysIt() {
    AffinityTracker headerTracker =
        new AffinityTracker(AffinityRules.builder().responseHeader("X-Backend").build());
    Opened first = headerTracker.onOpen(withHeader("x-backend", "b1"), List.of(), List.of());
    assertThat(first.token()).map(AffinityToken::source).contains(Source.RESPONSE_HEADER);
    assertThat(first.token()).map(AffinityToken::backendId).contains("b1");

    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("x-backend", List.of("stale"));
    headerTracker.applyToHeaders(headers);
    assertThat(headers).containsExactly(Map.entry("X-Backend", List.of("b1")));

    Opened kept = headerTracker.onOpen(OK, List.of(), List.of());
    assertThat(kept.sameBackend()).isEqualTo(SameBackend.SAME);
    Opened moved = headerTracker.onOpen(withHeader("X-Backend", "b2"), List.of(), List.of());
    assertThat(moved.sameBackend()).isEqualTo(SameBackend.CHANGED);
  }

  @Test
  void replaysCapturedHeaderUnderRequestName() {
    AffinityTracker headerTracker = new AffinityTracker(
        AffinityRules.builder().responseHeader("X-Served-By", "X-Route-To").build());
    headerTracker.onOpen(withHeader("X-Served-By", "b1"), List.of(), List.of());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headerTracker.applyToHeaders(headers);
    assertThat(headers).containsExactly(Map.entry("X-Route-To", List.of("b1")));
  }

  @Test
  void droppingForgetsCapturedHeader() {
    AffinityTracker headerTracker =
        new AffinityTracker(AffinityRules.builder().responseHeader("X-Backend").build());
    headerTracker.onOpen(withHeader("X-Backend", "b1"), List.of(), List.of());
    headerTracker.onConnectionClosed(1001);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headerTracker.applyToHeaders(headers);
    assertThat(headers).isEmpty();
  }

  @Test
  void sendsFixedRequestHeader() {
    AffinityTracker fixed = new AffinityTracker(
        AffinityRules.builder().requestHeader("fly-force-instance-id", "148e2d0c").build());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Origin", List.of("https://example.com"));
    headers.put("Fly-Force-Instance-Id", List.of("other"));
    fixed.applyToHeaders(headers);
    assertThat(headers).containsExactly(
        Map.entry("Origin", List.of("https://example.com")),
        Map.entry("fly-force-instance-id", List.of("148e2d0c")));

    Opened first = fixed.onOpen(OK, List.of(), List.of());
    assertThat(first.token()).map(AffinityToken::source).contains(Source.REQUEST_HEADER);
    assertThat(first.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
    assertThat(fixed.onOpen(OK, List.of(), List.of()).sameBackend()).isEqualTo(SameBackend.SAME);
  }

  @Test
  void fixedHeaderIsNoLongerSentAfterDrop() {
    AffinityTracker fixed = new AffinityTracker(
        AffinityRules.builder().requestHeader("fly-force-instance-id", "148e2d0c").build());
    fixed.onOpen(OK, List.of(), List.of());
    fixed.onConnectionClosed(1012);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    fixed.applyToHeaders(headers);
    assertThat(headers).isEmpty();
    assertThat(fixed.onOpen(OK, List.of(), List.of()).token()).isEmpty();
  }

  @Test
  void addsEncodedQueryParameterAndKeepsExistingQuery() {
    AffinityTracker fixed = new AffinityTracker(
        AffinityRules.builder().queryParameter("backend", "b 1&x=é").build());
    URI uri = URI.create("wss://example.com:8443/chat/ws?room=a%20b&token=t#frag");
    assertThat(fixed.applyToUri(uri)).hasToString(
        "wss://example.com:8443/chat/ws?room=a%20b&token=t&backend=b%201%26x%3D%C3%A9#frag");
  }

  @Test
  void addsQueryWhenThereIsNone() {
    AffinityTracker fixed =
        new AffinityTracker(AffinityRules.builder().queryParameter("backend", "b1").build());
    assertThat(fixed.applyToUri(URI.create("ws://example.com/ws")))
        .hasToString("ws://example.com/ws?backend=b1");
  }

  @Test
  void replacesExistingParameterOfSameName() {
    AffinityTracker fixed =
        new AffinityTracker(AffinityRules.builder().queryParameter("backend", "b1").build());
    assertThat(fixed.applyToUri(URI.create("ws://example.com/ws?backend=old&room=1")))
        .hasToString("ws://example.com/ws?room=1&backend=b1");
  }

  @Test
  void queryParameterIsTheTokenWhenNothingElseIs() {
    AffinityTracker fixed =
        new AffinityTracker(AffinityRules.builder().queryParameter("backend", "b1").build());
    Opened opened = fixed.onOpen(OK, List.of(), List.of());
    assertThat(opened.token()).map(AffinityToken::source).contains(Source.QUERY_PARAMETER);
    fixed.onConnectionClosed(1001);
    URI uri = URI.create("ws://example.com/ws");
    assertThat(fixed.applyToUri(uri)).isSameAs(uri);
  }

  @Test
  void cookieTokenWinsOverFixedHeader() {
    AffinityTracker both = new AffinityTracker(
        AffinityRules.builder().requestHeader("X-Backend", "b1").build());
    Opened opened = both.onOpen(OK, List.of(cookie("SERVERID", "s1")), List.of());
    assertThat(opened.token()).map(AffinityToken::source).contains(Source.COOKIE);
  }

  @Test
  void openedToStringHidesValues() {
    Opened opened = issued(tracker, cookie("SERVERID", "backend-secret-7"));
    List<String> texts = new ArrayList<>();
    texts.add(opened.toString());
    assertThat(texts.get(0)).contains("SERVERID").doesNotContain("backend-secret-7");
  }
}
