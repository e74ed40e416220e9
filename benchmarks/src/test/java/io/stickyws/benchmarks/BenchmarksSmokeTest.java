package io.stickyws.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.testkit.Binaries;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every benchmark's {@code --json} path with a tiny sample ({@code --smoke}) and checks each
 * line carries the fields issue 7 names (more are allowed).
 */
class BenchmarksSmokeTest {
  static final Map<String, List<String>> CONTRACT = Map.of(
      "overhead", List.of("bench", "client", "payload", "rawMsgsPerSec", "stickyMsgsPerSec",
          "ratio", "rawP50Micros", "stickyP50Micros", "micrometerMsgsPerSec", "micrometerRatio",
          "micrometerToStickyRatio"),
      "reconnect", List.of("bench", "client", "rawHandshakeMedianMillis", "reconnectMedianMillis",
          "overheadMillis", "ratioToHandshake", "rawReconnectMedianMillis", "ratioToRawReconnect",
          "wssRawHandshakeMedianMillis", "wssReconnectMedianMillis", "wssRatioToHandshake",
          "wssRawReconnectMedianMillis", "wssRatioToRawReconnect"),
      "storm", List.of("bench", "jitter", "clients", "peakToMeanRatio", "secondsToAllReconnected",
          "attempts", "scenario", "peakToUniform", "isDefault"),
      "memory", List.of("bench", "client", "connections", "rawBytesPerConn", "stickyBytesPerConn",
          "extraThreadsPerConn"),
      "jar", List.of("bench", "op", "stickyOpsPerSec", "cookieManagerOpsPerSec", "okhttpOpsPerSec"),
      "filejar", List.of("bench", "updatesPerSec", "writesPerSec", "fullWriteMillis"),
      "tls", List.of("bench", "client", "stickyHandshakeMedianMillis",
          "jdkRawHandshakeMedianMillis", "ratioToJdk"));

  private static final Pattern FIELD = Pattern.compile("\"([A-Za-z0-9]+)\":");

  @Test
  @Timeout(60)
  void overheadPrintsItsFieldsPerAdapterAndPayload() throws Exception {
    assertThat(run("overhead")).hasSize(6);
  }

  @Test
  @Timeout(60)
  void reconnectPrintsItsFieldsPerAdapter() throws Exception {
    assertThat(run("reconnect")).hasSize(3);
  }

  @Test
  @Timeout(90)
  void memoryPrintsItsFieldsPerAdapter() throws Exception {
    assertThat(run("memory")).hasSize(3);
  }

  @Test
  @Timeout(60)
  void jarPrintsBothOperations() throws Exception {
    assertThat(run("jar")).extracting(line -> line.contains("\"op\":\"cookieHeader\""))
        .containsExactlyInAnyOrder(true, false);
  }

  @Test
  @Timeout(60)
  void filejarPrintsItsFields() throws Exception {
    assertThat(run("filejar")).hasSize(1);
  }

  @Test
  @Timeout(240)
  void stormPrintsItsFieldsPerScenarioAndFleet() throws Exception {
    Binaries.require(Binaries.HAPROXY, "haproxy");
    List<String> lines = run("storm");
    // the default policy's fleet and resilience4j's, in both storms at the cap; the default
    // policy's after a Retry-After (resilience4j's loop does not read it)
    assertThat(lines).extracting(line -> field(line, "scenario") + " " + field(line, "jitter")
            + " " + field(line, "isDefault"))
        .containsExactly(
            "\"restart\" \"" + ReconnectPolicy.defaults().jitter() + "\" true",
            "\"restart\" \"resilience4j\" false",
            "\"synchronized\" \"" + ReconnectPolicy.defaults().jitter() + "\" true",
            "\"synchronized\" \"resilience4j\" false",
            "\"retry-after\" \"" + ReconnectPolicy.defaults().jitter() + "\" true");
    // every client of the fleet told "Retry-After: d" waited at least d, and so none came early
    String retryAfter = lines.get(4);
    long seconds = Long.parseLong(field(retryAfter, "retryAfterSeconds"));
    assertThat(Long.parseLong(field(retryAfter, "retryAfterMinMs"))).isGreaterThanOrEqualTo(
        seconds * 1000);
    assertThat(Long.parseLong(field(retryAfter, "retryAfterMaxMs"))).isGreaterThanOrEqualTo(
        seconds * 1000);
    assertThat(field(retryAfter, "attemptsBeforeRetryAfter")).isEqualTo("0");
    assertThat(field(retryAfter, "attemptsAfter503")).isEqualTo(field(retryAfter, "clients"));
  }

  private static String field(String line, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}]*)").matcher(line);
    assertThat(m.find()).as(name + " in " + line).isTrue();
    return m.group(1);
  }

  @Test
  @Timeout(90)
  void tlsPrintsItsFieldsPerAdapter() throws Exception {
    Binaries.require(Binaries.HAPROXY, "haproxy");
    assertThat(run("tls")).hasSize(3);
  }

  @Test
  void helpListsTheStormOptionsWithoutRunningIt() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(new String[] {"storm", "--help"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage:",
        "--scenarios=restart,synchronized,retry-after", "--retry-after=SECONDS");
    assertThat(err.toString(StandardCharsets.UTF_8)).as("no progress: nothing ran").isEmpty();
  }

  @Test
  void unknownNameIsAUsageError() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(new String[] {"nope"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("overhead", "storm", "tls");
  }

  private static List<String> run(String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = Main.run(new String[] {name, "--smoke", "--json"},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertThat(status).isZero();
    List<String> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(line);
      }
    }
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      assertThat(line).startsWith("{\"bench\":\"" + name + "\"").endsWith("}");
      Set<String> fields = new LinkedHashSet<>();
      Matcher m = FIELD.matcher(line);
      while (m.find()) {
        fields.add(m.group(1));
      }
      assertThat(fields).as(line).containsAll(CONTRACT.get(name));
      assertThat(line).as("no non-finite numbers").doesNotContain("NaN", "Infinity");
    }
    return lines;
  }
}
