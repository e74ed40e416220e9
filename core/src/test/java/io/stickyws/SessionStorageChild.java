package io.stickyws;

import io.stickyws.cookie.CookieStorageHealth;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.testing.FakeTransport;
import java.net.URI;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Child process of {@link SessionStorageEventsTest}, with no logging binding: a session on a
 * {@link FileCookieJar} at {@code args[0]} and a fake transport; one connection opens and receives
 * three cookies, each flushed; then {@link StickySession#closeAndWait}. Prints
 * {@code health <STATUS>}, {@code events <what the listener saw>}, {@code closed <bool>}.
 */
public final class SessionStorageChild {
  private SessionStorageChild() {}

  public static void main(String[] args) throws InterruptedException {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    FakeTransport transport = new FakeTransport();
    try (FileCookieJar jar = FileCookieJar.open(Paths.get(args[0]))) {
      StickySession session = StickySession.builder(transport).cookieJar(jar).noHeartbeat()
          .closeTimeout(Duration.ofMillis(200)).build();
      StickyWebSocket ws = session.connect(URI.create("ws://lb.example.com/ws"),
          new StickyWebSocketListener() {
            @Override
            public void onCookieStorage(StickyWebSocket webSocket, CookieStorageHealth health) {
              events.add("storage " + health.status() + " "
                  + health.failureType().orElse("-") + " on "
                  + Thread.currentThread().getName().replaceAll("-\\d+$", "-N"));
            }

            @Override
            public void onClosed(StickyWebSocket webSocket, int code, String reason) {
              events.add("closed " + code);
            }
          });
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (transport.attempts() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      for (int i = 0; i < 3; i++) {
        if (i == 0) {
          transport.last().open("Set-Cookie", "new0=v; Path=/");
        } else {
          jar.receive(URI.create("ws://lb.example.com/ws"), List.of("new" + i + "=v; Path=/"));
        }
        jar.flush();
      }
      boolean closed = session.closeAndWait(Duration.ofSeconds(5));
      System.out.println("health " + jar.health().status());
      System.out.println("events " + events);
      System.out.println("closed " + closed + " " + ws.state());
    }
  }
}
