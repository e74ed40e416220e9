package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.testing.MiniJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void writesMembersInOrderOnOneLine() {
    String line = Json.object().put("type", "connection").put("n", 1).put("opened", true).put("status", (Number) null)
        .put("millis", 3.1).put("affinity", Json.object().put("name", "SERVERID").put("fingerprint", "abc"))
        .put("none", (Json) null).toString();

    assertThat(line).isEqualTo("{\"type\":\"connection\",\"n\":1,\"opened\":true,\"status\":null,\"millis\":3.1,"
        + "\"affinity\":{\"name\":\"SERVERID\",\"fingerprint\":\"abc\"},\"none\":null}");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    String nasty = "say \"hi\" \\ back\nslash\ttab\r\b\f\u0000\u001f\u007f end";

    String line = Json.object().put("s", nasty).toString();

    assertThat(line).doesNotContain("\n").doesNotContain("\t").doesNotContain("\u0000");
    assertThat(line).contains("\\\"hi\\\"", "\\\\", "\\n", "\\t", "\\r", "\\b", "\\f", "\\u0000", "\\u001f");
    assertThat(MiniJson.parseObject(line)).containsEntry("s", nasty);
  }

  @Test
  void keepsNonAsciiTextAndEscapesLineSeparatorsAndLoneSurrogates() {
    String text = "héllo 😀 \u2028 \u2029";
    String lone = "a\ud800b\udc00c";

    String line = Json.object().put("t", text).put("l", lone).toString();

    assertThat(line).contains("héllo 😀", "\\u2028", "\\u2029", "\\ud800", "\\udc00");
    Map<String, Object> parsed = MiniJson.parseObject(line);
    assertThat(parsed).containsEntry("t", text).containsEntry("l", lone);
  }

  @Test
  void escapesKeysToo() {
    assertThat(Json.object().put("a\"b", 1L).toString()).isEqualTo("{\"a\\\"b\":1}");
  }

  @Test
  void numbersRoundTrip() {
    Map<String, Object> parsed = MiniJson.parseObject(
        Json.object().put("i", 42).put("l", 1L << 40).put("d", 0.5).put("boxed", (Number) 7L).toString());

    assertThat(parsed).containsEntry("i", 42L).containsEntry("l", 1L << 40).containsEntry("d", 0.5)
        .containsEntry("boxed", 7L);
  }

  @Test
  void rejectsNonFiniteNumbers() {
    assertThatThrownBy(() -> Json.object().put("x", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("x (NaN) must be a finite number");
  }
}
