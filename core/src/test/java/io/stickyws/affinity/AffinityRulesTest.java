package io.stickyws.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AffinityRulesTest {

  @Test
  void defaults() {
    AffinityRules rules = AffinityRules.defaults();
    assertThat(rules.cookies()).isEmpty();
    assertThat(rules.builtInCookies()).isTrue();
    assertThat(rules.responseHeaders()).isEmpty();
    assertThat(rules.requestHeaders()).isEmpty();
    assertThat(rules.queryParameters()).isEmpty();
    assertThat(rules.dropAfterFailures()).isEqualTo(3);
    assertThat(rules.dropOnCloseCodes()).containsExactly(1001, 1012, 1013);
    assertThat(AffinityRules.builder().build()).isEqualTo(rules).hasSameHashCodeAs(rules);
  }

  @Test
  void keepsEverySetting() {
    AffinityRules rules = AffinityRules.builder()
        .cookie("MYAFFINITY")
        .cookie("OTHER")
        .builtInCookies(false)
        .responseHeader("X-Backend")
        .responseHeader("X-Served-By", "X-Route-To")
        .requestHeader("fly-force-instance-id", "148e2d0c")
        .queryParameter("backend", "b1")
        .dropAfterFailures(5)
        .dropOnCloseCodes(1001, 4000)
        .build();
    assertThat(rules.cookies()).containsExactly("MYAFFINITY", "OTHER");
    assertThat(rules.builtInCookies()).isFalse();
    assertThat(rules.responseHeaders())
        .containsExactly(Map.entry("X-Backend", "X-Backend"), Map.entry("X-Served-By", "X-Route-To"));
    assertThat(rules.requestHeaders()).containsExactly(Map.entry("fly-force-instance-id", "148e2d0c"));
    assertThat(rules.queryParameters()).containsExactly(Map.entry("backend", "b1"));
    assertThat(rules.dropAfterFailures()).isEqualTo(5);
    assertThat(rules.dropOnCloseCodes()).containsExactly(1001, 4000);
    assertThat(rules.newBuilder().build()).isEqualTo(rules);
  }

  @Test
  void valueShapesAreOnByDefaultAndCanBeSwitchedOff() {
    assertThat(AffinityRules.defaults().valueShapes()).isTrue();
    AffinityRules namesOnly = AffinityRules.builder().valueShapes(false).build();
    assertThat(namesOnly.valueShapes()).isFalse();
    assertThat(namesOnly).isNotEqualTo(AffinityRules.defaults());
    assertThat(namesOnly.newBuilder().build()).isEqualTo(namesOnly).hasSameHashCodeAs(namesOnly);
    assertThat(namesOnly.toString()).contains("valueShapes=false");
    assertThat(namesOnly.newBuilder().valueShapes(true).build()).isEqualTo(AffinityRules.defaults());
  }

  @Test
  void laterHeaderOfSameNameReplacesEarlierIgnoringCase() {
    AffinityRules rules = AffinityRules.builder()
        .requestHeader("Fly-Force-Instance-Id", "old")
        .requestHeader("fly-force-instance-id", "new")
        .build();
    assertThat(rules.requestHeaders()).containsExactly(Map.entry("fly-force-instance-id", "new"));
  }

  @Test
  void duplicateCookieNamesAreKeptOnce() {
    assertThat(AffinityRules.builder().cookie("A").cookie("B").cookie("A").build().cookies())
        .containsExactly("A", "B");
  }

  @Test
  void closeCodesMayBeEmpty() {
    assertThat(AffinityRules.builder().dropOnCloseCodes().build().dropOnCloseCodes()).isEmpty();
  }

  @Test
  void collectionsAreUnmodifiable() {
    AffinityRules rules = AffinityRules.builder().cookie("A").build();
    List<String> cookies = rules.cookies();
    assertThatThrownBy(() -> cookies.add("B"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringHidesBackendIds() {
    String text = AffinityRules.builder()
        .requestHeader("fly-force-instance-id", "secret-instance-148e2d0c")
        .queryParameter("backend", "secret-b1")
        .build()
        .toString();
    assertThat(text).contains("fly-force-instance-id", "backend")
        .doesNotContain("secret-instance-148e2d0c")
        .doesNotContain("secret-b1");
  }

  @Test
  void validatesAtBuildNotBefore() {
    AffinityRules.Builder builder = AffinityRules.builder().dropAfterFailures(0).cookie(" ");
    assertThatIllegalArgumentException().isThrownBy(builder::build);
  }

  @Test
  void rejectsNullCookie() {
    assertThatNullPointerException()
        .isThrownBy(() -> AffinityRules.builder().cookie(null).build())
        .withMessage("cookie == null");
  }

  @Test
  void rejectsBlankCookie() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().cookie(" ").build())
        .withMessage("cookie (\" \") must not be blank");
  }

  @Test
  void rejectsCookieNameWithIllegalCharacter() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().cookie("MY;COOKIE").build())
        .withMessageStartingWith("cookie (MY;COOKIE) must be an RFC 9110 token");
  }

  @Test
  void rejectsBlankResponseHeader() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().responseHeader("").build())
        .withMessage("responseHeader (\"\") must not be blank");
  }

  @Test
  void rejectsResponseHeaderWithIllegalCharacter() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().responseHeader("X Backend").build())
        .withMessageStartingWith("responseHeader (X Backend) must be an RFC 9110 token");
  }

  @Test
  void rejectsReplayNameWithIllegalCharacter() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().responseHeader("X-Backend", "X:Route").build())
        .withMessageStartingWith("responseHeader requestName (X:Route) must be an RFC 9110 token");
  }

  @Test
  void rejectsSetCookieAsResponseHeader() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().responseHeader("set-cookie", "X-Route").build())
        .withMessageStartingWith("responseHeader (set-cookie) must not be Set-Cookie");
  }

  @Test
  void rejectsReplayUnderHandshakeHeader() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().responseHeader("X-Backend", "Cookie").build())
        .withMessageStartingWith("responseHeader requestName (Cookie) is set by the handshake");
  }

  @Test
  void rejectsNullRequestHeaderBackendId() {
    assertThatNullPointerException()
        .isThrownBy(() -> AffinityRules.builder().requestHeader("X-Backend", null).build())
        .withMessage("requestHeader backendId == null");
  }

  @Test
  void rejectsBlankRequestHeader() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().requestHeader(" ", "b1").build())
        .withMessage("requestHeader (\" \") must not be blank");
  }

  @Test
  void rejectsRequestHeaderWithIllegalCharacter() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().requestHeader("X-Back\nend", "b1").build())
        .withMessageStartingWith("requestHeader (X-Back\\u000aend) must be an RFC 9110 token");
  }

  @Test
  void rejectsRequestHeaderSetByHandshake() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().requestHeader("Sec-WebSocket-Key", "b1").build())
        .withMessageStartingWith("requestHeader (Sec-WebSocket-Key) is set by the handshake");
  }

  @Test
  void rejectsBlankRequestHeaderBackendId() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().requestHeader("X-Backend", "").build())
        .withMessage("requestHeader (X-Backend) backendId (\"\") must not be blank");
  }

  @Test
  void rejectsControlCharacterInRequestHeaderBackendIdWithoutShowingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().requestHeader("X-Backend", "zq\r\nxv").build())
        .withMessageStartingWith("requestHeader (X-Backend) backendId must not contain control")
        .withMessageNotContaining("zq")
        .withMessageNotContaining("xv");
  }

  @Test
  void rejectsBlankQueryParameter() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().queryParameter("", "b1").build())
        .withMessage("queryParameter (\"\") must not be blank");
  }

  @Test
  void rejectsBlankQueryParameterBackendId() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().queryParameter("backend", " ").build())
        .withMessage("queryParameter (backend) backendId (\" \") must not be blank");
  }

  @Test
  void rejectsZeroFailures() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().dropAfterFailures(0).build())
        .withMessage("dropAfterFailures (0) must be >= 1");
  }

  @Test
  void rejectsNegativeFailures() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().dropAfterFailures(-2).build())
        .withMessage("dropAfterFailures (-2) must be >= 1");
  }

  @Test
  void rejectsCloseCodeBelow1000() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().dropOnCloseCodes(1001, 999).build())
        .withMessage("dropOnCloseCodes (999) must be in 1000..4999");
  }

  @Test
  void rejectsCloseCodeAbove4999() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AffinityRules.builder().dropOnCloseCodes(5000).build())
        .withMessage("dropOnCloseCodes (5000) must be in 1000..4999");
  }

  @Test
  void rejectsNullCloseCodes() {
    assertThatNullPointerException()
        .isThrownBy(() -> AffinityRules.builder().dropOnCloseCodes((int[]) null).build())
        .withMessage("dropOnCloseCodes == null");
  }
}
