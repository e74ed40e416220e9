package io.stickyws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An Envoy-style sticky router ({@link EnvoyRouterMain}, its own JVM) in front of {@link Backends}: an
 * <b>emulation</b> of Envoy's stateful session with a cookie whose name the operator chooses and whose value encodes
 * the upstream address, as Gateway API implementations (Envoy Gateway, Istio, kgateway) configure it. Envoy itself
 * cannot be installed on the lab machines; this router follows Envoy's source for the cookie format and the routing
 * decisions, nothing more (no HTTP/2, no keep-alive re-routing, no health checks other than a refused connection).
 *
 * <pre>{@code
 * EnvoyRouter router = rig.envoyRouter(backends, r -> r.cookieName("gw-session").strict(true));
 * URI uri = router.wsUri("/ws");
 * }</pre>
 *
 * <p>Lifecycle methods are meant for the test thread; getters are thread-safe.
 */
public final class EnvoyRouter implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Builder config;
  private volatile int port;
  private volatile ManagedProcess process;

  private EnvoyRouter(Builder config) {
    this.config = config;
  }

  /** A builder for a router in front of {@code backends}, writing its log under {@code dir}. */
  public static Builder builder(Path dir, Backends backends) {
    return new Builder(dir, backends);
  }

  /** {@code ws://127.0.0.1:<port><path>}. */
  public URI wsUri(String path) {
    return URI.create("ws://" + Ports.HOST + ":" + port + path);
  }

  /** The cookie name the operator chose (ignored in header mode). */
  public String cookieName() {
    return config.cookieName;
  }

  /** The header of {@code envoy.http.stateful_session.header} mode, or null in cookie mode. */
  public String headerName() {
    return config.headerName;
  }

  /** Whether a cookie naming a host that is down is answered 503 (Envoy's {@code strict}). */
  public boolean strict() {
    return config.strict;
  }

  /**
   * A {@code Cookie} request header value pinning {@code backend}, in the older plain encoding that Envoy still reads
   * (base64 of the address, quoted).
   */
  public String cookieHeader(Backend backend) {
    String encoded = Base64.getEncoder().encodeToString(backend.address().getBytes(StandardCharsets.US_ASCII));
    return config.cookieName + "=\"" + encoded + "\"";
  }

  /** Stops choosing {@code backend} and stops honouring cookies naming it (an Envoy host in DRAINING state). */
  public void drain(Backend backend) {
    admin("drain", backend);
  }

  /** Ends {@link #drain(Backend)}. */
  public void ready(Backend backend) {
    admin("ready", backend);
  }

  /** Whether the router runs. */
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** The last lines of its log (routing decisions, never cookie values). */
  public String logTail() {
    ManagedProcess p = process;
    return p == null ? "" : p.logTail(40);
  }

  /** SIGTERM, SIGKILL after 5 s. */
  public void stop() {
    ManagedProcess p = process;
    if (p != null) {
      p.stop(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "envoy-style router@" + Ports.HOST + ":" + port
        + (config.headerName == null ? " (cookie " + config.cookieName : " (header " + config.headerName)
        + (config.strict ? ", strict" : "") + ")";
  }

  private synchronized EnvoyRouter start() {
    Path log = config.dir.resolve("envoy-router.log");
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    List<String> command = new ArrayList<>(List.of(Binaries.jdkTool("java").toString(),
        "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, EnvoyRouterMain.class.getName(), "--port", "0",
        config.headerName == null ? "--cookie" : "--header",
        config.headerName == null ? config.cookieName : config.headerName, "--ttl", String.valueOf(config.ttl.toSeconds()),
        "--encoding", config.plainEncoding ? "plain" : "proto"));
    if (config.strict) {
      command.add("--strict");
    }
    for (Backend b : config.backends.all()) {
      command.add("--upstream");
      command.add(b.address());
    }
    long offset = Backend.size(log);
    ManagedProcess started = ManagedProcess.start("envoy-style router", command, config.dir, Map.of(), log, true);
    process = started;
    int[] announced = {0};
    Wait.until(START_TIMEOUT, "the Envoy-style router to announce its port", () -> {
      if (!started.isAlive()) {
        throw new AssertionError("router exited with " + started.exitCode() + "\n" + started.logTail(30));
      }
      announced[0] = Backend.announcedPort(log, offset);
      return announced[0] > 0;
    }, () -> started.logTail(30));
    port = announced[0];
    Wait.until(START_TIMEOUT, "the Envoy-style router to accept", () -> Ports.accepting(port),
        () -> started.logTail(30));
    return this;
  }

  private void admin(String action, Backend backend) {
    URI uri = URI.create("http://" + Ports.HOST + ":" + port + "/__router/" + action + "?upstream=" + backend.address());
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(action + " " + backend.id() + " answered " + response.statusCode() + ": "
            + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(action + " " + backend.id() + " on the router failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Configuration of one router. Defaults: cookie {@code gw-session}, TTL 1 hour (a persistent cookie, as Envoy
   * Gateway's {@code SessionPersistence} with an absolute timeout writes it), the newer protobuf encoding, not strict.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Path dir;
    private final Backends backends;
    private String cookieName = "gw-session";
    private String headerName;
    private Duration ttl = Duration.ofHours(1);
    private boolean plainEncoding;
    private boolean strict;

    private Builder(Path dir, Backends backends) {
      this.dir = Objects.requireNonNull(dir, "dir == null");
      this.backends = Objects.requireNonNull(backends, "backends == null");
    }

    /** The operator-chosen cookie name. */
    public Builder cookieName(String name) {
      this.cookieName = Objects.requireNonNull(name, "name == null");
      return this;
    }

    /** Header mode ({@code envoy.http.stateful_session.header}) with this header instead of a cookie. */
    public Builder headerName(String name) {
      this.headerName = Objects.requireNonNull(name, "name == null");
      return this;
    }

    /** The cookie's Max-Age (and the expiry encoded in its value); zero for a session cookie. */
    public Builder ttl(Duration ttl) {
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("ttl (" + ttl + ") must not be negative");
      }
      this.ttl = ttl;
      return this;
    }

    /** The older value encoding (base64 of {@code host:port}) instead of the protobuf one. */
    public Builder plainEncoding(boolean plain) {
      this.plainEncoding = plain;
      return this;
    }

    /** Envoy's {@code strict}: answer 503 while the pinned host is down instead of picking another. */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** Starts the router. */
    public EnvoyRouter start() {
      return new EnvoyRouter(this).start();
    }
  }
}
