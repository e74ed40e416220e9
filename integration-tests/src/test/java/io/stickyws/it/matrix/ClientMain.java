package io.stickyws.it.matrix;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.cookie.FileCookieJar;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client restarted: a new JVM that opens one sticky connection with the given {@link FileCookieJar} file and prints
 * {@code LANDED <server> <sameBackend>} for its first greeting, then closes and exits (code 0; 2 if no greeting came
 * within 20 s). Arguments: adapter id, ws URI, cookie file.
 *
 * <p>Not thread-safe: a main class.
 */
public final class ClientMain {
  /** The prefix of the line the parent reads. */
  static final String LANDED = "LANDED ";

  private ClientMain() {}

  /** Entry point: {@code <okhttp|jdk|java-websocket> <ws uri> <cookie file>}. */
  public static void main(String[] args) throws Exception {
    Adapter adapter = Adapter.of(args[0]);
    URI uri = URI.create(args[1]);
    int code;
    try (FileCookieJar jar = FileCookieJar.open(Path.of(args[2]));
         StickySession session = Scenarios.session(adapter, null).cookieJar(jar).build()) {
      MatrixListener events = new MatrixListener();
      StickyWebSocket ws = session.connect(uri, events);
      try {
        String server = events.awaitServer(1, Duration.ofSeconds(20));
        String open = events.events("open").get(0).text;
        System.out.println(LANDED + server + " " + open);
        code = 0;
      } catch (AssertionError e) {
        System.out.println("NO GREETING " + e.getMessage());
        code = 2;
      }
      ws.close();
    }
    System.out.flush();
    System.exit(code);
  }
}
