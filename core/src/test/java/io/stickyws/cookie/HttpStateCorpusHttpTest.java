package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download {@code scripts/test} does, against a loopback HTTP server serving the {@code
 * ../shared} copy of the corpus (or, in a clone without it, a small corpus written here).
 */
class HttpStateCorpusHttpTest {
  /** SHA-256 of the {@code ../shared} copy, as pinned in issue 11. */
  private static final String SHARED_COPY_SHA256 =
      "514a0d73c2aab539a41324c6b463481b5bfe3c9d9108e7e269c9ad1219124a44";
  /** Served when there is no {@code ../shared} beside the repository. */
  private static final String SYNTHETIC =
      "[{\"test\":\"SYNTHETIC0001\",\"received\":[\"lb=s1\"],\"sent\":[{\"name\":\"lb\",\"value\":\"s1\"}]}]\n";
  /** SHA-256 of {@link #SYNTHETIC}, computed with sha256sum. */
  private static final String SYNTHETIC_SHA256 =
      "255039903e441ac196ef8fa82b1fb39ebe981f059d32732ac0e3985a76454db7";

  @TempDir Path home;

  private final AtomicInteger requests = new AtomicInteger();
  private HttpServer server;
  private HttpClient client;
  private byte[] served;
  private String servedSha256;

  @BeforeEach
  void serve() throws IOException {
    Path shared = HttpStateCorpus.repositoryRoot(Paths.get("")).resolve(HttpStateCorpus.SHARED_COPY);
    if (Files.isRegularFile(shared)) {
      served = Files.readAllBytes(shared);
      servedSha256 = SHARED_COPY_SHA256;
    } else {
      served = SYNTHETIC.getBytes(StandardCharsets.UTF_8);
      servedSha256 = SYNTHETIC_SHA256;
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/parser.json", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(200, served.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(served);
      }
    });
    server.createContext("/missing.json", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    server.start();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void keepsADownloadWithTheExpectedChecksum() throws Exception {
    Path cache = HttpStateCorpus.cacheFile(home);

    HttpStateCorpus.download(client, url("/parser.json"), servedSha256, cache);

    assertThat(cache).hasBinaryContent(served);
    assertThat(HttpStateCorpus.sha256(cache)).isEqualTo(servedSha256);
    assertThat(siblings(cache)).containsExactly(cache);
  }

  @Test
  void refusesAndDeletesADownloadWithAnotherChecksum() throws Exception {
    Path cache = HttpStateCorpus.cacheFile(home);
    String wrong = "0".repeat(64);

    assertThatThrownBy(() -> HttpStateCorpus.download(client, url("/parser.json"), wrong, cache))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("SHA-256 " + servedSha256)
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("deleted");

    assertThat(requests).hasValue(1);
    assertThat(cache).doesNotExist();
    assertThat(siblings(cache)).isEmpty();
  }

  @Test
  void refusesAnErrorStatus() throws IOException {
    Path cache = HttpStateCorpus.cacheFile(home);

    assertThatThrownBy(() -> HttpStateCorpus.download(client, url("/missing.json"), servedSha256,
        cache)).isInstanceOf(IOException.class).hasMessageContaining("answered 404");

    assertThat(cache).doesNotExist();
    assertThat(siblings(cache)).isEmpty();
  }

  @Test
  void ensureFillsAnEmptyCacheThatTheConformanceTestThenFinds() throws Exception {
    Path root = Files.createDirectories(home.resolve("lone/repo"));
    List<Path> places = HttpStateCorpus.places(null, root, home);
    Path cache = HttpStateCorpus.cacheFile(home);
    assertThat(HttpStateCorpus.find(places)).isEmpty();

    String line = HttpStateCorpus.ensure(places, cache, url("/parser.json"), servedSha256);

    assertThat(line).isEqualTo("http-state corpus: downloaded " + url("/parser.json") + " to " + cache);
    assertThat(HttpStateCorpus.find(places)).contains(cache);
    assertThat(HttpStateConformanceTest.cases(Files.readString(cache, StandardCharsets.UTF_8)))
        .isNotEmpty();
  }

  @Test
  void ensureReportsAWrongChecksumAndLeavesTheCacheEmpty() throws Exception {
    Path root = Files.createDirectories(home.resolve("lone/repo"));
    List<Path> places = HttpStateCorpus.places(null, root, home);
    Path cache = HttpStateCorpus.cacheFile(home);

    String line = HttpStateCorpus.ensure(places, cache, url("/parser.json"), "1".repeat(64));

    assertThat(line).startsWith("http-state corpus: not available (refused ")
        .endsWith("the conformance test will be skipped (it fails when CI=true)");
    assertThat(HttpStateCorpus.find(places)).isEmpty();
    assertThat(siblings(cache)).isEmpty();
  }

  @Test
  void ensureDownloadsNothingWhenACopyIsAtHand() throws Exception {
    Path copy = Files.write(home.resolve("cases.json"), served);
    List<Path> places = HttpStateCorpus.places(copy.toString(), home.resolve("repo"), home);

    String line = HttpStateCorpus.ensure(places, HttpStateCorpus.cacheFile(home),
        url("/parser.json"), servedSha256);

    assertThat(line).isEqualTo("http-state corpus: " + copy.toAbsolutePath());
    assertThat(requests).hasValue(0);
    assertThat(HttpStateCorpus.cacheFile(home)).doesNotExist();
  }

  /** Every file in the cache's directory (none when the directory is absent). */
  private static List<Path> siblings(Path cache) throws IOException {
    Path dir = cache.getParent();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
