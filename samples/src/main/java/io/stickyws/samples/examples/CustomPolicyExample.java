package io.stickyws.samples.examples;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.okhttp.OkHttpTransport;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.OkHttpClient;

/**
 * A reconnect policy of one's own: a quick first retry, decorrelated jitter, at most 5 attempts and 30 seconds per
 * outage, {@code Retry-After} honoured up to 10 seconds, and 404 (not only the defaults 401/403) treated as final.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class CustomPolicyExample {
  private CustomPolicyExample() {}

  /** The policy. */
  public static ReconnectPolicy policy() {
    return ReconnectPolicy.builder()
        .initialDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofSeconds(5))
        .jitter(ReconnectPolicy.Jitter.DECORRELATED)
        .maxAttempts(5)
        .maxElapsedTime(Duration.ofSeconds(30))
        .maxRetryAfter(Duration.ofSeconds(10))
        .giveUpOnStatus(404)
        .build();
  }

  /** Connects to the URL and prints on which attempt it opened. */
  public static void main(String[] args) throws Exception {
    System.out.println("opened on attempt " + openedOnAttempt(URI.create(
        args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws")));
  }

  /** Connects with {@link #policy()}, printing each retry; returns the attempt that opened. */
  public static int openedOnAttempt(URI uri) throws InterruptedException, ExecutionException, TimeoutException {
    OkHttpClient client = new OkHttpClient();
    CompletableFuture<Integer> opened = new CompletableFuture<>();
    try (StickySession session = StickySession.builder(OkHttpTransport.create(client))
        .reconnectPolicy(policy()).build()) {
      StickyWebSocket webSocket = session.connect(uri, new StickyWebSocketListener() {
        @Override
        public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend sameBackend) {
          opened.complete(attempt);
        }

        @Override
        public void onReconnecting(StickyWebSocket ws, int attempt, Duration delay) {
          System.out.println("attempt " + attempt + " in " + delay.toMillis() + " ms");
        }

        @Override
        public void onGaveUp(StickyWebSocket ws, Throwable cause, int attempts, Duration elapsed) {
          opened.completeExceptionally(cause);
        }
      });
      try {
        return opened.get(30, TimeUnit.SECONDS);
      } finally {
        webSocket.close();
      }
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
