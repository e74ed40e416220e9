package io.stickyws.samples.examples;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.okhttp.OkHttpTransport;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;

/**
 * Affinity by header, for balancers that route on one instead of a cookie: the backend answers its id in a response
 * header ({@code X-Backend-Id}), stickyws captures it and sends it back as a request header on every reconnect. (For
 * a backend id the application already knows, {@code AffinityRules.builder().requestHeader(name, id)} sends a fixed
 * one, e.g. Fly.io's {@code fly-force-instance-id}.)
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class AffinityByHeaderExample {
  /** The header carrying the backend id both ways. */
  public static final String HEADER = "X-Backend-Id";

  private AffinityByHeaderExample() {}

  /** The rules: capture {@value #HEADER} from the handshake response and replay it. */
  public static AffinityRules rules() {
    return AffinityRules.builder().responseHeader(HEADER).build();
  }

  /** Connects twice through one session and prints the affinity and whether the backend was the same. */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws");
    System.out.println("second connection: " + connectTwice(uri));
  }

  /**
   * Opens a connection, lets the server drop it, and waits for the reconnect: returns whether the engine reports the
   * same backend on the reopen.
   */
  public static SameBackend connectTwice(URI uri) throws InterruptedException, ExecutionException, TimeoutException {
    OkHttpClient client = new OkHttpClient();
    CompletableFuture<SameBackend> reopened = new CompletableFuture<>();
    try (StickySession session = StickySession.builder(OkHttpTransport.create(client)).affinity(rules()).build()) {
      StickyWebSocket webSocket = session.connect(uri, new StickyWebSocketListener() {
        private int opens;

        @Override
        public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend sameBackend) {
          System.out.println("open, affinity " + affinity + ", backend " + sameBackend);
          if (++opens == 2) {
            reopened.complete(sameBackend);
          }
        }
      });
      try {
        return reopened.get(20, TimeUnit.SECONDS);
      } finally {
        webSocket.close();
      }
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
