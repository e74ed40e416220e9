package io.stickyws;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder rules of {@link ReconnectPolicy} not covered by {@link ReconnectPolicyTest}: one rule per test. */
class ReconnectPolicyValidationTest {
  @Test
  void rejectsNegativeMaxDelay() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxDelay(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay (PT-1S) must be > 0");
  }

  @Test
  void rejectsNullMaxDelay() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxDelay(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxDelay == null");
  }

  @Test
  void rejectsNegativeMaxElapsedTime() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxElapsedTime(Duration.ofMinutes(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxElapsedTime (PT-1M) must be > 0");
  }

  @Test
  void rejectsZeroResetAfter() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().resetAfter(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resetAfter (PT0S) must be > 0");
  }

  @Test
  void rejectsNullResetAfter() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().resetAfter(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("resetAfter == null");
  }

  @Test
  void rejectsNegativeMaxRetryAfter() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxRetryAfter(Duration.ofSeconds(-30)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetryAfter (PT-30S) must be > 0");
  }

  @Test
  void rejectsZeroProportionalJitterFactor() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().proportionalJitter(0.0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitterFactor (0.0) must be > 0 and <= 1");
  }

  @Test
  void rejectsProportionalJitterFactorAboveOne() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().proportionalJitter(1.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitterFactor (1.5) must be > 0 and <= 1");
  }

  @Test
  void rejectsStatusBelowHttpRange() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().retryOnStatus(99).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status (99) must be in [100, 599]");
  }

  @Test
  void rejectsGiveUpCloseCodeAbove4999() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().giveUpOnCloseCode(5000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeCode (5000) must be in [1000, 4999]");
  }

  @Test
  void rejectsNullStatuses() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().giveUpOnStatus((int[]) null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("statuses == null");
  }
}
