package io.stickyws.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command line entry point: {@code java -jar stickyws-benchmarks.jar NAME [--quick] [--json]}.
 *
 * <p>Not thread-safe.
 */
public final class Main {
  private Main() {}

  /** The benchmarks by name, in the order the documentation lists them. */
  static Map<String, Bench> benchmarks() {
    Map<String, Bench> all = new TreeMap<>();
    all.put("overhead", new OverheadBench());
    all.put("reconnect", new ReconnectBench());
    all.put("storm", new StormBench());
    all.put("memory", new MemoryBench());
    all.put("jar", new JarBench());
    all.put("filejar", new FileJarBench());
    all.put("tls", new TlsBench());
    return all;
  }

  /**
   * Runs one benchmark.
   *
   * @param args NAME, then {@code --quick}, {@code --json}, {@code --smoke}, {@code --help} and
   *     the benchmark's own options in any order
   * @throws Exception when the benchmark fails
   */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    // child JVMs (testkit backends, the echo server) run in other directories: absolute class path
    StringBuilder classpath = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (classpath.length() > 0) {
        classpath.append(java.io.File.pathSeparatorChar);
      }
      classpath.append(java.nio.file.Path.of(entry).toAbsolutePath());
    }
    System.setProperty("java.class.path", classpath.toString());
    int status;
    try {
      status = run(args, System.out, System.err);
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    }
    if (status != 0) {
      System.exit(status);
    }
    // adapter libraries leave non-daemon threads (Java-WebSocket, OkHttp pools) lingering
    System.exit(0);
  }

  /**
   * Runs one benchmark, printing results to {@code out} and progress to {@code err}.
   *
   * @return the exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    String name = null;
    Options.Mode mode = Options.Mode.FULL;
    boolean json = false;
    List<String> extra = new ArrayList<>();
    for (String arg : args) {
      switch (arg) {
        case "--quick": if (mode == Options.Mode.FULL) { mode = Options.Mode.QUICK; } break;
        case "--smoke": mode = Options.Mode.SMOKE; break;
        case "--json": json = true; break;
        default:
          if (arg.startsWith("--")) {
            extra.add(arg);
          } else if (name == null) {
            name = arg.toLowerCase(Locale.ROOT);
          } else {
            err.println("unexpected argument " + arg);
            return 2;
          }
      }
    }
    if ("echo-server".equals(name)) {
      EchoServer.serveUntilStdinCloses();
      return 0;
    }
    Map<String, Bench> all = benchmarks();
    Bench bench = name == null ? null : all.get(name);
    if (bench == null) {
      err.println("usage: java -jar stickyws-benchmarks.jar NAME [--quick] [--json]");
      err.println("NAME: one of " + all.keySet());
      return 2;
    }
    if (extra.contains("--help")) {
      out.println("usage: java -jar stickyws-benchmarks.jar " + name + " [--quick] [--json]"
          + (bench.options().isEmpty() ? "" : " [OPTION...]"));
      for (String option : bench.options()) {
        out.println("  " + option);
      }
      return 0;
    }
    Options options = new Options(mode, json, extra, out, err);
    bench.run(options);
    return 0;
  }
}
