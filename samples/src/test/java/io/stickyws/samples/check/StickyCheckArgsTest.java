package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Argument handling: no sockets, every case stops before connecting. */
class StickyCheckArgsTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return StickyCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void missingUrlIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("<ws-or-wss-url>").contains("Usage: sticky-check");
  }

  @Test
  void httpUrlIsAUsageError() {
    assertThat(run("http://example.com/ws")).isEqualTo(2);
    assertThat(err()).contains("url must start with ws:// or wss://");
  }

  @Test
  void unknownClientIsAUsageErrorListingTheChoices() {
    assertThat(run("ws://127.0.0.1:1/ws", "--client", "netty")).isEqualTo(2);
    assertThat(err()).contains("okhttp, jdk, java-websocket, jakarta");
  }

  @Test
  void badDurationsAreUsageErrors() {
    assertThat(run("ws://127.0.0.1:1/ws", "--hold", "20 seconds")).isEqualTo(2);
    assertThat(run("ws://127.0.0.1:1/ws", "--wait", "2")).isEqualTo(2);
    assertThat(err()).contains("must be a number with a unit");
  }

  @Test
  void conflictingOptionsAreUsageErrors() {
    assertThat(run("ws://127.0.0.1:1/ws", "--no-cookies", "--jar", "x.txt")).isEqualTo(2);
    assertThat(run("ws://127.0.0.1:1/ws", "--hold", "2s", "--connections", "3")).isEqualTo(2);
    assertThat(run("ws://127.0.0.1:1/ws", "--connections", "0")).isEqualTo(2);
    assertThat(err()).contains("exclude each other").contains("--connections (0) must be >= 1");
  }

  @Test
  void unreadableCacertIsAUsageError() {
    assertThat(run("wss://localhost:1/ws", "--cacert", "/nonexistent/ca.pem")).isEqualTo(2);
    assertThat(err()).contains("--cacert");
  }

  @Test
  void helpPrintsEveryOptionOfTheContract() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--client", "--connections", "--hold", "--jar",
        "--no-cookies", "--cacert", "--ping", "--affinity-cookie", "--wait", "--json", "--handshake-timeout",
        "--deadline", "--reveal-affinity");
  }

  @Test
  void badTimeoutsAreUsageErrors() {
    assertThat(run("ws://127.0.0.1:1/ws", "--handshake-timeout", "0s")).isEqualTo(2);
    assertThat(run("ws://127.0.0.1:1/ws", "--deadline", "0ms")).isEqualTo(2);
    assertThat(run("ws://127.0.0.1:1/ws", "--deadline", "soon")).isEqualTo(2);
    assertThat(err()).contains("--handshake-timeout (PT0S) must be positive")
        .contains("--deadline (PT0S) must be positive").contains("must be a number with a unit");
  }

  @Test
  void helpListsTheExitCodes() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Exit codes:").containsPattern("0 +sticky")
        .containsPattern("1 +could not connect").containsPattern("2 +bad arguments").containsPattern("3 +not sticky");
  }
}
