package io.stickyws.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The root README's Jakarta quick start compiles: the code between the markers below is that block,
 * word for word (not run: it names a host that is not on loopback).
 */
class ReadmeExampleTest {

  @SuppressWarnings("unused")
  private static StickyWebSocket quickStart(StickyWebSocketListener listener) {
    // README begin
    WebSocketContainer container = ContainerProvider.getWebSocketContainer();
    StickySession session = StickySession.builder(JakartaTransport.create(container)).build();
    StickyWebSocket ws = session.connect(URI.create("ws://app.example.com/ws"), listener);
    // README end
    return ws;
  }

  @Test
  void theRootReadmeShowsTheCompiledSnippet() throws Exception {
    assertThat(Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8))
        .contains("```java\n" + snippet(Path.of(
            "src/test/java/io/stickyws/jakarta/ReadmeExampleTest.java")) + "```\n");
  }

  /** The lines between the markers of {@code source}, their common indentation removed. */
  static String snippet(Path source) throws Exception {
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    int from = lines.indexOf("    // README begin") + 1;
    int to = lines.indexOf("    // README end");
    return lines.subList(from, to).stream().map(line -> line.substring(4))
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
