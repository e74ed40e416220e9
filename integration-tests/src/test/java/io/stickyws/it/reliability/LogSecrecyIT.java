package io.stickyws.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Representative scenarios through HAProxy for every adapter with io.stickyws logging at TRACE captured: open and
 * echo, a server close with a reconnect to the same backend (cookie replayed), a kill -9 of that backend with a
 * redispatch (affinity changed), a 503 while every backend is down, and an application close. The capture must be
 * non-empty and must contain none of the cookie values the backends and HAProxy set (distinctive random tokens), nor
 * the Authorization value, nor the secret query parameter.
 */
class LogSecrecyIT {
  @RegisterExtension static final RigExtension RIG = new RigExtension();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final SecureRandom random = new SecureRandom();

  @Test
  void noSecretReachesTheLogInRepresentativeScenarios() {
    Map<String, String> appCookie = new HashMap<>();
    Map<String, String> serverCookie = new HashMap<>();
    for (String id : List.of("s1", "s2")) {
      appCookie.put(id, token("app"));
      serverCookie.put(id, token("srv"));
    }
    String query = token("qry");
    String auth = token("auth");
    Backends backends = RIG.rig().backends(2, id -> List.of("APPSESSION=" + appCookie.get(id) + "; Path=/"));
    Haproxy haproxy = RIG.rig().haproxy(backends, b -> b.cookieValues(serverCookie::get));
    List<String> secrets = new ArrayList<>(appCookie.values());
    secrets.addAll(serverCookie.values());
    secrets.add(query);
    secrets.add(auth);

    try (LogCapture capture = LogCapture.stickyws()) {
      for (Adapter adapter : Adapter.values()) {
        try (StickySession session = StickySession.builder(adapter.transport())
            .reconnectPolicy(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofMillis(500)).unlimitedAttempts().noElapsedLimit().build())
            .heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(2))
            .build()) {
          RecordingListener listener = new RecordingListener();
          StickyWebSocket ws = session.connect(haproxy.wsUri("/ws?token=" + query),
              Map.of("Authorization", List.of("Bearer " + auth)), listener);
          listener.await("open", WAIT);
          assertThat(ws.send("hello " + adapter)).isTrue();
          listener.await("text hello " + adapter, WAIT);

          Backend home = homeOf(backends);
          home.closeAll(4000);
          listener.await(e -> e.startsWith("open"), 2, WAIT);

          home = homeOf(backends); // the client may see its open before the backend counts it
          home.kill();
          listener.await(e -> e.startsWith("open"), 3, WAIT);
          listener.await("affinityChanged", WAIT);
          home.start();
          ws.close();
          listener.await("closed", WAIT);
        }
      }
      List<String> hits = capture.linesContaining(secrets);
      System.out.printf("LOGSECRECY %d events (%d DEBUG), %d secrets searched, %d hits%n",
          capture.events(), capture.debugEvents(), secrets.size(), hits.size());
      assertThat(capture.debugEvents()).as("DEBUG events captured").isGreaterThan(10);
      assertThat(hits).as("log lines containing a secret").isEmpty();
    }
  }

  /**
   * Issue 19: header values a library refuses or cannot parse. Per adapter, with every logger captured: a 101 whose
   * {@code Set-Cookie} carries a control character before the secret; an {@code Authorization} value and a jar cookie
   * containing a euro sign.
   */
  @Test
  void noSecretReachesAnyLoggerWhenALibraryRefusesAHeader() throws Exception {
    String setCookie = token("ctl");
    String auth = token("eur");
    String cookie = token("jar");
    List<String> secrets = List.of(setCookie, auth, cookie);
    try (LogCapture capture = LogCapture.everyLogger();
        GarbageServer badCookie = GarbageServer.start(GarbageServer.respond("HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
            + "Set-Cookie: bad=ctl\u0001" + setCookie + "; Path=/\r\n\r\n"));
        GarbageServer echo = GarbageServer.start(GarbageServer.echo(""))) {
      List<String> outcomes = new ArrayList<>();
      for (Adapter adapter : Adapter.values()) {
        MemoryCookieJar jar = MemoryCookieJar.create();
        jar.receive(echo.wsUri(), List.of("eur=" + cookie + "\u20ac; Path=/"));
        for (boolean refusedHeader : new boolean[] {false, true}) {
          try (StickySession session = StickySession.builder(adapter.transport()).cookieJar(jar)
              .reconnectPolicy(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(50))
                  .maxDelay(Duration.ofMillis(100)).maxAttempts(3).build())
              .handshakeTimeout(Duration.ofSeconds(5))
              .build()) {
            RecordingListener listener = new RecordingListener();
            if (refusedHeader) {
              session.connect(echo.wsUri(), Map.of("Authorization", List.of("Bearer " + auth + "\u20ac")), listener);
            } else {
              session.connect(badCookie.wsUri(), listener);
            }
            String outcome = listener.await(e -> e.startsWith("open") || e.startsWith("gaveUp"), 1, WAIT).get(0);
            outcomes.add(adapter + (refusedHeader ? " refused header: " : " control char: ") + outcome);
            for (Object detail : listener.details("")) {
              String text = detail instanceof Throwable ? stackTrace((Throwable) detail) : String.valueOf(detail);
              assertThat(secrets).as("%s %s", adapter, listener.events()).noneMatch(text::contains);
            }
          }
        }
      }
      List<String> hits = capture.linesContaining(secrets);
      System.out.printf("LOGSECRECY refused headers: %s; %d events (%d DEBUG) from every logger, %d hits%n",
          outcomes, capture.events(), capture.debugEvents(), hits.size());
      assertThat(capture.debugEvents()).as("DEBUG events captured").isGreaterThan(5);
      assertThat(hits).as("log lines containing a secret").isEmpty();
    }
  }

  private static String stackTrace(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private String token(String kind) {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return kind + HexFormat.of().formatHex(bytes);
  }

  /** The backend holding the connection, waiting (bounded) until one counts it as open. */
  private static Backend homeOf(Backends backends) {
    return await().atMost(WAIT).until(
        () -> backends.all().stream().filter(b -> b.openWebSockets() > 0).findFirst(),
        Optional::isPresent).orElseThrow();
  }
}
