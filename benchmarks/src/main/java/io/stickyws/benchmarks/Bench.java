package io.stickyws.benchmarks;

/**
 * One benchmark of the suite.
 *
 * <p>Implementations are stateless; {@link #run} is called once per process.
 */
interface Bench {
  /** Runs the benchmark and reports one or more result rows through {@code options}. */
  void run(Options options) throws Exception;

  /** The benchmark's own {@code --key=value} options, one line each, for {@code --help}. */
  default java.util.List<String> options() {
    return java.util.List.of();
  }
}
