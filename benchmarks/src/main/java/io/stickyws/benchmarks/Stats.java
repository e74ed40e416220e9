package io.stickyws.benchmarks;

import java.util.Arrays;

/**
 * Percentiles of samples.
 *
 * <p>Stateless; thread-safe.
 */
final class Stats {
  private Stats() {}

  /** The q-quantile (0..1) of samples by nearest rank; NaN when empty. */
  static double quantile(double[] samples, double q) {
    if (samples.length == 0) {
      return Double.NaN;
    }
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static double median(double[] samples) {
    return quantile(samples, 0.5);
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
