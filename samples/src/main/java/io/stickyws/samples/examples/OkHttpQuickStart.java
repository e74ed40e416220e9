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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * Quick start on OkHttp: the application's own {@link OkHttpClient}, one session, one sticky connection that
 * reconnects by itself and replays the balancer's affinity cookie.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class OkHttpQuickStart {
  private OkHttpQuickStart() {}

  /** Connects to {@code args[0]}, prints the backend it landed on, closes and waits. */
  // README begin
  public static void main(String[] args) throws InterruptedException {
    OkHttpClient client = new OkHttpClient();
    StickySession session = StickySession.builder(OkHttpTransport.create(client))
        .cookieJar(FileCookieJar.open(Path.of("cookies.txt")))  // sticky across restarts too
        .build();
    StickyWebSocket ws = session.connect(URI.create(args[0]), new StickyWebSocketListener() {
      @Override public void onOpen(StickyWebSocket ws, int attempt, AffinityToken token,
          SameBackend same) { System.out.println("open, backend " + same); }
      @Override public void onText(StickyWebSocket ws, String text) { System.out.println(text); }
      @Override public void onAffinityChanged(StickyWebSocket ws, AffinityToken from,
          AffinityToken to) { /* the old backend is gone: rebuild server-side state first */ }
    });
    if (ws.awaitOpen(Duration.ofSeconds(10))) {
      System.out.println("landed on " + ws.affinity().map(AffinityToken::backendId).orElse("?"));
      ws.send("hello");  // sent now, or queued until the next open
    }
    session.closeAndWait(Duration.ofSeconds(5));  // onClosed delivered, cookies flushed
    client.dispatcher().executorService().shutdown();
  }
  // README end

  /** Connects, reads the first message, sends "hello", reads the answer, closes; returns both messages. */
  public static List<String> exchange(URI uri) throws InterruptedException {
    OkHttpClient client = new OkHttpClient();
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (StickySession session = StickySession.builder(OkHttpTransport.create(client)).build()) {
      StickyWebSocket webSocket = session.connect(uri, new StickyWebSocketListener() {
        @Override
        public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend sameBackend) {
          System.out.println("open on attempt " + attempt + ", affinity " + affinity + ", backend " + sameBackend);
        }

        @Override
        public void onText(StickyWebSocket ws, String text) {
          received.add(text);
        }
      });
      String first = received.poll(10, TimeUnit.SECONDS);
      webSocket.send("hello");
      String echo = received.poll(10, TimeUnit.SECONDS);
      webSocket.close();
      return java.util.Arrays.asList(first, echo);
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
