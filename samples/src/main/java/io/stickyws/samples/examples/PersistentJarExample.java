package io.stickyws.samples.examples;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.okhttp.OkHttpTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;

/**
 * Stickiness that survives a restart: the cookies live in a {@link FileCookieJar} ({@code cookies.txt} format,
 * owner-only, atomically replaced), so the next run of the process sends the balancer's cookie again and lands on the
 * same backend. Run it twice with the same file.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class PersistentJarExample {
  private PersistentJarExample() {}

  /** {@code PersistentJarExample <ws-url> [cookies.txt]}: one connection, then exit; run it again. */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws");
    Path file = Path.of(args.length > 1 ? args[1] : "cookies.txt");
    System.out.println("first message: " + connectOnce(uri, file));
  }

  /** One "run of the process": opens the jar file, connects, reads the first message, closes everything. */
  public static String connectOnce(URI uri, Path cookieFile)
      throws InterruptedException, ExecutionException, TimeoutException {
    OkHttpClient client = new OkHttpClient();
    CompletableFuture<String> first = new CompletableFuture<>();
    try (FileCookieJar jar = FileCookieJar.open(cookieFile);
        StickySession session = StickySession.builder(OkHttpTransport.create(client)).cookieJar(jar).build()) {
      StickyWebSocket webSocket = session.connect(uri, new StickyWebSocketListener() {
        @Override
        public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend sameBackend) {
          System.out.println("open, affinity " + affinity);
        }

        @Override
        public void onText(StickyWebSocket ws, String text) {
          first.complete(text);
        }
      });
      try {
        return first.get(10, TimeUnit.SECONDS);
      } finally {
        webSocket.close();
      }
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
