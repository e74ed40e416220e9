package io.stickyws.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** {@code jar}: {@link JarBenchmarks} in one JMH run, reported per operation as three rates. */
final class JarBench implements Bench {

  @Override
  public void run(Options o) throws Exception {
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include(JarBenchmarks.class.getName() + "\\.")
        .mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS)
        .threads(1)
        .forks(o.pick(1, 1, 0))
        .warmupIterations(o.pick(3, 1, 1))
        .warmupTime(TimeValue.milliseconds(o.pick(2000, 1000, 200)))
        .measurementIterations(o.pick(5, 2, 1))
        .measurementTime(TimeValue.milliseconds(o.pick(2000, 1000, 200)))
        .verbosity(o.json ? VerboseMode.SILENT : VerboseMode.NORMAL);
    if (o.mode != Options.Mode.SMOKE) {
      b.jvmArgs("-Xmx512m");
    }
    Collection<RunResult> results = new Runner(b.build()).run();
    if (results.size() != 6) {
      throw new IllegalStateException("JMH ran " + results.size() + " of 6 benchmarks"
          + " (run without --json to see its output)");
    }
    Map<String, Double> score = new HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      score.put(label.substring(label.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
    }
    for (String op : new String[] {"CookieHeader", "SetCookieParse"}) {
      double sticky = score.get("sticky" + op);
      double manager = score.get("cookieManager" + op);
      double okhttp = score.get("okhttp" + op);
      o.report(Json.bench("jar")
          .put("op", Character.toLowerCase(op.charAt(0)) + op.substring(1))
          .put("stickyOpsPerSec", Math.round(sticky))
          .put("cookieManagerOpsPerSec", Math.round(manager))
          .put("okhttpOpsPerSec", Math.round(okhttp))
          .put("ratioToCookieManager", sticky / manager)
          .put("ratioToOkhttp", sticky / okhttp));
    }
  }
}
