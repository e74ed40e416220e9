package io.stickyws.benchmarks;

import java.io.PrintStream;
import java.util.List;

/**
 * How a benchmark runs (full, quick, smoke) and where it reports.
 *
 * <p>Thread-safe: reporting is synchronized.
 */
final class Options {
  /** Sample size: FULL for the documented figures, QUICK under 60 s, SMOKE for the unit test. */
  enum Mode { FULL, QUICK, SMOKE }

  final Mode mode;
  final boolean json;
  final List<String> extra;
  private final PrintStream out;
  private final PrintStream err;

  Options(Mode mode, boolean json, List<String> extra, PrintStream out, PrintStream err) {
    this.mode = mode;
    this.json = json;
    this.extra = List.copyOf(extra);
    this.out = out;
    this.err = err;
  }

  /** Picks the value for the current mode. */
  int pick(int full, int quick, int smoke) {
    return mode == Mode.FULL ? full : mode == Mode.QUICK ? quick : smoke;
  }

  /** Picks the value for the current mode. */
  long pick(long full, long quick, long smoke) {
    return mode == Mode.FULL ? full : mode == Mode.QUICK ? quick : smoke;
  }

  /** The value of {@code --key=value}, or {@code def}. */
  String option(String key, String def) {
    for (String e : extra) {
      if (e.startsWith("--" + key + "=")) {
        return e.substring(key.length() + 3);
      }
    }
    return def;
  }

  /** Progress, to stderr. */
  synchronized void progress(String message) {
    err.println("[" + String.format("%6.1f", (System.nanoTime() - START) / 1e9) + " s] " + message);
    err.flush();
  }

  /** One result row: a JSON line with {@code --json}, a readable line otherwise. */
  synchronized void report(Json row) {
    out.println(json ? row.toString() : row.toText());
    out.flush();
  }

  private static final long START = System.nanoTime();
}
