package io.stickyws.it.matrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The interop matrix: every matrix test records its cell here (pass or fail, with what it measured), and the whole
 * table is rewritten to {@code integration-tests/target/interop-matrix.md} after every cell, so the file exists and
 * is complete up to the last cell even when a test fails or the run is cut short. Cells never run show
 * {@code not run}.
 *
 * <p>Thread-safe.
 */
final class MatrixReport {
  /** One row of the matrix: a scenario on one balancer. */
  enum Row {
    STICKS_HAPROXY("1. Sticks: 50 reconnects, raw client spreads", "HAProxy (SERVERID)"),
    STICKS_NGINX("1. Sticks: 50 reconnects, raw client spreads", "nginx (srv cookie)"),
    STICKS_CADDY("1. Sticks: 50 reconnects, raw client spreads", "Caddy (lb cookie)"),
    STICKS_ENVOY("1. Sticks: 50 reconnects, raw client spreads", EnvoyRows.ROUTER),
    STICKS_ENVOY_HEADER("1. Sticks: 50 reconnects, raw client spreads", EnvoyRows.HEADER),
    KILLED_HAPROXY("2. Pinned backend killed (kill -9)", "HAProxy"),
    KILLED_CADDY("2. Pinned backend killed (kill -9)", "Caddy + health checks"),
    KILLED_ENVOY("2. Pinned backend killed (kill -9)", EnvoyRows.ROUTER),
    KILLED_ENVOY_STRICT("2. Pinned backend killed (kill -9)", EnvoyRows.STRICT),
    KILLED_ENVOY_HEADER("2. Pinned backend killed (kill -9)", EnvoyRows.HEADER),
    DRAIN_HAPROXY("3. Drain + 1012", "HAProxy"),
    DRAIN_ENVOY("3. Drain + 1012", EnvoyRows.ROUTER),
    NO_FAILOVER_NGINX("4. Balancer will not fail over (502)", "nginx (srv cookie)"),
    NO_FAILOVER_CADDY("4. Balancer will not fail over (502)", "Caddy, no health checks"),
    BALANCER_RESTART("5. Balancer restarted", "HAProxy"),
    CLIENT_RESTART("6. Client restarted (new JVM, FileCookieJar)", "HAProxy"),
    CLIENT_RESTART_ENVOY("6. Client restarted (new JVM, FileCookieJar)", EnvoyRows.ROUTER),
    TLS("7. TLS wss://, Secure cookie", "HAProxy TLS"),
    IDLE_HEARTBEAT("8. Idle tunnel 10 s, heartbeat 1 s", "HAProxy (timeout tunnel 3s)"),
    IDLE_NO_HEARTBEAT("8. Idle tunnel, no heartbeat", "HAProxy (timeout tunnel 3s)"),
    ALL_DOWN("9. All backends down (503 + Retry-After)", "HAProxy"),
    NO_DATA_LOST("10. No data lost while reconnecting", "HAProxy");

    final String scenario;
    final String balancer;

    Row(String scenario, String balancer) {
      this.scenario = scenario;
      this.balancer = balancer;
    }
  }

  /** What one cell measured; the test fills it as it goes, so a failing cell still shows how far it got. */
  static final class Figure {
    private final Map<String, String> parts = new LinkedHashMap<>();

    /** Sets (or replaces) one measured value. */
    Figure put(String name, Object value) {
      synchronized (parts) {
        parts.put(name, String.valueOf(value));
      }
      return this;
    }

    @Override
    public String toString() {
      synchronized (parts) {
        StringBuilder s = new StringBuilder();
        parts.forEach((k, v) -> s.append(s.length() == 0 ? "" : "; ").append(k).append(' ').append(v));
        return s.toString();
      }
    }
  }

  /** The body of one cell. */
  interface Cell {
    void run(Figure figure) throws Exception;
  }

  static final List<String> ADAPTERS = List.of("okhttp", "jdk", "java-websocket", "jakarta");
  /** {@code -Dstickyws.matrix.adapters=jakarta,okhttp} runs only those columns (the others are skipped). */
  private static final String ONLY = System.getProperty("stickyws.matrix.adapters", "");

  private static final Map<Row, Map<String, String>> CELLS = new EnumMap<>(Row.class);
  private static final Instant STARTED = Instant.now();

  private MatrixReport() {}

  /** Runs {@code body} as the cell ({@code row}, {@code adapter}) and records pass or fail; rethrows failures. */
  static void run(Row row, String adapter, Cell body) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(ONLY.isBlank() || List.of(ONLY.split(",")).contains(adapter),
        () -> "column " + adapter + " not in -Dstickyws.matrix.adapters=" + ONLY);
    Figure figure = new Figure();
    long start = System.nanoTime();
    try {
      body.run(figure);
      figure.put("in", seconds(System.nanoTime() - start));
      record(row, adapter, "pass: " + figure);
    } catch (Throwable t) {
      figure.put("in", seconds(System.nanoTime() - start));
      record(row, adapter, "**FAIL**: " + figure + "; " + firstLine(t));
      throw t;
    }
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  private static String firstLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    String line = message.strip().lines().findFirst().orElse("");
    if (line.length() > 300) {
      line = line.substring(0, 300) + "...";
    }
    return line;
  }

  static synchronized void record(Row row, String adapter, String cell) {
    CELLS.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(adapter, cell.replace('|', '/').replace('\n', ' '));
    write();
  }

  private static void write() {
    StringBuilder md = new StringBuilder();
    md.append("# stickyws interop matrix\n\n")
        .append("Real HAProxy / nginx / Caddy in front of backend JVMs on 127.0.0.1, one column per adapter. ")
        .append(EnvoyRows.NOTE)
        .append("Run started ").append(STARTED).append(", last cell ").append(Instant.now()).append(".\n\n")
        .append("| Scenario | Balancer |");
    ADAPTERS.forEach(a -> md.append(' ').append(a).append(" |"));
    md.append("\n|---|---|");
    ADAPTERS.forEach(a -> md.append("---|"));
    md.append('\n');
    for (Row row : Row.values()) {
      md.append("| ").append(row.scenario).append(" | ").append(row.balancer).append(" |");
      Map<String, String> cells = CELLS.getOrDefault(row, Map.of());
      for (String adapter : ADAPTERS) {
        md.append(' ').append(cells.getOrDefault(adapter, "not run")).append(" |");
      }
      md.append('\n');
    }
    Path target = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    try {
      Files.createDirectories(target);
      Path tmp = target.resolve("interop-matrix.md.tmp");
      Files.writeString(tmp, md.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, target.resolve("interop-matrix.md"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the interop matrix under " + target, e);
    }
  }
}
