package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Where the http-state corpus is looked for, and what a missing corpus does. */
class HttpStateCorpusTest {
  @TempDir Path dir;

  @Test
  void looksAtTheExplicitFileThenTheSharedCopyThenTheCache() {
    Path root = dir.resolve("work/repo");
    Path home = dir.resolve("home");

    List<Path> places = HttpStateCorpus.places("/data/cases.json", root, home);

    assertThat(places).containsExactly(Path.of("/data/cases.json"),
        dir.resolve("work/shared/conformance/http-state/cases.json"),
        home.resolve(".cache/stickyws/http-state/155e45c6/parser.json"));
    assertThat(HttpStateCorpus.places(" ", root, home)).hasSize(2);
  }

  @Test
  void findsTheFirstPlaceHoldingAFile() throws Exception {
    Path root = Files.createDirectories(dir.resolve("work/repo"));
    Path home = dir.resolve("home");
    List<Path> places = HttpStateCorpus.places(null, root, home);
    assertThat(HttpStateCorpus.find(places)).isEmpty();

    Path cache = HttpStateCorpus.cacheFile(home);
    Files.createDirectories(cache.getParent());
    Files.writeString(cache, "[]");
    assertThat(HttpStateCorpus.find(places)).contains(cache);

    Path shared = places.get(0);
    Files.createDirectories(shared.getParent());
    Files.writeString(shared, "[]");
    assertThat(HttpStateCorpus.find(places)).contains(shared);
  }

  @Test
  void onCiAMissingCorpusFailsNamingTheThreePlaces() {
    List<Path> places = HttpStateCorpus.places("/data/cases.json", dir.resolve("repo"),
        dir.resolve("home"));

    assertThatThrownBy(() -> HttpStateConformanceTest.missing(places, true))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageStartingWith("http-state corpus not found (CI=true): looked at /data/cases.json, "
            + dir.resolve("shared/conformance/http-state/cases.json") + ", "
            + dir.resolve("home/.cache/stickyws/http-state/155e45c6/parser.json"));
  }

  @Test
  void onCiTheMessageNamesTheUnsetPropertyToo() {
    List<Path> places = HttpStateCorpus.places(null, dir.resolve("repo"), dir.resolve("home"));

    assertThatThrownBy(() -> HttpStateConformanceTest.missing(places, true))
        .hasMessageStartingWith("http-state corpus not found (CI=true): looked at"
            + " -Dstickyws.cookieCases (not set), " + dir.resolve("shared/conformance/http-state/cases.json")
            + ", " + dir.resolve("home/.cache/stickyws/http-state/155e45c6/parser.json")
            + "; run scripts/test to download it, or set -Dstickyws.cookieCases=FILE");
  }

  @Test
  void elsewhereAMissingCorpusSkipsWithOneLineOnHowToGetIt() {
    List<Path> places = HttpStateCorpus.places(null, dir.resolve("repo"), dir.resolve("home"));

    assertThatThrownBy(() -> HttpStateConformanceTest.missing(places, false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessage("http-state corpus not found: run scripts/test once (it"
            + " downloads it to ~/.cache/stickyws/http-state/155e45c6/parser.json) or set"
            + " -Dstickyws.cookieCases=FILE");
  }

  @Test
  void readsUpstreamEntriesInTheSharedCopysShape() {
    // made-up entries in the shape of upstream tests/data/parser.json
    String json = "[{\"test\":\"MADEUP0001\",\"received\":[\"a=b\",\"c=d; Path=/x\"],"
        + "\"sent\":[{\"name\":\"a\",\"value\":\"b\"},{\"name\":\"\",\"value\":\"e\"}]},"
        + "{\"test\":\"DISABLED_MADEUP0002\",\"received\":[\"a=b; Path=/p\"],"
        + "\"sent-to\":\"/p/q?disabled-madeup0002\",\"sent\":[]},"
        + "{\"test\":\"OPTIONAL_MADEUP0003\",\"received\":[\"a=b\"],"
        + "\"sent-to\":\"http://sibling.example.org:8888/r\",\"sent\":[]}]";

    List<Map<String, Object>> cases = HttpStateConformanceTest.cases(json);

    assertThat(cases.get(0)).containsEntry("name", "madeup0001").containsEntry("status", "normal")
        .containsEntry("setCookieUrl", "http://home.example.org:8888/cookie-parser?madeup0001")
        .containsEntry("setCookie", List.of("a=b", "c=d; Path=/x"))
        .containsEntry("requestUrl", "http://home.example.org:8888/cookie-parser-result?madeup0001")
        .containsEntry("expectCookieHeader", true)
        .containsEntry("expectedCookieHeader", "a=b; e");
    assertThat(cases.get(1)).containsEntry("name", "disabled-madeup0002")
        .containsEntry("status", "disabled")
        .containsEntry("requestUrl", "http://home.example.org:8888/p/q?disabled-madeup0002")
        .containsEntry("expectCookieHeader", false);
    assertThat(cases.get(2)).containsEntry("status", "optional")
        .containsEntry("requestUrl", "http://sibling.example.org:8888/r");
  }

  @Test
  void keepsEntriesOfTheSharedCopysShapeAsTheyAre() {
    String json = "[{\"name\":\"x1\",\"status\":\"normal\",\"setCookie\":[\"a=b\"]}]";

    assertThat(HttpStateConformanceTest.cases(json))
        .containsExactly(Map.of("name", "x1", "status", "normal", "setCookie", List.of("a=b")));
  }
}
