package io.stickyws.samples.examples;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.javawebsocket.JavaWebSocketTransport;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Quick start on Java-WebSocket: a customizer sets up each new client (TLS socket factory, proxy, daemon threads), one
 * session, one sticky connection that
 * reconnects by itself and replays the balancer's affinity cookie.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class JavaWebSocketQuickStart {
  private JavaWebSocketQuickStart() {}

  /** Connects to {@code uri}, prints the first message and the echo of "hello", closes. */
  public static void main(String[] args) throws InterruptedException {
    System.out.println(exchange(URI.create(args.length > 0 ? args[0] : "ws://127.0.0.1:8080/ws")));
  }

  /** Connects, reads the first message, sends "hello", reads the answer, closes; returns both messages. */
  public static List<String> exchange(URI uri) throws InterruptedException {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (StickySession session = StickySession.builder(
        JavaWebSocketTransport.create(client -> client.setDaemon(true))).build()) {
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
