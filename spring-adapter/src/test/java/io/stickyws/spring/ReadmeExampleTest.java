package io.stickyws.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.testing.FakeTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/** The root README's Spring block compiles and builds what it says, word for word. */
class ReadmeExampleTest {

  @Test
  void theRootReadmeShowsTheSnippetThatRuns() throws Exception {
    try (StickySession session = StickySession.builder(new FakeTransport()).build()) {
      // README begin
      WebSocketClient client = StickyWebSocketClient.builder(session).reconnect(false).build();
      WebSocketStompClient stomp = new WebSocketStompClient(client);
      // README end
      assertThat(stomp.getWebSocketClient()).isInstanceOfSatisfying(StickyWebSocketClient.class,
          c -> assertThat(c.reconnect()).isFalse());
    }
    List<String> lines = Files.readAllLines(
        Path.of("src/test/java/io/stickyws/spring/ReadmeExampleTest.java"), StandardCharsets.UTF_8);
    String snippet = lines.subList(lines.indexOf("      // README begin") + 1,
        lines.indexOf("      // README end")).stream().map(line -> line.substring(6))
        .collect(Collectors.joining("\n", "```java\n", "\n```\n"));
    assertThat(Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8)).contains(snippet);
  }
}
