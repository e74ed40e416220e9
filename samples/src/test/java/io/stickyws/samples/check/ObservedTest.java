package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ObservedTest {
  @Test
  void percentilesAreNullWithoutReconnects() {
    Observed.Stats stats = new Observed().stats();

    assertThat(stats.reconnects()).isZero();
    assertThat(stats.p50Millis()).isNull();
    assertThat(stats.p99Millis()).isNull();
    assertThat(stats.same() + stats.changed() + stats.unknown()).isZero();
  }

  @Test
  void percentilesTakeTheNearestRank() {
    double[] sorted = new double[100];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = i + 1;
    }

    assertThat(Observed.percentile(sorted, 0.50)).isEqualTo(50.0);
    assertThat(Observed.percentile(sorted, 0.99)).isEqualTo(99.0);
    assertThat(Observed.percentile(new double[] {7.5}, 0.50)).isEqualTo(7.5);
    assertThat(Observed.percentile(new double[] {7.5}, 0.99)).isEqualTo(7.5);
    assertThat(Observed.percentile(new double[] {1, 2, 3}, 0.50)).isEqualTo(2.0);
    assertThat(Observed.percentile(new double[] {1, 2, 3}, 0.99)).isEqualTo(3.0);
  }
}
