package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.ReconnectPolicy.Jitter;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {

  @Test
  void defaultsMatchTheDocumentation() {
    ReconnectPolicy p = ReconnectPolicy.defaults();
    assertThat(p.initialDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(p.multiplier()).isEqualTo(2.0);
    assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.jitter()).isEqualTo(Jitter.TWO_THIRDS);
    assertThat(p.jitterFactor()).isEqualTo(0.5);
    assertThat(p.maxAttempts()).isEqualTo(OptionalInt.empty());
    assertThat(p.maxElapsedTime()).isEqualTo(Optional.empty());
    assertThat(p.resetAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.maxRetryAfter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(ReconnectPolicy.builder().build()).isEqualTo(p);
  }

  @Test
  void defaultStatusDecisions() {
    ReconnectPolicy p = ReconnectPolicy.defaults();
    // a success or redirect status is not a WebSocket endpoint (issue 13): gives up
    for (int status : new int[] {400, 401, 403, 404, 200, 204, 301, 302, 399}) {
      assertThat(p.retriesStatus(status)).as("status %d", status).isFalse();
    }
    for (int status : new int[] {408, 429, 500, 502, 503, 504, 405, 418, 100}) {
      assertThat(p.retriesStatus(status)).as("status %d", status).isTrue();
    }
  }

  @Test
  void aNotWebSocketStatusCanBeRetriedLikeAnyOther() {
    ReconnectPolicy p = ReconnectPolicy.builder().retryOnStatus(200).build();
    assertThat(p.retriesStatus(200)).isTrue();
    assertThat(p.retriesStatus(302)).isFalse();
  }

  @Test
  void defaultCloseCodeDecisions() {
    ReconnectPolicy p = ReconnectPolicy.defaults();
    for (int code : new int[] {1003, 1007, 1008, 1009, 1010}) {
      assertThat(p.retriesCloseCode(code)).as("code %d", code).isFalse();
    }
    for (int code : new int[] {1000, 1001, 1002, 1005, 1006, 1011, 1012, 1013, 1014, 1015, 3000,
        4000, 4999}) {
      assertThat(p.retriesCloseCode(code)).as("code %d", code).isTrue();
    }
  }

  @Test
  void overridesWinOverDefaultsAndTheApplicationPredicate() {
    ReconnectPolicy p =
        ReconnectPolicy.builder()
            .retryOnStatus(401)
            .giveUpOnStatus(503, 500)
            .giveUpOnCloseCode(1006)
            .retryOnCloseCode(1008, 4001)
            .applicationCloseCodes(code -> code >= 4500)
            .build();
    assertThat(p.retriesStatus(401)).isTrue();
    assertThat(p.retriesStatus(503)).isFalse();
    assertThat(p.retriesStatus(500)).isFalse();
    assertThat(p.retriesStatus(403)).isFalse();
    assertThat(p.retriesCloseCode(1006)).isFalse();
    assertThat(p.retriesCloseCode(1008)).isTrue();
    assertThat(p.retriesCloseCode(4001)).isTrue();
    assertThat(p.retriesCloseCode(4002)).isFalse();
    assertThat(p.retriesCloseCode(4500)).isTrue();
  }

  @Test
  void lastOverrideOfACodeWins() {
    ReconnectPolicy p = ReconnectPolicy.builder().giveUpOnStatus(502).retryOnStatus(502).build();
    assertThat(p.retriesStatus(502)).isTrue();
  }

  @Test
  void rejectsZeroInitialDelay() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay (PT0S) must be > 0");
  }

  @Test
  void rejectsNegativeInitialDelay() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(Duration.ofMillis(-5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay (PT-0.005S) must be > 0");
  }

  @Test
  void rejectsNullInitialDelay() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("initialDelay == null");
  }

  @Test
  void rejectsMaxDelayBelowInitialDelay() {
    assertThatThrownBy(
            () ->
                ReconnectPolicy.builder()
                    .initialDelay(Duration.ofSeconds(1))
                    .maxDelay(Duration.ofMillis(100))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay (PT0.1S) must be >= initialDelay (PT1S)");
  }

  @Test
  void rejectsZeroMaxDelay() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxDelay(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay (PT0S) must be > 0");
  }

  @Test
  void acceptsMaxDelayEqualToInitialDelay() {
    ReconnectPolicy p =
        ReconnectPolicy.builder()
            .initialDelay(Duration.ofSeconds(2))
            .maxDelay(Duration.ofSeconds(2))
            .build();
    assertThat(p.maxDelay()).isEqualTo(p.initialDelay());
  }

  @Test
  void rejectsMultiplierBelowOne() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().multiplier(0.9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier (0.9) must be finite and >= 1");
  }

  @Test
  void rejectsNanMultiplier() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().multiplier(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier (NaN) must be finite and >= 1");
  }

  @Test
  void rejectsInfiniteMultiplier() {
    assertThatThrownBy(
            () -> ReconnectPolicy.builder().multiplier(Double.POSITIVE_INFINITY).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier (Infinity) must be finite and >= 1");
  }

  @Test
  void acceptsMultiplierOfOne() {
    assertThat(ReconnectPolicy.builder().multiplier(1.0).build().multiplier()).isEqualTo(1.0);
  }

  @Test
  void rejectsZeroMaxAttempts() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts (0) must be >= 1");
  }

  @Test
  void rejectsNegativeMaxAttempts() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxAttempts(-3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts (-3) must be >= 1");
  }

  @Test
  void unlimitedAttemptsClearsMaxAttempts() {
    ReconnectPolicy p = ReconnectPolicy.builder().maxAttempts(4).unlimitedAttempts().build();
    assertThat(p.maxAttempts()).isEmpty();
  }

  @Test
  void rejectsZeroJitterFactor() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().proportionalJitter(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitterFactor (0.0) must be > 0 and <= 1");
  }

  @Test
  void rejectsJitterFactorAboveOne() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().proportionalJitter(1.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitterFactor (1.5) must be > 0 and <= 1");
  }

  @Test
  void rejectsNanJitterFactor() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().jitterFactor(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jitterFactor (NaN) must be > 0 and <= 1");
  }

  @Test
  void proportionalJitterSelectsTheJitterAndItsFactor() {
    ReconnectPolicy p = ReconnectPolicy.builder().proportionalJitter(1.0).build();
    assertThat(p.jitter()).isEqualTo(Jitter.PROPORTIONAL);
    assertThat(p.jitterFactor()).isEqualTo(1.0);
  }

  @Test
  void rejectsNullJitter() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().jitter(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("jitter == null");
  }

  @Test
  void rejectsZeroMaxElapsedTime() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxElapsedTime(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxElapsedTime (PT0S) must be > 0");
  }

  @Test
  void rejectsNullMaxElapsedTime() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxElapsedTime(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxElapsedTime == null");
  }

  @Test
  void noElapsedLimitClearsMaxElapsedTime() {
    ReconnectPolicy p =
        ReconnectPolicy.builder().maxElapsedTime(Duration.ofMinutes(1)).noElapsedLimit().build();
    assertThat(p.maxElapsedTime()).isEmpty();
  }

  @Test
  void rejectsNegativeResetAfter() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().resetAfter(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resetAfter (PT-1S) must be > 0");
  }

  @Test
  void rejectsZeroMaxRetryAfter() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().maxRetryAfter(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetryAfter (PT0S) must be > 0");
  }

  @Test
  void rejectsStatusOutsideHttpRange() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().giveUpOnStatus(401, 600).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status (600) must be in [100, 599]");
  }

  @Test
  void rejectsCloseCodeOutsideRange() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().retryOnCloseCode(999).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeCode (999) must be in [1000, 4999]");
  }

  @Test
  void rejectsNullApplicationCloseCodePredicate() {
    assertThatThrownBy(() -> ReconnectPolicy.builder().applicationCloseCodes(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("applicationCloseCodes == null");
  }

  @Test
  void newBuilderRoundTripsEverySetting() {
    IntPredicate onlyEven = code -> code % 2 == 0;
    ReconnectPolicy p =
        ReconnectPolicy.builder()
            .initialDelay(Duration.ofMillis(250))
            .multiplier(1.5)
            .maxDelay(Duration.ofSeconds(10))
            .proportionalJitter(0.25)
            .maxAttempts(7)
            .maxElapsedTime(Duration.ofMinutes(2))
            .resetAfter(Duration.ofSeconds(5))
            .maxRetryAfter(Duration.ofSeconds(60))
            .giveUpOnStatus(500)
            .retryOnCloseCode(1008)
            .applicationCloseCodes(onlyEven)
            .build();
    ReconnectPolicy copy = p.newBuilder().build();
    assertThat(copy).isEqualTo(p).hasSameHashCodeAs(p);
    assertThat(copy.maxAttempts()).hasValue(7);
    assertThat(copy.maxElapsedTime()).hasValue(Duration.ofMinutes(2));
    assertThat(copy.retriesStatus(500)).isFalse();
    assertThat(copy.retriesCloseCode(1008)).isTrue();
    assertThat(copy.retriesCloseCode(4001)).isFalse();
    assertThat(copy.applicationCloseCodes()).isSameAs(onlyEven);
  }

  @Test
  void policiesDifferingInOneSettingAreNotEqual() {
    ReconnectPolicy base = ReconnectPolicy.defaults();
    assertThat(base.newBuilder().multiplier(3).build()).isNotEqualTo(base);
    assertThat(base.newBuilder().jitter(Jitter.EQUAL).build()).isNotEqualTo(base);
    assertThat(base.newBuilder().maxAttempts(3).build()).isNotEqualTo(base);
    assertThat(base.newBuilder().giveUpOnStatus(500).build()).isNotEqualTo(base);
    assertThat(base.newBuilder().giveUpOnCloseCode(1006).build()).isNotEqualTo(base);
    assertThat(base.newBuilder().applicationCloseCodes(code -> false).build())
        .isNotEqualTo(base);
  }

  @Test
  void builderIsNotAffectedByLaterChanges() {
    ReconnectPolicy.Builder builder = ReconnectPolicy.builder().giveUpOnStatus(500);
    ReconnectPolicy first = builder.build();
    builder.retryOnStatus(500);
    assertThat(first.retriesStatus(500)).isFalse();
    assertThat(builder.build().retriesStatus(500)).isTrue();
  }

  @Test
  void toStringShowsTheSettings() {
    assertThat(ReconnectPolicy.defaults().toString())
        .isEqualTo(
            "ReconnectPolicy{initialDelay=PT0.5S, multiplier=2.0, maxDelay=PT30S, jitter=TWO_THIRDS,"
                + " maxAttempts=unlimited, maxElapsedTime=none, resetAfter=PT30S,"
                + " maxRetryAfter=PT5M}");
    assertThat(
            ReconnectPolicy.builder()
                .proportionalJitter(0.2)
                .maxAttempts(5)
                .maxElapsedTime(Duration.ofMinutes(1))
                .giveUpOnStatus(500)
                .retryOnStatus(401)
                .giveUpOnCloseCode(4000)
                .applicationCloseCodes(code -> false)
                .build()
                .toString())
        .isEqualTo(
            "ReconnectPolicy{initialDelay=PT0.5S, multiplier=2.0, maxDelay=PT30S,"
                + " jitter=PROPORTIONAL, jitterFactor=0.2, maxAttempts=5, maxElapsedTime=PT1M,"
                + " resetAfter=PT30S, maxRetryAfter=PT5M, statusOverrides={401=retry,"
                + " 500=give up}, closeCodeOverrides={4000=give up},"
                + " applicationCloseCodes=custom}");
  }
}
