package io.stickyws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One backend JVM ({@link BackendMain}) on a fixed loopback port: it can be SIGKILLed, stopped and started again on the
 * same port, asked to close its WebSockets with a close code, and asked how many it holds.
 *
 * <p>Thread-safe for reading; start/stop/kill are meant to be called from the test thread.
 */
public final class Backend implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String id;
  private final Path dir;
  private final List<String> setCookies;
  private volatile int port;
  private volatile ManagedProcess process;

  Backend(String id, Path dir, List<String> setCookies) {
    this.id = id;
    this.dir = dir;
    this.setCookies = List.copyOf(setCookies);
  }

  /** The id the backend announces ({@code {"server":"<id>"}}), also its server name and cookie value in balancers. */
  public String id() {
    return id;
  }

  /** Its loopback port (stable across {@link #start()} after a stop or kill). */
  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}. */
  public String address() {
    return Ports.HOST + ":" + port;
  }

  /** The pid of the running JVM. */
  public long pid() {
    return process.pid();
  }

  /** Whether its JVM runs. */
  public boolean isAlive() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** Starts the JVM (on the same port as before, if it ran before) and waits, bounded, until /health answers. */
  public synchronized Backend start() {
    if (isAlive()) {
      throw new IllegalStateException("backend " + id + " is already running");
    }
    Path log = dir.resolve("backend-" + id + ".log");
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    List<String> command = new ArrayList<>(List.of(Binaries.jdkTool("java").toString(),
        "-Xmx96m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, BackendMain.class.getName(), "--id", id, "--port", String.valueOf(port)));
    for (String cookie : setCookies) {
      command.add("--set-cookie");
      command.add(cookie);
    }
    long logOffset = size(log);
    ManagedProcess started = ManagedProcess.start("backend " + id, command, dir, Map.of(), log, true);
    process = started;
    int[] announced = {0};
    Wait.until(START_TIMEOUT, "backend " + id + " to announce its port", () -> {
      if (!started.isAlive()) {
        throw new AssertionError("backend " + id + " exited with " + started.exitCode() + "\n" + started.logTail(30));
      }
      announced[0] = announcedPort(log, logOffset);
      return announced[0] > 0;
    }, () -> started.logTail(30));
    port = announced[0];
    Wait.until(START_TIMEOUT, "backend " + id + " /health", () -> get("/health").statusCode() == 200,
        () -> started.logTail(30));
    return this;
  }

  /** {@code kill -9}: SIGKILL, then a bounded wait for the exit. */
  public void kill() {
    ManagedProcess p = process;
    if (p != null) {
      p.kill();
    }
  }

  /** SIGTERM (SIGKILL after 5 s). */
  public void stop() {
    ManagedProcess p = process;
    if (p != null) {
      p.stop(Duration.ofSeconds(5));
    }
  }

  /** Closes every open WebSocket with {@code code} (1001, 1012, ...); returns how many it closed. */
  public int closeAll(int code) {
    return Integer.parseInt(get("/admin/close?code=" + code).body().trim());
  }

  /** The number of WebSockets currently open on this backend. */
  public int openWebSockets() {
    return Integer.parseInt(get("/admin/count").body().trim());
  }

  /** Makes /health answer 200 ({@code true}) or 503 ({@code false}) without stopping the backend. */
  public void healthy(boolean up) {
    get("/admin/health?up=" + up);
  }

  /** A plain GET on the backend itself (not through a balancer). */
  public HttpResponse<String> get(String pathAndQuery) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address() + pathAndQuery))
          .timeout(Duration.ofSeconds(5)).build();
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + pathAndQuery + " on backend " + id + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The last lines of its log. */
  public String logTail() {
    ManagedProcess p = process;
    return p == null ? "" : p.logTail(30);
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "backend " + id + "@" + address() + (isAlive() ? "" : " (down)");
  }

  static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The port of the first {@code LISTENING <port>} line written to {@code log} after {@code offset}, or 0. */
  static int announcedPort(Path log, long offset) {
    try {
      byte[] bytes = Files.readAllBytes(log);
      String text = new String(bytes, (int) offset, bytes.length - (int) offset, StandardCharsets.UTF_8);
      int at = text.indexOf("LISTENING ");
      if (at < 0) {
        return 0;
      }
      int end = text.indexOf('\n', at);
      return end < 0 ? 0 : Integer.parseInt(text.substring(at + "LISTENING ".length(), end).trim());
    } catch (IOException e) {
      return 0;
    }
  }
}
