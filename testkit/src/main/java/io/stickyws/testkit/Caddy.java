package io.stickyws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Caddy 2.6 {@code reverse_proxy} with {@code lb_policy cookie} in front of {@link Backends}, with or without active
 * health checks ({@code health_uri /health}). Global options {@code admin off}, {@code skip_install_trust},
 * {@code auto_https off}, an {@code http://} site bound to 127.0.0.1, and HOME/XDG_DATA_HOME/XDG_CONFIG_HOME inside
 * its directory: Caddy writes nothing outside it and never installs a root certificate.
 *
 * <p>Lifecycle methods are meant for the test thread; getters are thread-safe.
 */
public final class Caddy implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Builder config;
  private final Path dir;
  private int httpPort;
  private int spareHttpsPort;
  private volatile ManagedProcess process;
  private int generation;

  private Caddy(Builder config) {
    this.config = config;
    this.dir = config.dir;
  }

  /** A builder for Caddy in front of {@code backends}, writing its files under {@code dir}. */
  public static Builder builder(Path dir, Backends backends) {
    return new Builder(dir, backends);
  }

  /** {@code ws://127.0.0.1:<port><path>}. */
  public URI wsUri(String path) {
    return URI.create("ws://" + Ports.HOST + ":" + httpPort + path);
  }

  /** The affinity cookie name (Caddy's default {@code lb}). */
  public String cookieName() {
    return config.cookieName;
  }

  /** The pid. */
  public long pid() {
    return process.pid();
  }

  /** Whether Caddy runs. */
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** Starts Caddy (again: same port) and waits until it listens. */
  public synchronized Caddy start() {
    Binaries.require(Binaries.CADDY, "caddy");
    if (isAlive()) {
      throw new IllegalStateException("caddy is already running");
    }
    boolean firstStart = httpPort == 0;
    for (int attempt = 1; ; attempt++) {
      if (firstStart) {
        httpPort = Ports.free();
        spareHttpsPort = Ports.free();
      }
      Path caddyfile = writeConfig();
      generation++;
      Map<String, String> env = Map.of(
          "HOME", dir.toString(),
          "XDG_DATA_HOME", dir.resolve("xdg-data").toString(),
          "XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
      ManagedProcess started = ManagedProcess.start("caddy", List.of(Binaries.CADDY.toString(), "run",
          "--config", caddyfile.toString(), "--adapter", "caddyfile"), dir, env,
          dir.resolve("caddy-" + generation + ".log"), false);
      process = started;
      try {
        Wait.until(START_TIMEOUT, "caddy to listen on " + httpPort, () -> {
          if (!started.isAlive()) {
            throw new AssertionError("caddy exited with " + started.exitCode() + "\n" + started.logTail(30));
          }
          return Ports.accepting(httpPort);
        }, () -> started.logTail(30));
        return this;
      } catch (AssertionError e) {
        started.kill();
        if (!firstStart || attempt >= 3 || !started.logTail(30).contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  /** Graceful stop (SIGTERM), SIGKILL after 5 s. */
  public void stop() {
    ManagedProcess p = process;
    if (p != null) {
      p.stop(Duration.ofSeconds(5));
    }
  }

  /** The last lines of the log. */
  public String logTail() {
    ManagedProcess p = process;
    return p == null ? "" : p.logTail(40);
  }

  @Override
  public void close() {
    stop();
  }

  private Path writeConfig() {
    String upstreams = config.backends.all().stream().map(Backend::address).collect(Collectors.joining(" "));
    StringBuilder c = new StringBuilder()
        .append("{\n")
        .append("\tadmin off\n")
        .append("\tskip_install_trust\n")
        .append("\tauto_https off\n")
        .append("\thttp_port ").append(httpPort).append('\n')
        .append("\thttps_port ").append(spareHttpsPort).append('\n')
        .append("\tgrace_period 1s\n")
        .append("\tstorage file_system ").append(dir.resolve("storage")).append('\n')
        .append("}\n\n")
        .append("http://").append(Ports.HOST).append(':').append(httpPort).append(" {\n")
        .append("\tbind ").append(Ports.HOST).append('\n')
        .append("\treverse_proxy ").append(upstreams).append(" {\n")
        .append("\t\tlb_policy cookie ").append(config.cookieName).append('\n');
    if (config.healthChecks) {
      c.append("\t\thealth_uri /health\n")
          .append("\t\thealth_interval 1s\n")
          .append("\t\thealth_timeout 1s\n")
          .append("\t\thealth_status 200\n");
    }
    c.append("\t}\n").append("}\n");
    try {
      return Files.writeString(dir.resolve("Caddyfile"), c.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Configuration of one Caddy. Defaults: cookie {@code lb}, active health checks on.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Path dir;
    private final Backends backends;
    private String cookieName = "lb";
    private boolean healthChecks = true;

    private Builder(Path dir, Backends backends) {
      this.dir = Objects.requireNonNull(dir, "dir == null");
      this.backends = Objects.requireNonNull(backends, "backends == null");
    }

    /** The {@code lb_policy cookie} cookie name. */
    public Builder cookieName(String name) {
      this.cookieName = name;
      return this;
    }

    /** Active health checks ({@code health_uri /health}, every second) on or off. */
    public Builder healthChecks(boolean on) {
      this.healthChecks = on;
      return this;
    }

    /** Writes the Caddyfile and starts Caddy. */
    public Caddy start() {
      return new Caddy(this).start();
    }
  }
}
