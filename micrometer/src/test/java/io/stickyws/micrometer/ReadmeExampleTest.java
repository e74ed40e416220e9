package io.stickyws.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stickyws.StickySession;
import io.stickyws.spi.Transport;
import io.stickyws.testing.FakeTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one line the READMEs show compiles and binds: the code between the markers below must be the
 * Java block of the root README's "Metrics" section and the first Java block of this module's
 * README, word for word.
 */
class ReadmeExampleTest {

  @Test
  void theReadmeSnippetRegistersTheMetricsAsTheSessionObserver() {
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    Transport transport = new FakeTransport();
    // README begin
    StickySession session = StickySession.builder(transport)
        .observer(StickyWebSocketMetrics.of(meterRegistry))
        .build();
    // README end
    try {
      assertThat(session.observers()).singleElement()
          .isInstanceOf(StickyWebSocketMetrics.class);
    } finally {
      session.close();
    }
  }

  @Test
  void theReadmesShowThatSnippet() throws IOException {
    List<String> snippet = snippet();
    assertThat(snippet).hasSize(3);
    assertThat(javaBlockAfter(Path.of("../README.md"), "## Metrics")).isEqualTo(snippet);
    assertThat(javaBlockAfter(Path.of("README.md"), "# stickyws-micrometer")).isEqualTo(snippet);
  }

  private static List<String> snippet() throws IOException {
    List<String> lines = Files.readAllLines(
        Path.of("src/test/java/io/stickyws/micrometer/ReadmeExampleTest.java"),
        StandardCharsets.UTF_8);
    int begin = lines.indexOf("    // README begin");
    int end = lines.indexOf("    // README end");
    List<String> out = new ArrayList<>();
    for (String line : lines.subList(begin + 1, end)) {
      out.add(line.substring(4));
    }
    return out;
  }

  private static List<String> javaBlockAfter(Path readme, String heading) throws IOException {
    List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    int section = lines.indexOf(heading);
    int start = lines.subList(section, lines.size()).indexOf("```java") + section;
    int end = lines.subList(start, lines.size()).indexOf("```") + start;
    return new ArrayList<>(lines.subList(start + 1, end));
  }
}
