package io.stickyws.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.stickyws.affinity.AffinityToken.Source;
import org.junit.jupiter.api.Test;

class AffinityTokenTest {

  private static AffinityToken cookie(String name, String value) {
    return AffinityToken.ofCookie(name, value).orElseThrow();
  }

  @Test
  void serveridWithoutSuffixNamesWholeValue() {
    AffinityToken token = cookie("SERVERID", "s1");
    assertThat(token.backendId()).isEqualTo("s1");
    assertThat(token.balancer()).isEqualTo("HAProxy");
    assertThat(token.source()).isEqualTo(Source.COOKIE);
    assertThat(token.value()).isEqualTo("s1");
  }

  @Test
  void serveridDropsMaxidleAndMaxlifeDateSuffixes() {
    assertThat(cookie("SERVERID", "s1|ZG9kt|ZG9kt").backendId()).isEqualTo("s1");
    assertThat(cookie("SERVERID", "web-2|ZG9kt").backendId()).isEqualTo("web-2");
    assertThat(cookie("SERVERID", "s1|ZG9kt|ZG9kt").value()).isEqualTo("s1|ZG9kt|ZG9kt");
  }

  @Test
  void serveridDateSuffixesDoNotChangeBackendOrFingerprint() {
    AffinityToken first = cookie("SERVERID", "s1|ZG9kt|ZG9kt");
    AffinityToken later = cookie("SERVERID", "s1|ZH0aB|ZG9kt");
    assertThat(first.sameBackendAs(later)).isTrue();
    assertThat(first.fingerprint()).isEqualTo(later.fingerprint());
    assertThat(first).isNotEqualTo(later);
  }

  @Test
  void serveridWithEmptyServerIsNotAToken() {
    assertThat(AffinityToken.ofCookie("SERVERID", "|ZG9kt")).isEmpty();
  }

  @Test
  void haproxyPrefixModeNamesServerBeforeTilde() {
    AffinityToken token = cookie("JSESSIONID", "s2~0F3C9A1B77.node9");
    assertThat(token.backendId()).isEqualTo("s2");
    assertThat(token.balancer()).isEqualTo("HAProxy");
  }

  @Test
  void tomcatRouteNamesBackend() {
    AffinityToken token = cookie("JSESSIONID", "0F3C9A1B77D2.node1");
    assertThat(token.backendId()).isEqualTo("node1");
    assertThat(token.balancer()).isEqualTo("Tomcat");
  }

  @Test
  void tomcatSessionsOnOneRouteAreTheSameBackend() {
    assertThat(cookie("JSESSIONID", "AAAA.node1").sameBackendAs(cookie("JSESSIONID", "BBBB.node1")))
        .isTrue();
    assertThat(cookie("JSESSIONID", "AAAA.node1").sameBackendAs(cookie("JSESSIONID", "AAAA.node2")))
        .isFalse();
  }

  @Test
  void plainJsessionIdIsNotAToken() {
    assertThat(AffinityToken.ofCookie("JSESSIONID", "0F3C9A1B77D2")).isEmpty();
  }

  @Test
  void apacheRouteIdNamesRouteAfterDot() {
    assertThat(cookie("ROUTEID", ".route1").backendId()).isEqualTo("route1");
    assertThat(cookie("ROUTEID", "balancer.route2").backendId()).isEqualTo("route2");
    assertThat(cookie("ROUTEID", ".route1").balancer()).isEqualTo("Apache httpd");
  }

  @Test
  void otherBuiltInsUseWholeValue() {
    assertThat(cookie("INGRESSCOOKIE", "1712345678.123.42.abcdef").backendId())
        .isEqualTo("1712345678.123.42.abcdef");
    assertThat(cookie("lb", "f3a9c0").backendId()).isEqualTo("f3a9c0");
  }

  @Test
  void unknownCookieIsNotAToken() {
    assertThat(AffinityToken.ofCookie("theme", "dark")).isEmpty();
  }

  @Test
  void builderDefaultsToWholeValueAndCustomBalancer() {
    AffinityToken token = AffinityToken.builder()
        .name("X-Backend").source(Source.RESPONSE_HEADER).value("b7").build();
    assertThat(token.backendId()).isEqualTo("b7");
    assertThat(token.balancer()).isEqualTo("custom");
    assertThat(token.newBuilder().build()).isEqualTo(token);
  }

  @Test
  void fingerprintIsTwelveHexDigitsOfSha256OfNameAndBackendId() {
    // sha256("SERVERID\0s1") starts with 5ff1126a3484: stable across runs and machines.
    assertThat(cookie("SERVERID", "s1|ZG9kt").fingerprint()).isEqualTo("5ff1126a3484");
  }

  @Test
  void fingerprintDiffersByBackendAndByName() {
    assertThat(cookie("SERVERID", "s1").fingerprint())
        .isNotEqualTo(cookie("SERVERID", "s2").fingerprint())
        .isNotEqualTo(cookie("lb", "s1").fingerprint());
  }

  @Test
  void fingerprintNeverContainsValue() {
    AffinityToken token = cookie("SERVERID", "backend-secret-7|ZG9kt");
    assertThat(token.fingerprint())
        .matches("[0-9a-f]{12}")
        .doesNotContain("backend-secret-7")
        .doesNotContain("ZG9kt");
  }

  @Test
  void toStringShowsNameSourceBalancerFingerprintOnly() {
    AffinityToken token = cookie("SERVERID", "backend-secret-7|ZG9kt");
    assertThat(token.toString())
        .contains("SERVERID", "COOKIE", "HAProxy", token.fingerprint())
        .doesNotContain("backend-secret-7")
        .doesNotContain("ZG9kt");
  }

  @Test
  void sameBackendNeedsSameSourceAndName() {
    AffinityToken header = AffinityToken.builder()
        .name("X-Backend").source(Source.RESPONSE_HEADER).value("s1").build();
    AffinityToken otherCase = header.newBuilder().name("x-backend").build();
    AffinityToken asRequestHeader = header.newBuilder().source(Source.REQUEST_HEADER).build();
    assertThat(header.sameBackendAs(otherCase)).isTrue();
    assertThat(header.sameBackendAs(asRequestHeader)).isFalse();
    assertThat(cookie("SERVERID", "s1").sameBackendAs(cookie("lb", "s1"))).isFalse();
  }

  @Test
  void rotatingValuesThatDifferAreNotTheSameBackend() {
    assertThat(cookie("AWSALB", "Xk1...a").sameBackendAs(cookie("AWSALB", "Yq2...b"))).isFalse();
    assertThat(cookie("AWSALB", "Xk1...a").sameBackendAs(cookie("AWSALB", "Xk1...a"))).isTrue();
  }

  @Test
  void equalWhenEveryFieldIsEqual() {
    assertThat(cookie("SERVERID", "s1|a")).isEqualTo(cookie("SERVERID", "s1|a"))
        .hasSameHashCodeAs(cookie("SERVERID", "s1|a"))
        .isNotEqualTo(cookie("SERVERID", "s1|b"));
  }

  @Test
  void builderRejectsMissingName() {
    assertThatNullPointerException()
        .isThrownBy(() -> AffinityToken.builder().source(Source.COOKIE).value("v").build())
        .withMessage("name == null");
  }

  @Test
  void builderRejectsBlankName() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityToken.builder().name(" ").source(Source.COOKIE).value("v").build())
        .withMessage("name (\" \") must not be blank");
  }

  @Test
  void builderRejectsEmptyValueWithoutShowingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityToken.builder().name("lb").source(Source.COOKIE).value("").build())
        .withMessage("value of lb must not be empty");
  }
}
