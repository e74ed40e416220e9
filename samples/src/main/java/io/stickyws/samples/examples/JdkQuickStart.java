package io.stickyws.samples.examples;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.spi.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Quick start on the JDK's {@code java.net.http.WebSocket}: the application's {@link HttpClient.Builder}, one session, one sticky connection that
 * reconnects by itself and replays the balancer's affinity cookie.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class JdkQuickStart {
  private JdkQuickStart() {}

  /** Connects to {@code args[0]}, prints the backend it landed on, closes and waits. */
  // README begin
  public static void main(String[] args) throws InterruptedException {
    Transport transport = JdkTransport.create(HttpClient.newBuilder());
    StickySession session = StickySession.builder(transport).build();
    StickyWebSocket ws = session.connect(URI.create(args[0]), new StickyWebSocketListener() {
      @Override public void onText(StickyWebSocket ws, String text) { System.out.println(text); }
    });
    if (ws.awaitOpen(Duration.ofSeconds(10))) {
      System.out.println("landed on " + ws.affinity().map(AffinityToken::backendId).orElse("?"));
    }
    session.closeAndWait(Duration.ofSeconds(5));
  }
  // README end

  /** Connects, reads the first message, sends "hello", reads the answer, closes; returns both messages. */
  public static List<String> exchange(URI uri) throws InterruptedException {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (StickySession session = StickySession.builder(JdkTransport.create(HttpClient.newBuilder())).build()) {
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
    }
  }
}
