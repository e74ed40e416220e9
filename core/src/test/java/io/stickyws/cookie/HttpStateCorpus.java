package io.stickyws.cookie;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Where the IETF httpstate parser corpus (abarth/http-state) is found, and how {@code
 * scripts/test} fetches it; the corpus is never committed to this repository.
 *
 * <p>Places, in order: the file named by {@code -Dstickyws.cookieCases=FILE}; {@code
 * ../shared/conformance/http-state/cases.json} beside the repository; the cache {@code
 * ~/.cache/stickyws/http-state/155e45c6/parser.json}. {@code scripts/test} runs this file with the
 * JDK's source launcher ({@code java .../HttpStateCorpus.java}) before Maven: when the first two
 * are absent and the cache is empty it downloads {@code tests/data/parser.json} of the upstream
 * commit and keeps it only if its SHA-256 is the pinned one; a download with another checksum is
 * deleted. The URL and the checksum can be replaced ({@code -Dstickyws.cookieCases.url} /
 * {@code STICKYWS_COOKIE_CASES_URL}, {@code -Dstickyws.cookieCases.sha256} / {@code
 * STICKYWS_COOKIE_CASES_SHA256}) to use a mirror. Self-contained: JDK classes only, so that the
 * source launcher runs it without a class path.
 */
final class HttpStateCorpus {
  /** System property naming a corpus file, the first place looked at. */
  static final String FILE_PROPERTY = "stickyws.cookieCases";
  /** System property replacing the download URL. */
  static final String URL_PROPERTY = "stickyws.cookieCases.url";
  /** Environment variable replacing the download URL (when the property is absent). */
  static final String URL_ENV = "STICKYWS_COOKIE_CASES_URL";
  /** System property replacing the expected SHA-256 of the download. */
  static final String SHA256_PROPERTY = "stickyws.cookieCases.sha256";
  /** Environment variable replacing the expected SHA-256 (when the property is absent). */
  static final String SHA256_ENV = "STICKYWS_COOKIE_CASES_SHA256";

  /** The upstream commit the corpus is pinned to. */
  static final String COMMIT = "155e45c6168e6de2eb727193010fd12e3c789185";
  /** {@code tests/data/parser.json} at {@link #COMMIT}. */
  static final String UPSTREAM_URL =
      "https://raw.githubusercontent.com/abarth/http-state/" + COMMIT + "/tests/data/parser.json";
  /**
   * SHA-256 of {@code tests/data/parser.json} at {@link #COMMIT} (49 561 bytes, 222 cases),
   * computed from the upstream git object.
   */
  static final String UPSTREAM_SHA256 =
      "1ae5397e7cc7eaecfaca731e81583cf5259dbd1a82d8141cef2c97dcbf2b10af";
  /** The shared copy, relative to the repository root. */
  static final String SHARED_COPY = "../shared/conformance/http-state/cases.json";
  /** The cache, relative to the user's home. */
  static final String CACHE = ".cache/stickyws/http-state/155e45c6/parser.json";

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private HttpStateCorpus() {}

  /**
   * The places looked at, in order: the {@code -Dstickyws.cookieCases} file (when set), the
   * shared copy beside {@code repositoryRoot}, the cache under {@code home}.
   */
  static List<Path> places(String explicitFile, Path repositoryRoot, Path home) {
    List<Path> places = new ArrayList<>(3);
    if (explicitFile != null && !explicitFile.isBlank()) {
      places.add(Paths.get(explicitFile).toAbsolutePath());
    }
    places.add(repositoryRoot.resolve(SHARED_COPY).toAbsolutePath().normalize());
    places.add(cacheFile(home));
    return places;
  }

  /** The places for this JVM: its system property, its repository, its user's home. */
  static List<Path> places() {
    return places(System.getProperty(FILE_PROPERTY), repositoryRoot(Paths.get("")),
        Paths.get(System.getProperty("user.home")));
  }

  /** The first place holding a regular file. */
  static Optional<Path> find(List<Path> places) {
    return places.stream().filter(Files::isRegularFile).findFirst();
  }

  /** The cache file under {@code home}. */
  static Path cacheFile(Path home) {
    return home.resolve(CACHE).toAbsolutePath().normalize();
  }

  /** The nearest directory at or above {@code start} holding {@code .mvn}, else {@code start}. */
  static Path repositoryRoot(Path start) {
    Path absolute = start.toAbsolutePath();
    for (Path dir = absolute; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(".mvn"))) {
        return dir;
      }
    }
    return absolute;
  }

  /** One line naming every place, for the messages of a missing corpus. */
  static String describe(List<Path> places) {
    StringBuilder sb = new StringBuilder();
    for (Path place : places) {
      sb.append(sb.length() == 0 ? "" : ", ").append(place);
    }
    return sb.toString();
  }

  /**
   * Downloads {@code url} to {@code target} (its directory is created) and keeps it only when the
   * bytes' SHA-256 is {@code expectedSha256}; otherwise nothing is left at {@code target} nor
   * beside it, and the exception names both checksums.
   *
   * @throws IOException when the download fails, the status is not 200, or the checksum differs
   */
  static void download(HttpClient client, URI url, String expectedSha256, Path target)
      throws IOException, InterruptedException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, target.getFileName().toString(), ".part");
    try {
      HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build();
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new IOException("GET " + url + " answered " + response.statusCode());
        }
        Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
      }
      String actual = sha256(partial);
      if (!actual.equalsIgnoreCase(expectedSha256)) {
        throw new IOException("refused " + url + ": SHA-256 " + actual + " is not the expected "
            + expectedSha256 + "; the download was deleted");
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** Lower-case hex SHA-256 of a file's bytes. */
  static String sha256(Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /**
   * What {@code scripts/test} does: nothing when a place already holds the corpus, else downloads
   * it into the cache. Returns the one line to print.
   */
  static String ensure(List<Path> places, Path cache, URI url, String sha256) {
    Optional<Path> found = find(places);
    if (found.isPresent()) {
      return "http-state corpus: " + found.get();
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    try {
      download(client, url, sha256, cache);
      return "http-state corpus: downloaded " + url + " to " + cache;
    } catch (IOException e) {
      String why = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
      return "http-state corpus: not available (" + why + "); the conformance test"
          + " will be skipped (it fails when CI=true)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "http-state corpus: download interrupted";
    }
  }

  private static String setting(String property, String env, String fallback) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  /**
   * Run by {@code scripts/test}: fills the cache when no copy of the corpus is at hand. Always
   * exits 0; without a copy the conformance test is skipped, or fails when {@code CI=true}.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    Path home = Paths.get(System.getProperty("user.home"));
    URI url = URI.create(setting(URL_PROPERTY, URL_ENV, UPSTREAM_URL));
    String sha256 = setting(SHA256_PROPERTY, SHA256_ENV, UPSTREAM_SHA256);
    System.out.println(ensure(places(), cacheFile(home), url, sha256));
  }
}
