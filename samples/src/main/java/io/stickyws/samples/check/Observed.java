package io.stickyws.samples.check;

import io.stickyws.SessionEvent;
import io.stickyws.SessionObserver;
import io.stickyws.affinity.SameBackend;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the engine itself reports for every connection of the run, through the session's observer: the opens by
 * same-backend verdict and the time from each drop to its reopen.
 *
 * <p>Thread-safe: the connections' threads report, the main thread reads.
 */
final class Observed implements SessionObserver {
  private final Map<SameBackend, Integer> opens = new EnumMap<>(SameBackend.class);
  private final List<Double> reconnectMillis = new ArrayList<>();

  @Override
  public synchronized void onOpened(SessionEvent.Opened event) {
    opens.merge(event.sameBackend(), 1, Integer::sum);
    event.sinceDrop().ifPresent(down -> reconnectMillis.add(Report.millis(down.toNanos())));
  }

  /** What was observed so far. */
  synchronized Stats stats() {
    double[] sorted = reconnectMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Stats(opens.getOrDefault(SameBackend.SAME, 0), opens.getOrDefault(SameBackend.CHANGED, 0),
        opens.getOrDefault(SameBackend.UNKNOWN, 0), percentile(sorted, 0.50), percentile(sorted, 0.99),
        sorted.length);
  }

  /** Nearest rank: the smallest value with at least {@code p} of the values at or below it; null without values. */
  static Double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return null;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  /**
   * The engine's view of the run: opens reported SAME, CHANGED and UNKNOWN, and the reconnect durations' p50 and p99
   * in milliseconds (null without reconnects) and count.
   */
  record Stats(int same, int changed, int unknown, Double p50Millis, Double p99Millis, int reconnects) {}
}
