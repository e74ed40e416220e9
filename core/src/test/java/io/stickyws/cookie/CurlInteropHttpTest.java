package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar file interoperates with the real curl binary both ways ({@code -c} and {@code -b}). */
class CurlInteropHttpTest {
  private static final Path CURL = Paths.get("/usr/bin/curl");

  @TempDir Path dir;
  private HttpServer server;
  private final LinkedBlockingQueue<String> cookieHeaders = new LinkedBlockingQueue<>();
  private String base;

  @BeforeEach
  void startServer() throws IOException {
    if (!Files.isExecutable(CURL)) {
      fail("/usr/bin/curl is missing: apt-get install -y curl");
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/set", exchange -> {
      exchange.getResponseHeaders().add("Set-Cookie", "SERVERID=backend1; Path=/");
      exchange.getResponseHeaders().add("Set-Cookie", "persist=p%201; Max-Age=3600; Path=/");
      exchange.getResponseHeaders().add("Set-Cookie", "ho=h1; HttpOnly; Path=/");
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.createContext("/echo", exchange -> {
      List<String> cookie = exchange.getRequestHeaders().get("Cookie");
      cookieHeaders.add(cookie == null ? "<none>" : String.join(" | ", cookie));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  private void curl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(CURL.toString(), "-s", "-S",
        "--max-time", "20", "--noproxy", "*"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("curl exit code, output: " + output).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void readsTheJarCurlWrote() throws Exception {
    Path file = dir.resolve("curl-cookies.txt");
    curl("-c", file.toString(), base + "/set");
    assertThat(file).exists();
    try (FileCookieJar jar = FileCookieJar.open(file)) {
      URI ws = URI.create("ws://127.0.0.1:" + server.getAddress().getPort() + "/chat");
      // curl's file carries no creation times, so the order among equal paths is the file's
      assertThat(List.of(jar.cookieHeader(ws).split("; ")))
          .containsExactlyInAnyOrder("SERVERID=backend1", "persist=p%201", "ho=h1");
      assertThat(jar.cookies()).filteredOn(c -> c.name().equals("ho"))
          .singleElement().satisfies(c -> {
            assertThat(c.httpOnly()).isTrue();
            assertThat(c.hostOnly()).isTrue();
            assertThat(c.persistent()).isFalse();
          });
      assertThat(jar.cookies()).filteredOn(c -> c.name().equals("persist"))
          .singleElement().satisfies(c -> assertThat(c.persistent()).isTrue());
    }
  }

  @Test
  void curlSendsWhatTheJarWrote() throws Exception {
    Path file = dir.resolve("stickyws-cookies.txt");
    try (FileCookieJar jar = FileCookieJar.open(file)) {
      jar.receive(URI.create(base + "/login"), List.of(
          "SERVERID=backend2; Path=/",
          "token=\"a b\"; Max-Age=3600; Path=/; HttpOnly",
          "other=x; Path=/elsewhere"));
    }
    curl("-b", file.toString(), base + "/echo");
    String header = cookieHeaders.poll(10, TimeUnit.SECONDS);
    assertThat(header).isNotNull();
    assertThat(List.of(header.split("; ")))
        .containsExactlyInAnyOrder("SERVERID=backend2", "token=\"a b\"");
  }
}
