package io.stickyws.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.it.matrix.MatrixReport.Figure;
import io.stickyws.testkit.RawWebSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The client-restart scenario on any balancer that balances by least connections: a session with a
 * {@link FileCookieJar} lands on a backend and closes; two raw connections pinned there by cookie load that backend so
 * that a cookie-less control lands elsewhere; then a new JVM ({@link ClientMain}) with the same jar file must land on
 * the pinned backend first.
 *
 * <p>Stateless; thread-safe.
 */
final class ClientRestart {
  private ClientRestart() {}

  /**
   * Runs the scenario through {@code uri}, files under {@code dir}; {@code cookieName} is the affinity cookie the jar
   * file must hold, {@code pinning} gives the {@code Cookie} header that pins a backend id.
   */
  static void run(Figure m, String adapter, URI uri, Path dir, String cookieName, Function<String, String> pinning)
      throws Exception {
    Path jarFile = dir.resolve("cookies-" + cookieName + "-" + adapter + ".txt");
    String pinned;
    try (FileCookieJar jar = FileCookieJar.open(jarFile);
         StickySession session = Scenarios.session(Adapter.of(adapter), null).cookieJar(jar).build()) {
      MatrixListener events = new MatrixListener();
      StickyWebSocket ws = session.connect(uri, events);
      pinned = events.awaitServer(1, Scenarios.OPEN_TIMEOUT);
      ws.close();
      events.await("closed", 1, Scenarios.OPEN_TIMEOUT);
    }
    assertThat(Files.readString(jarFile)).contains(cookieName);
    // load the pinned server, so that least connections would send a cookie-less newcomer elsewhere
    List<RawWebSocket> load = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        load.add(RawWebSocket.open(uri, Map.of("Cookie", pinning.apply(pinned))));
      }
      String control = RawWebSocket.probe(uri, Map.of(), null).server();
      m.put("cookie-less control", control);
      assertThat(control).as("a client without the cookie lands elsewhere").isNotEqualTo(pinned);

      Path log = dir.resolve("client-" + cookieName + "-" + adapter + ".log");
      long start = System.nanoTime();
      Process child = new ProcessBuilder(javaCommand(adapter, uri, jarFile))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean exited = child.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      m.put("new JVM ran", (System.nanoTime() - start) / 1_000_000 + " ms");
      assertThat(exited).as("the client JVM exits; output:\n%s", output).isTrue();
      String landed = output.lines().filter(l -> l.startsWith(ClientMain.LANDED)).findFirst()
          .map(l -> l.substring(ClientMain.LANDED.length()).trim()).orElse("(none)");
      m.put("new JVM landed", pinned + "→" + landed);
      assertThat(child.exitValue()).as("client JVM exit code; output:\n%s", output).isZero();
      assertThat(landed.split(" ")[0]).as("first connect of the new JVM; output:\n%s", output).isEqualTo(pinned);
    } finally {
      load.forEach(RawWebSocket::close);
    }
  }

  private static List<String> javaCommand(String adapter, URI uri, Path jarFile) {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", classpath, ClientMain.class.getName(),
        adapter, uri.toString(), jarFile.toString());
  }
}
