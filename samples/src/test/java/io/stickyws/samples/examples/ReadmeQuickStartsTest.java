package io.stickyws.samples.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's quick starts are the {@code main} methods of the quick-start samples, word for
 * word (between their {@code // README begin} and {@code // README end} markers), so the README
 * compiles with the samples and runs in {@code QuickStartsIT}.
 */
class ReadmeQuickStartsTest {
  private static final Path EXAMPLES = Path.of("src/main/java/io/stickyws/samples/examples");

  @Test
  void theReadmeQuickStartsAreTheSamplesMainsVerbatim() throws IOException {
    List<List<String>> blocks = quickStartBlocks();
    assertThat(blocks).hasSize(3);
    assertThat(blocks.get(0)).isEqualTo(marked("OkHttpQuickStart.java"));
    assertThat(blocks.get(1)).isEqualTo(marked("JdkQuickStart.java"));
    assertThat(blocks.get(2)).isEqualTo(marked("JavaWebSocketQuickStart.java"));
    for (List<String> block : blocks) {
      assertThat(block.get(0)).isEqualTo(
          "public static void main(String[] args) throws InterruptedException {");
      assertThat(String.join("\n", block)).contains("awaitOpen(", "closeAndWait(");
    }
  }

  private static List<String> marked(String file) throws IOException {
    List<String> lines = Files.readAllLines(EXAMPLES.resolve(file), StandardCharsets.UTF_8);
    int begin = lines.indexOf("  // README begin");
    int end = lines.indexOf("  // README end");
    assertThat(begin).as("README markers in %s", file).isNotNegative().isLessThan(end);
    List<String> out = new ArrayList<>();
    for (String line : lines.subList(begin + 1, end)) {
      out.add(line.isEmpty() ? line : line.substring(2));
    }
    return out;
  }

  /** The Java blocks of the README's "Quick start" section, up to the next section. */
  private static List<List<String>> quickStartBlocks() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("../README.md"), StandardCharsets.UTF_8);
    int start = lines.indexOf("## Quick start");
    List<List<String>> blocks = new ArrayList<>();
    List<String> current = null;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (line.equals("```java")) {
        current = new ArrayList<>();
      } else if (line.equals("```") && current != null) {
        blocks.add(current);
        current = null;
      } else if (current != null) {
        current.add(line);
      }
    }
    return blocks.subList(0, Math.min(3, blocks.size()));
  }
}
