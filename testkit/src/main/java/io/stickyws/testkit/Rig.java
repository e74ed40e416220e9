package io.stickyws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The whole rig of one test class: a directory, the processes started in it, and one generated certificate. Every
 * resource it starts is closed by {@link #close()} in reverse order, SIGKILL as the last resort; use it from
 * {@link RigExtension} or in try-with-resources.
 *
 * <pre>{@code
 * Backends backends = rig.backends(3);
 * Haproxy haproxy = rig.haproxy(backends, h -> h.tls(rig.certificates()).secureCookie(true));
 * RawWebSocket landing = RawWebSocket.probe(haproxy.wsUri("/ws"), Map.of(), null);
 * }</pre>
 *
 * <p>Not thread-safe: used from the test thread.
 */
public final class Rig implements AutoCloseable {
  private final Path dir;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private Certificates certificates;
  private int counter;

  private Rig(Path dir) {
    this.dir = dir;
  }

  /** A rig writing everything under {@code dir}. */
  public static Rig in(Path dir) {
    return new Rig(dir);
  }

  /** The rig's directory. */
  public Path dir() {
    return dir;
  }

  /** Three backends s1..s3 without their own cookies. */
  public Backends backends(int count) {
    return manage(Backends.start(subdir("backends"), count));
  }

  /** Backends adding {@code setCookies.apply(id)} as Set-Cookie to their 101s. */
  public Backends backends(int count, Function<String, List<String>> setCookies) {
    return manage(Backends.start(subdir("backends"), count, setCookies));
  }

  /** The certificate for localhost/127.0.0.1, generated once per rig. */
  public Certificates certificates() {
    if (certificates == null) {
      certificates = Certificates.generate(dir);
    }
    return certificates;
  }

  /** Starts HAProxy in front of {@code backends}, configured by {@code config}. */
  public Haproxy haproxy(Backends backends, Consumer<Haproxy.Builder> config) {
    Haproxy.Builder builder = Haproxy.builder(subdir("haproxy"), backends);
    config.accept(builder);
    return manage(builder.start());
  }

  /** Starts nginx configured by {@code config}. */
  public Nginx nginx(Consumer<Nginx.Builder> config) {
    Nginx.Builder builder = Nginx.builder(subdir("nginx"));
    config.accept(builder);
    return manage(builder.start());
  }

  /** Starts Caddy in front of {@code backends}, configured by {@code config}. */
  public Caddy caddy(Backends backends, Consumer<Caddy.Builder> config) {
    Caddy.Builder builder = Caddy.builder(subdir("caddy"), backends);
    config.accept(builder);
    return manage(builder.start());
  }

  /** Starts the Envoy-style sticky router (an emulation) in front of {@code backends}, configured by {@code config}. */
  public EnvoyRouter envoyRouter(Backends backends, Consumer<EnvoyRouter.Builder> config) {
    EnvoyRouter.Builder builder = EnvoyRouter.builder(subdir("envoy-router"), backends);
    config.accept(builder);
    return manage(builder.start());
  }

  /** Closes {@code resource} with the rig. */
  public <T extends AutoCloseable> T manage(T resource) {
    resources.push(resource);
    return resource;
  }

  /** Stops everything this rig started, newest first; failures are collected, never stop the cleanup. */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("rig cleanup failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private Path subdir(String name) {
    try {
      return Files.createDirectories(dir.resolve(name + "-" + ++counter));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
