package io.stickyws.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A set of backend JVMs named {@code s1}, {@code s2}, ... started in parallel.
 *
 * <p>Start/stop are meant for the test thread; reading is thread-safe.
 */
public final class Backends implements AutoCloseable {
  private final List<Backend> all;

  private Backends(List<Backend> all) {
    this.all = Collections.unmodifiableList(all);
  }

  /** Starts {@code count} backends without Set-Cookie of their own. */
  public static Backends start(Path dir, int count) {
    return start(dir, count, id -> List.of());
  }

  /**
   * Starts {@code count} backends; {@code setCookies} gives each backend id the Set-Cookie header values it adds to
   * its 101 (e.g. {@code id -> List.of("srv=" + id + "; Path=/")} for nginx routing).
   */
  public static Backends start(Path dir, int count, Function<String, List<String>> setCookies) {
    List<Backend> backends = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = "s" + i;
      backends.add(new Backend(id, dir, setCookies.apply(id)));
    }
    Backends started = new Backends(backends);
    try {
      CompletableFuture.allOf(backends.stream()
          .map(b -> CompletableFuture.runAsync(b::start))
          .toArray(CompletableFuture[]::new)).join();
    } catch (java.util.concurrent.CompletionException e) {
      started.close();
      if (e.getCause() instanceof Error) {
        throw (Error) e.getCause();
      }
      throw e;
    }
    return started;
  }

  /** All backends, in id order. */
  public List<Backend> all() {
    return all;
  }

  /** The backend with {@code id}. */
  public Backend get(String id) {
    return all.stream().filter(b -> b.id().equals(id)).findFirst()
        .orElseThrow(() -> new NoSuchElementException("no backend " + id));
  }

  /** Starts again every backend that is not running (same ports). */
  public void startStopped() {
    all.stream().filter(b -> !b.isAlive()).forEach(Backend::start);
  }

  @Override
  public void close() {
    all.forEach(Backend::stop);
  }

  @Override
  public String toString() {
    return all.toString();
  }
}
