package io.stickyws.affinity;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.affinity.AffinityToken.Source;
import org.junit.jupiter.api.Test;

/** Builder rules of {@link AffinityToken} not covered by {@link AffinityTokenTest}: one rule per test. */
class AffinityTokenValidationTest {
  private static AffinityToken.Builder valid() {
    return AffinityToken.builder().name("SERVERID").source(Source.COOKIE).value("s1");
  }

  @Test
  void rejectsABlankBalancer() {
    assertThatThrownBy(() -> valid().balancer(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("balancer (\" \") must not be blank");
  }

  @Test
  void rejectsAnEmptyBackendIdWithoutShowingTheValue() {
    assertThatThrownBy(() -> valid().value("secret-value-1").backendId("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backendId of SERVERID must not be empty");
  }

  @Test
  void rejectsANullSource() {
    assertThatThrownBy(() -> valid().source(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("source == null");
  }
}
