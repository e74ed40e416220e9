package io.stickyws.internal.reconnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DecisionTest {
  @Test
  void makesARetrysReasonOnlyWhenItIsRead() {
    AtomicInteger made = new AtomicInteger();
    Decision decision = Decision.retryIn(Duration.ofMillis(5), () -> {
      made.incrementAndGet();
      return "I/O error (EOFException), attempt 3";
    });

    assertThat(decision.retry()).isTrue();
    assertThat(decision.delay()).isEqualTo(Duration.ofMillis(5));
    assertThat(made).as("not made before it is read").hasValue(0);
    assertThat(decision.reason()).isEqualTo("I/O error (EOFException), attempt 3");
    assertThat(decision.reason()).isEqualTo("I/O error (EOFException), attempt 3");
    assertThat(made).as("made once, then kept").hasValue(1);
  }

  @Test
  void aLazyReasonEqualsTheSameReasonGivenAsText() {
    Decision lazy = Decision.retryIn(Duration.ofMillis(5), () -> "close code 1011 (remote)");
    Decision given = Decision.retryIn(Duration.ofMillis(5), "close code 1011 (remote)");

    assertThat(lazy).isEqualTo(given).hasSameHashCodeAs(given);
    assertThat(lazy).hasToString("retry in PT0.005S (close code 1011 (remote))");
    assertThat(Decision.giveUp("maxAttempts (3) reached").reason())
        .isEqualTo("maxAttempts (3) reached");
  }

  @Test
  void rejectsANegativeDelayAndAMissingReason() {
    assertThatThrownBy(() -> Decision.retryIn(Duration.ofMillis(-1), () -> "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay (PT-0.001S) must be >= 0");
    Decision nullReason = Decision.retryIn(Duration.ZERO, () -> null);
    assertThatThrownBy(nullReason::reason)
        .isInstanceOf(NullPointerException.class).hasMessage("reason == null");
  }
}
