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

/**
 * HAProxy 2.6 in front of {@link Backends}, configured the way the field does it: {@code balance leastconn},
 * {@code cookie SERVERID insert indirect nocache} (or {@code cookie JSESSIONID prefix}), {@code option redispatch},
 * {@code option httpchk GET /health} with {@code check inter 1s fall 2 rise 2}, {@code timeout tunnel}, an admin
 * stats socket, a stats page, optionally a TLS frontend, and {@code Retry-After} added to its own 503s. Run in the
 * foreground ({@code -db}); stop/start keeps the ports, {@link #reload()} is {@code -sf <pid>}.
 *
 * <p>Lifecycle methods are meant for the test thread; getters are thread-safe.
 */
public final class Haproxy implements AutoCloseable {
  /** The HAProxy backend (proxy) name holding the servers s1, s2, ... */
  public static final String BACKEND = "be";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Builder config;
  private final Path dir;
  private final Path configFile;
  private final Path socket;
  private final HaproxyAdmin admin;
  private int httpPort;
  private int httpsPort;
  private int statsPort;
  private volatile ManagedProcess process;
  private final List<ManagedProcess> previous = new java.util.concurrent.CopyOnWriteArrayList<>();
  private int generation;

  private Haproxy(Builder config) {
    this.config = config;
    this.dir = config.dir;
    this.configFile = dir.resolve("haproxy.cfg");
    this.socket = dir.resolve("admin.sock");
    this.admin = new HaproxyAdmin(socket, BACKEND);
  }

  /** A builder for HAProxy in front of {@code backends}, writing its files under {@code dir}. */
  public static Builder builder(Path dir, Backends backends) {
    return new Builder(dir, backends);
  }

  /** {@code ws://127.0.0.1:<http port><path>}. */
  public URI wsUri(String path) {
    return URI.create("ws://" + Ports.HOST + ":" + httpPort + path);
  }

  /** {@code wss://localhost:<https port><path>} (TLS frontend only). */
  public URI wssUri(String path) {
    requireTls();
    return URI.create("wss://localhost:" + httpsPort + path);
  }

  /** The plain HTTP frontend port. */
  public int httpPort() {
    return httpPort;
  }

  /** The TLS frontend port. */
  public int httpsPort() {
    requireTls();
    return httpsPort;
  }

  /** The stats page, {@code http://127.0.0.1:<port>/stats} ({@code ;csv} appended gives CSV). */
  public URI statsUri() {
    return URI.create("http://" + Ports.HOST + ":" + statsPort + "/stats");
  }

  /** The admin socket client. */
  public HaproxyAdmin admin() {
    return admin;
  }

  /** The affinity cookie name ({@code SERVERID}, or the application cookie in prefix mode). */
  public String cookieName() {
    return config.cookieName;
  }

  /**
   * The value HAProxy puts in its affinity cookie for {@code server} (the server id unless {@link
   * Builder#cookieValues(java.util.function.Function)} chose others).
   */
  public String cookieValue(String server) {
    return config.cookieValues.apply(server);
  }

  /** The pid of the current HAProxy process. */
  public long pid() {
    return process.pid();
  }

  /** Whether HAProxy runs. */
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** The generated configuration file. */
  public Path configFile() {
    return configFile;
  }

  /** Starts HAProxy (again: same ports) and waits until it serves and every running backend is UP. */
  public synchronized Haproxy start() {
    if (isAlive()) {
      throw new IllegalStateException("haproxy is already running");
    }
    boolean firstStart = httpPort == 0;
    for (int attempt = 1; ; attempt++) {
      if (firstStart) {
        httpPort = Ports.free();
        httpsPort = config.certificates == null ? 0 : Ports.free();
        statsPort = Ports.free();
      }
      writeConfig();
      ManagedProcess started = launch(List.of());
      try {
        awaitReady(started);
        return this;
      } catch (AssertionError e) {
        started.kill();
        if (!firstStart || attempt >= 3 || !started.logTail(20).contains("cannot bind")) {
          throw e;
        }
      }
    }
  }

  /** Stops HAProxy (SIGTERM: hard stop, open tunnels are cut), bounded. */
  public void stop() {
    ManagedProcess p = process;
    if (p != null) {
      p.stop(Duration.ofSeconds(5));
    }
  }

  /** {@code kill -9} of HAProxy. */
  public void kill() {
    ManagedProcess p = process;
    if (p != null) {
      p.kill();
    }
  }

  /** Stop then start on the same ports. */
  public void restart() {
    stop();
    start();
  }

  /**
   * Reload: a new HAProxy with {@code -sf <old pid>} takes the ports; the old one stops listening and finishes its
   * open tunnels (at most {@code hard-stop-after}). Waits until the new one serves; the old one is left to exit.
   */
  public synchronized void reload() {
    ManagedProcess old = process;
    writeConfig();
    ManagedProcess started = launch(List.of("-sf", String.valueOf(old.pid())));
    awaitReady(started);
  }

  /** The last lines of the current log. */
  public String logTail() {
    ManagedProcess p = process;
    return p == null ? "" : p.logTail(40);
  }

  /** Stops the current process and any old one still finishing its tunnels after a reload. */
  @Override
  public void close() {
    stop();
    previous.forEach(p -> p.stop(Duration.ofSeconds(5)));
  }

  private ManagedProcess launch(List<String> extra) {
    Binaries.require(config.binary, "haproxy");
    generation++;
    List<String> command = new java.util.ArrayList<>(List.of(config.binary.toString(), "-db",
        "-f", configFile.toString()));
    command.addAll(extra);
    ManagedProcess started = ManagedProcess.start("haproxy", command, dir, Map.of(),
        dir.resolve("haproxy-" + generation + ".log"), false);
    if (process != null) {
      previous.add(process);
    }
    process = started;
    return started;
  }

  private void awaitReady(ManagedProcess started) {
    Wait.until(START_TIMEOUT, "haproxy to listen on " + httpPort, () -> {
      if (!started.isAlive()) {
        throw new AssertionError("haproxy exited with " + started.exitCode() + "\n" + started.logTail(30));
      }
      return Ports.accepting(httpPort) && (httpsPort == 0 || Ports.accepting(httpsPort))
          && Files.exists(socket);
    }, () -> started.logTail(30));
    if (config.healthChecks) {
      Wait.until(START_TIMEOUT, "haproxy to see every running backend UP", () -> {
        Map<String, String> status = admin.serverStatus();
        return config.backends.all().stream().filter(Backend::isAlive)
            .allMatch(b -> "UP".equals(status.get(b.id())));
      }, () -> admin.serverStatus() + "\n" + started.logTail(30));
    }
  }

  private void writeConfig() {
    StringBuilder cfg = new StringBuilder();
    cfg.append("global\n")
        .append("  stats socket ").append(socket).append(" mode 600 level admin\n")
        .append("  stats timeout 10s\n")
        .append("  maxconn 4096\n")
        .append("  hard-stop-after ").append(config.hardStopAfter.toMillis()).append("ms\n")
        .append("  log stdout format raw local0 info\n\n");
    cfg.append("defaults\n")
        .append("  mode http\n")
        .append("  log global\n")
        .append("  option httplog\n")
        .append("  option redispatch\n")
        .append("  retries 2\n")
        .append("  timeout connect 2s\n")
        .append("  timeout client 30s\n")
        .append("  timeout server 30s\n")
        .append("  timeout tunnel ").append(config.timeoutTunnel.toMillis()).append("ms\n")
        .append("  timeout client-fin 1s\n")
        .append("  timeout http-request 5s\n\n");
    cfg.append("frontend fe\n")
        .append("  bind ").append(Ports.HOST).append(':').append(httpPort).append('\n');
    if (config.certificates != null) {
      cfg.append("  bind ").append(Ports.HOST).append(':').append(httpsPort)
          .append(" ssl crt ").append(config.certificates.combinedPem()).append('\n');
    }
    if (config.retryAfterSeconds > 0) {
      cfg.append("  http-after-response set-header Retry-After ").append(config.retryAfterSeconds)
          .append(" if { status 503 }\n");
    }
    cfg.append("  default_backend ").append(BACKEND).append("\n\n");
    cfg.append("backend ").append(BACKEND).append('\n')
        .append("  balance leastconn\n");
    if (config.prefixMode) {
      cfg.append("  cookie ").append(config.cookieName).append(" prefix nocache");
    } else {
      cfg.append("  cookie ").append(config.cookieName).append(" insert indirect nocache");
    }
    if (config.secureCookie) {
      cfg.append(" secure");
    }
    if (config.maxIdle != null) {
      cfg.append(" maxidle ").append(config.maxIdle.toSeconds()).append('s');
    }
    if (config.maxLife != null) {
      cfg.append(" maxlife ").append(config.maxLife.toSeconds()).append('s');
    }
    cfg.append('\n');
    if (config.healthChecks) {
      cfg.append("  option httpchk GET /health\n")
          .append("  http-check expect status 200\n");
    }
    for (Backend backend : config.backends.all()) {
      cfg.append("  server ").append(backend.id()).append(' ').append(backend.address())
          .append(" cookie ").append(config.cookieValues.apply(backend.id()));
      if (config.healthChecks) {
        cfg.append(" check inter 1s fall 2 rise 2");
      }
      cfg.append('\n');
    }
    cfg.append('\n');
    cfg.append("listen stats\n")
        .append("  bind ").append(Ports.HOST).append(':').append(statsPort).append('\n')
        .append("  stats enable\n")
        .append("  stats uri /stats\n")
        .append("  stats refresh 5s\n");
    try {
      Files.writeString(configFile, cfg.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void requireTls() {
    if (config.certificates == null) {
      throw new IllegalStateException("this haproxy has no TLS frontend: builder().tls(certificates)");
    }
  }

  /**
   * Configuration of one HAProxy. Defaults: {@code cookie SERVERID insert indirect nocache}, health checks on,
   * {@code timeout tunnel 1h}, {@code Retry-After: 1} on 503, no TLS.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Path dir;
    private final Backends backends;
    private String cookieName = "SERVERID";
    private boolean prefixMode;
    private boolean secureCookie;
    private Duration maxIdle;
    private Duration maxLife;
    private boolean healthChecks = true;
    private Duration timeoutTunnel = Duration.ofHours(1);
    private Duration hardStopAfter = Duration.ofSeconds(10);
    private int retryAfterSeconds = 1;
    private Certificates certificates;
    private Path binary = Binaries.HAPROXY;
    private java.util.function.Function<String, String> cookieValues = id -> id;

    private Builder(Path dir, Backends backends) {
      this.dir = Objects.requireNonNull(dir, "dir == null");
      this.backends = Objects.requireNonNull(backends, "backends == null");
    }

    /** {@code cookie <name> prefix nocache}: HAProxy prefixes the application's own cookie with {@code <srv>~}. */
    public Builder cookiePrefix(String applicationCookie) {
      this.cookieName = applicationCookie;
      this.prefixMode = true;
      return this;
    }

    /** Adds {@code secure} to the cookie line (use with {@link #tls(Certificates)}). */
    public Builder secureCookie(boolean secure) {
      this.secureCookie = secure;
      return this;
    }

    /** Adds {@code maxidle <n>s} to the cookie line (HAProxy then stamps the cookie value with dates). */
    public Builder cookieMaxIdle(Duration maxIdle) {
      this.maxIdle = maxIdle;
      return this;
    }

    /** Adds {@code maxlife <n>s} to the cookie line. */
    public Builder cookieMaxLife(Duration maxLife) {
      this.maxLife = maxLife;
      return this;
    }

    /** Turns the {@code httpchk} health checks off (HAProxy then never marks a backend DOWN). */
    public Builder healthChecks(boolean on) {
      this.healthChecks = on;
      return this;
    }

    /** {@code timeout tunnel}: how long an idle upgraded connection lives. */
    public Builder timeoutTunnel(Duration timeout) {
      this.timeoutTunnel = timeout;
      return this;
    }

    /** {@code hard-stop-after}: how long an old process keeps its tunnels after a reload or soft stop. */
    public Builder hardStopAfter(Duration hardStopAfter) {
      this.hardStopAfter = hardStopAfter;
      return this;
    }

    /** The {@code Retry-After} seconds HAProxy adds to every 503; 0 for none. */
    public Builder retryAfterOn503(int seconds) {
      this.retryAfterSeconds = seconds;
      return this;
    }

    /**
     * The affinity cookie value of each server ({@code server <id> ... cookie <value>}); default: the server id. Tests
     * searching logs for cookie values use distinctive random values here. Called once per server per config write:
     * return the same value for the same id.
     */
    public Builder cookieValues(java.util.function.Function<String, String> valueOfServer) {
      this.cookieValues = Objects.requireNonNull(valueOfServer, "valueOfServer == null");
      return this;
    }

    /** Adds a TLS frontend with this certificate. */
    public Builder tls(Certificates certificates) {
      this.certificates = certificates;
      return this;
    }

    /** The HAProxy executable (default {@link Binaries#HAPROXY}), e.g. one found on the PATH. */
    public Builder binary(Path binary) {
      this.binary = Objects.requireNonNull(binary, "binary == null");
      return this;
    }

    /** Writes the configuration and starts HAProxy. */
    public Haproxy start() {
      return new Haproxy(this).start();
    }
  }
}
