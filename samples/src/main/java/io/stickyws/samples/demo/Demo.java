package io.stickyws.samples.demo;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.okhttp.OkHttpTransport;
import io.stickyws.samples.lab.Lab;
import io.stickyws.samples.lab.TempDirs;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Binaries;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Rig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The stickyws demo (README's first command, {@code scripts/demo}): three backend JVMs behind HAProxy (or, without
 * HAProxy, the embedded {@link StickyRouter}), a plain OkHttp client bouncing between backends across reconnects
 * beside a stickyws client staying on one, then {@code kill -9} of the pinned backend and the stickyws client failing
 * over and sticking to the new one. Finishes by itself in well under a minute and stops every process it started,
 * also on Ctrl-C.
 *
 * <p>Arguments: {@code --embedded} (or {@code -Dstickyws.demo.router=embedded}) uses the embedded router even when
 * HAProxy is installed; {@code --connections N} (default 6) connections per client.
 *
 * <p>Not thread-safe: one run per instance.
 */
public final class Demo {
  private static final Pattern SERVER = Pattern.compile("\"server\"\\s*:\\s*\"([^\"]+)\"");
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

  private final PrintStream out;
  private final boolean forceEmbedded;
  private final int connections;
  private final long startNanos = System.nanoTime();

  /** What the demo saw, for its summary and its tests. */
  public record Result(String balancer, List<String> plain, List<String> sticky, String killed, String failedOverTo,
      boolean affinityChanged, List<String> after) {}

  private Demo(PrintStream out, boolean forceEmbedded, int connections) {
    this.out = out;
    this.forceEmbedded = forceEmbedded;
    this.connections = connections;
  }

  /** See the class comment for the arguments. */
  public static void main(String[] args) {
    io.stickyws.samples.lab.ClassPath.makeAbsolute();
    boolean embedded = "embedded".equalsIgnoreCase(System.getProperty("stickyws.demo.router", ""));
    int connections = 6;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--embedded": embedded = true; break;
        case "--connections": connections = Integer.parseInt(args[++i]); break;
        default:
          System.err.println("usage: scripts/demo [--embedded] [--connections N]");
          System.exit(2);
      }
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("stickyws-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AtomicReference<String> logs = new AtomicReference<>("");
    try {
      run(System.out, embedded, connections, dir, () -> {
        logs.set(logTails(dir)); // shown if the demo failed: the directory goes now
        TempDirs.delete(dir);
      });
      System.exit(0);
    } catch (RuntimeException | AssertionError e) {
      System.err.println("demo failed: " + e.getMessage() + "\n" + logs.get());
      TempDirs.delete(dir);
      System.exit(1);
    }
  }

  /** The last lines of every log the demo's processes wrote (they are deleted with the demo's directory). */
  private static String logTails(Path dir) {
    StringBuilder text = new StringBuilder();
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.filter(f -> f.toString().endsWith(".log")).sorted()
          .forEach(f -> text.append(tail(f)).append('\n'));
    } catch (IOException | UncheckedIOException e) {
      text.append("(logs unreadable: ").append(e.getMessage()).append(')');
    }
    return text.toString();
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return "--- " + file.getFileName() + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15),
          lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "--- " + file.getFileName() + " unreadable: " + e.getMessage();
    }
  }

  /**
   * Runs the demo, writing its log and summary to {@code out} and its processes' files under {@code dir}; stops
   * everything before returning (or throwing).
   */
  public static Result run(PrintStream out, boolean forceEmbedded, int connections, Path dir) {
    return run(out, forceEmbedded, connections, dir, () -> { });
  }

  /** Like {@link #run(PrintStream, boolean, int, Path)}, then {@code afterStop} (also on Ctrl-C, after the stop). */
  static Result run(PrintStream out, boolean forceEmbedded, int connections, Path dir, Runnable afterStop) {
    if (connections < 2) {
      throw new IllegalArgumentException("connections (" + connections + ") must be >= 2");
    }
    Rig rig = Rig.in(dir);
    AtomicBoolean closed = new AtomicBoolean();
    Runnable stop = () -> {
      if (closed.compareAndSet(false, true)) {
        try {
          rig.close();
        } finally {
          afterStop.run();
        }
      }
    };
    Thread hook = new Thread(() -> {
      if (!closed.get()) {
        stop.run();
        out.println("interrupted: stopped every process the demo started");
        out.flush();
      }
    }, "demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: stop the backends and the balancer
    try {
      return new Demo(out, forceEmbedded, connections).run(rig);
    } finally {
      stop.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs (and finds everything stopped)
      }
      out.println("stopped every process the demo started");
      out.flush();
    }
  }

  private Result run(Rig rig) {
    log("starting 3 backends (one JVM each: s1, s2, s3) ...");
    Backends backends = rig.backends(3);
    URI uri;
    String balancer;
    Optional<Path> haproxy = forceEmbedded ? Optional.empty() : findHaproxy();
    if (haproxy.isPresent()) {
      Path binary = haproxy.get();
      Haproxy h = rig.haproxy(backends, b -> b.binary(binary));
      uri = h.wsUri("/ws");
      balancer = "HAProxy";
      log("balancer: real HAProxy (" + binary + "), cookie SERVERID insert indirect nocache, stats "
          + h.statsUri());
    } else {
      Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
      for (Backend b : backends.all()) {
        servers.put(b.id(), new InetSocketAddress("127.0.0.1", b.port()));
      }
      StickyRouter router;
      try {
        router = rig.manage(StickyRouter.start(servers));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      uri = router.wsUri("/ws");
      balancer = "embedded router";
      log("balancer: the embedded sticky router (" + (forceEmbedded ? "--embedded" : "no haproxy on the PATH")
          + "), which inserts SERVERID like HAProxy's `cookie SERVERID insert indirect`, round robin");
    }
    log("WebSocket URL " + uri + "; every backend greets with {\"server\":\"<id>\"}");
    out.println();

    OkHttpClient okhttp = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).build();
    StickySession session = StickySession.builder(OkHttpTransport.create(okhttp))
        .reconnectPolicy(ReconnectPolicy.builder()
            .initialDelay(Duration.ofMillis(200)).maxDelay(Duration.ofSeconds(1)).build())
        .heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(3))
        .build();
    try {
      // 1. side by side
      log("1. " + connections + " connections each (connect, read the greeting, close): a plain OkHttp client "
          + "(no cookie jar) and a stickyws client");
      out.printf(Locale.ROOT, "     %-4s %-22s %-34s%n", "#", "plain OkHttp client", "stickyws client");
      List<String> plain = new ArrayList<>();
      List<String> sticky = new ArrayList<>();
      for (int n = 1; n <= connections; n++) {
        String p = plainConnection(okhttp, uri);
        Landing s = stickyConnection(session, uri);
        plain.add(p);
        sticky.add(s.backend);
        out.printf(Locale.ROOT, "     %-4d %-22s %-34s%n", n, p, s.backend + "  (" + s.affinity + ", " + s.same + ")");
      }
      out.println();

      // 2. failover
      String pinned = sticky.get(sticky.size() - 1);
      log("2. a long-lived stickyws connection, then kill -9 of its backend");
      FailoverListener listener = new FailoverListener();
      StickyWebSocket webSocket = session.connect(uri, listener);
      String first = listener.await(listener.firstGreeting, "the long-lived connection to open");
      log("   open on " + first + " (" + listener.describe(listener.firstToken) + ")");
      Backend victim = backends.get(first);
      log("   kill -9 " + victim.id() + " (pid " + victim.pid() + ")");
      victim.kill();
      String moved = listener.await(listener.secondGreeting, "the connection to fail over");
      log("   open again on " + moved + " (" + listener.describe(listener.secondToken) + ")");
      webSocket.close();
      out.println();

      // 3. sticky again
      log("3. " + connections + " more stickyws connections (same session, same cookie jar)");
      List<String> after = new ArrayList<>();
      for (int n = 1; n <= connections; n++) {
        Landing s = stickyConnection(session, uri);
        after.add(s.backend);
        out.printf(Locale.ROOT, "     %-4d %-34s%n", n, s.backend + "  (" + s.affinity + ", " + s.same + ")");
      }
      out.println();

      Result result = new Result(balancer, plain, sticky, first, moved, listener.changed, after);
      summary(result, pinned);
      return result;
    } finally {
      session.close();
      okhttp.dispatcher().executorService().shutdown();
      okhttp.connectionPool().evictAll();
    }
  }

  private void summary(Result r, String pinned) {
    out.println("summary (" + r.balancer() + ")");
    out.printf(Locale.ROOT, "  %-28s %-12s %-16s %s%n", "client", "connections", "backends", "verdict");
    out.printf(Locale.ROOT, "  %-28s %-12d %-16s %s%n", "plain OkHttp (no cookies)", r.plain().size(),
        distinct(r.plain()), distinctCount(r.plain()) > 1 ? "bounced between " + distinctCount(r.plain()) + " backends"
            : "one backend (by chance)");
    out.printf(Locale.ROOT, "  %-28s %-12d %-16s %s%n", "stickyws", r.sticky().size(), distinct(r.sticky()),
        distinctCount(r.sticky()) == 1 ? "sticky: all on " + pinned : "NOT sticky");
    out.printf(Locale.ROOT, "  %-28s %-12s %-16s %s%n", "stickyws after kill -9 " + r.killed(), "1 + " + r.after().size(),
        r.killed() + " -> " + r.failedOverTo(), distinctCount(r.after()) == 1 && r.after().get(0).equals(r.failedOverTo())
            ? "failed over once, then sticky on " + r.failedOverTo() : "NOT sticky after failover");
    out.flush();
  }

  private static String distinct(List<String> backends) {
    return String.join(" ", new LinkedHashSet<>(backends).stream().sorted().toList());
  }

  private static int distinctCount(List<String> backends) {
    return new LinkedHashSet<>(backends).size();
  }

  private void log(String line) {
    out.printf(Locale.ROOT, "[%5.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, line);
    out.flush();
  }

  /** A plain OkHttp WebSocket: no cookie jar, so nothing pins it. */
  private static String plainConnection(OkHttpClient client, URI uri) {
    CompletableFuture<String> greeting = new CompletableFuture<>();
    WebSocket webSocket = client.newWebSocket(new Request.Builder().url(uri.toString().replaceFirst("^ws", "http"))
        .build(), new WebSocketListener() {
          @Override
          public void onMessage(WebSocket ws, String text) {
            greeting.complete(text);
          }

          @Override
          public void onFailure(WebSocket ws, Throwable t, Response response) {
            greeting.completeExceptionally(t);
          }
        });
    try {
      return backendOf(get(greeting, "the plain client's greeting"));
    } finally {
      webSocket.close(1000, null);
    }
  }

  private record Landing(String backend, String affinity, SameBackend same) {}

  /** One stickyws connection on the shared session: connect, read the greeting, close. */
  private Landing stickyConnection(StickySession session, URI uri) {
    CompletableFuture<String> greeting = new CompletableFuture<>();
    CompletableFuture<AffinityToken> token = new CompletableFuture<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    StickyWebSocket webSocket = session.connect(uri, new StickyWebSocketListener() {
      @Override
      public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend sameBackend) {
        token.complete(affinity);
      }

      @Override
      public void onText(StickyWebSocket ws, String text) {
        greeting.complete(text);
      }

      @Override
      public void onClosed(StickyWebSocket ws, int code, String reason) {
        closed.complete(null);
      }
    });
    try {
      String backend = backendOf(get(greeting, "the stickyws client's greeting"));
      AffinityToken affinity = token.getNow(null);
      return new Landing(backend, affinity == null ? "no affinity cookie" : affinity.name() + " "
          + affinity.fingerprint(), affinity == null ? SameBackend.UNKNOWN : sameAsLast(affinity));
    } finally {
      webSocket.close();
      try {
        closed.get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // the close is best effort here; the session closes everything at the end
      }
    }
  }

  private String lastFingerprint;

  private synchronized SameBackend sameAsLast(AffinityToken token) {
    SameBackend same = lastFingerprint == null ? SameBackend.UNKNOWN
        : lastFingerprint.equals(token.fingerprint()) ? SameBackend.SAME : SameBackend.CHANGED;
    lastFingerprint = token.fingerprint();
    return same;
  }

  /** Records the events of the long-lived connection through the kill. */
  private final class FailoverListener implements StickyWebSocketListener {
    final CompletableFuture<String> firstGreeting = new CompletableFuture<>();
    final CompletableFuture<String> secondGreeting = new CompletableFuture<>();
    volatile AffinityToken firstToken;
    volatile AffinityToken secondToken;
    volatile boolean changed;
    private int opens;

    @Override
    public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend sameBackend) {
      opens++;
      if (opens == 1) {
        firstToken = affinity;
      } else {
        secondToken = affinity;
        log("   reopened on attempt " + attempt + ", same backend: " + sameBackend);
      }
    }

    @Override
    public void onText(StickyWebSocket ws, String text) {
      (opens == 1 ? firstGreeting : secondGreeting).complete(backendOf(text));
    }

    @Override
    public void onDisconnected(StickyWebSocket ws, int code, String reason, Throwable cause, boolean willRetry,
        Duration nextDelay) {
      log("   disconnected (" + code + (cause == null ? "" : ", " + cause.getClass().getSimpleName()) + ")"
          + (willRetry ? ", reconnecting in " + nextDelay.toMillis() + " ms" : ", giving up"));
    }

    @Override
    public void onAffinityChanged(StickyWebSocket ws, AffinityToken from, AffinityToken to) {
      changed = true;
      log("   affinity changed " + from.name() + " " + from.fingerprint() + " -> " + to.fingerprint()
          + ": the balancer moved the client; in-process state on the old backend is gone");
    }

    String describe(AffinityToken token) {
      return token == null ? "no affinity cookie" : token.name() + " " + token.fingerprint();
    }

    String await(CompletableFuture<String> future, String what) {
      return get(future, what);
    }
  }

  private static String get(CompletableFuture<String> future, String what) {
    try {
      return future.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + STEP_TIMEOUT.toSeconds() + "s waiting for " + what);
    }
  }

  private static String backendOf(String greeting) {
    Matcher m = SERVER.matcher(greeting);
    return m.find() ? m.group(1) : greeting;
  }

  /** HAProxy on the PATH or at the Debian location, if installed. */
  static Optional<Path> findHaproxy() {
    try {
      return Optional.of(Lab.binary("haproxy", Binaries.HAPROXY));
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }
}
