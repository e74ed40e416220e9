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
 * nginx 1.22 (open source: no sticky module) with the WebSocket upgrade recipe ({@code map $http_upgrade
 * $connection_upgrade}, {@code proxy_http_version 1.1}, Upgrade/Connection headers, long timeouts,
 * {@code proxy_buffering off}), in one of two shapes:
 * <ul>
 *   <li>{@link Builder#backends(Backends)}: application-level affinity, {@code map $cookie_srv} routes to the backend
 *       the cookie names (the backends set {@code srv=<id>} themselves), otherwise a round-robin pool;</li>
 *   <li>{@link Builder#upstream(Haproxy)}: a layered chain, nginx (TLS) → HAProxy (cookie) → backends.</li>
 * </ul>
 * Run in the foreground ({@code -g 'daemon off;'}) with every file (pid, logs, temp paths) inside its directory.
 *
 * <p>Lifecycle methods are meant for the test thread; getters are thread-safe.
 */
public final class Nginx implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Builder config;
  private final Path dir;
  private int httpPort;
  private int httpsPort;
  private volatile ManagedProcess process;
  private int generation;

  private Nginx(Builder config) {
    this.config = config;
    this.dir = config.dir;
  }

  /** A builder writing its files under {@code dir}. */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** {@code ws://127.0.0.1:<http port><path>}. */
  public URI wsUri(String path) {
    return URI.create("ws://" + Ports.HOST + ":" + httpPort + path);
  }

  /** {@code wss://localhost:<https port><path>} (with {@link Builder#tls(Certificates)} only). */
  public URI wssUri(String path) {
    if (config.certificates == null) {
      throw new IllegalStateException("this nginx has no TLS listener: builder().tls(certificates)");
    }
    return URI.create("wss://localhost:" + httpsPort + path);
  }

  /** The routing cookie name ({@code srv}). */
  public String routingCookie() {
    return config.routingCookie;
  }

  /** The master pid. */
  public long pid() {
    return process.pid();
  }

  /** Whether the master runs. */
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** Starts nginx (again: same ports) and waits until it listens. */
  public synchronized Nginx start() {
    Binaries.require(Binaries.NGINX, "nginx-light");
    if (isAlive()) {
      throw new IllegalStateException("nginx is already running");
    }
    boolean firstStart = httpPort == 0;
    for (int attempt = 1; ; attempt++) {
      if (firstStart) {
        httpPort = Ports.free();
        httpsPort = config.certificates == null ? 0 : Ports.free();
      }
      Path conf = writeConfig();
      generation++;
      ManagedProcess started = ManagedProcess.start("nginx", List.of(Binaries.NGINX.toString(),
          "-p", dir.toString(), "-c", conf.toString(), "-e", dir.resolve("error.log").toString(),
          "-g", "daemon off;"), dir, Map.of(), dir.resolve("nginx-" + generation + ".log"), false);
      process = started;
      try {
        Wait.until(START_TIMEOUT, "nginx to listen on " + httpPort, () -> {
          if (!started.isAlive()) {
            throw new AssertionError("nginx exited with " + started.exitCode() + "\n" + logTail());
          }
          return Ports.accepting(httpPort) && (httpsPort == 0 || Ports.accepting(httpsPort));
        }, this::logTail);
        return this;
      } catch (AssertionError e) {
        started.kill();
        if (!firstStart || attempt >= 3 || !logTail().contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  /** Fast shutdown (SIGTERM), bounded; workers are killed with the master if they linger. */
  public void stop() {
    ManagedProcess p = process;
    if (p != null) {
      p.stop(Duration.ofSeconds(5));
    }
  }

  /** {@code kill -9} of master and workers. */
  public void kill() {
    ManagedProcess p = process;
    if (p != null) {
      p.kill();
    }
  }

  /** The process output and the error log, last lines. */
  public String logTail() {
    ManagedProcess p = process;
    return (p == null ? "" : p.logTail(20) + "\n") + ManagedProcess.tail(dir.resolve("error.log"), 20);
  }

  @Override
  public void close() {
    stop();
  }

  private Path writeConfig() {
    StringBuilder c = new StringBuilder();
    if ("root".equals(System.getProperty("user.name"))) {
      // workers would run as nobody and could not enter the private temp directory
      c.append("user root;\n");
    }
    c.append("worker_processes 1;\n")
        .append("pid ").append(dir.resolve("nginx.pid")).append(";\n")
        .append("error_log ").append(dir.resolve("error.log")).append(" info;\n")
        .append("events { worker_connections 2048; }\n")
        .append("http {\n")
        .append("  access_log ").append(dir.resolve("access.log")).append(";\n");
    for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      c.append("  ").append(temp).append("_temp_path ").append(dir.resolve("temp-" + temp)).append(";\n");
    }
    c.append("  map $http_upgrade $connection_upgrade {\n")
        .append("    default upgrade;\n")
        .append("    ''      close;\n")
        .append("  }\n");
    String target;
    if (config.haproxy != null) {
      c.append("  upstream haproxy { server ").append(Ports.HOST).append(':').append(config.haproxy.httpPort())
          .append("; }\n");
      target = "haproxy";
    } else {
      c.append("  upstream pool {\n");
      for (Backend backend : config.backends.all()) {
        c.append("    server ").append(backend.address()).append(";\n");
      }
      c.append("  }\n");
      for (Backend backend : config.backends.all()) {
        c.append("  upstream backend_").append(backend.id()).append(" { server ").append(backend.address())
            .append("; }\n");
      }
      c.append("  map $cookie_").append(config.routingCookie).append(" $route {\n")
          .append("    default pool;\n");
      for (Backend backend : config.backends.all()) {
        c.append("    ").append(backend.id()).append(" backend_").append(backend.id()).append(";\n");
      }
      c.append("  }\n");
      target = "$route";
    }
    c.append("  server {\n")
        .append("    listen ").append(Ports.HOST).append(':').append(httpPort).append(";\n");
    if (config.certificates != null) {
      c.append("    listen ").append(Ports.HOST).append(':').append(httpsPort).append(" ssl;\n")
          .append("    ssl_certificate ").append(config.certificates.certPem()).append(";\n")
          .append("    ssl_certificate_key ").append(config.certificates.keyPem()).append(";\n");
    }
    c.append("    location / {\n")
        .append("      proxy_pass http://").append(target).append(";\n")
        .append("      proxy_http_version 1.1;\n")
        .append("      proxy_set_header Upgrade $http_upgrade;\n")
        .append("      proxy_set_header Connection $connection_upgrade;\n")
        .append("      proxy_set_header Host $host;\n")
        .append("      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n")
        .append("      proxy_connect_timeout 2s;\n")
        .append("      proxy_read_timeout ").append(config.readTimeout.toSeconds()).append("s;\n")
        .append("      proxy_send_timeout ").append(config.readTimeout.toSeconds()).append("s;\n")
        .append("      proxy_buffering off;\n")
        .append("    }\n")
        .append("  }\n")
        .append("}\n");
    try {
      return Files.writeString(dir.resolve("nginx.conf"), c.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Configuration of one nginx: exactly one of {@link #backends(Backends)} or {@link #upstream(Haproxy)}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Path dir;
    private Backends backends;
    private Haproxy haproxy;
    private Certificates certificates;
    private String routingCookie = "srv";
    private Duration readTimeout = Duration.ofHours(1);

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir == null");
    }

    /** Cookie routing to these backends ({@code map $cookie_srv}), round robin without the cookie. */
    public Builder backends(Backends backends) {
      this.backends = backends;
      return this;
    }

    /** Layered chain: everything goes to this HAProxy's plain frontend. */
    public Builder upstream(Haproxy haproxy) {
      this.haproxy = haproxy;
      return this;
    }

    /** Adds a TLS listener with this certificate. */
    public Builder tls(Certificates certificates) {
      this.certificates = certificates;
      return this;
    }

    /** The routing cookie name (default {@code srv}). */
    public Builder routingCookie(String name) {
      this.routingCookie = name;
      return this;
    }

    /** {@code proxy_read_timeout}/{@code proxy_send_timeout} (default 1 h): nginx's idle-tunnel limit. */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    /** Writes the configuration and starts nginx. */
    public Nginx start() {
      if ((backends == null) == (haproxy == null)) {
        throw new IllegalStateException("nginx needs exactly one of backends(...) or upstream(haproxy)");
      }
      return new Nginx(this).start();
    }
  }
}
