package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderLinesTest {
  @Test
  void joinsCookiesWithSemicolonsAndOtherHeadersWithCommas() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Cookie", List.of("a=1", "b=2"));
    headers.put("cookie", List.of("c=3"));
    headers.put("X-Backend-Id", List.of("b1", "b2"));

    Map<String, String> joined = HeaderLines.join(headers);

    assertThat(joined).containsOnlyKeys("Cookie", "X-Backend-Id");
    assertThat(joined.get("COOKIE")).isEqualTo("a=1; b=2; c=3");
    assertThat(joined.get("x-backend-id")).isEqualTo("b1, b2");
  }

  @Test
  void skipsNullValuesAndKeepsAnEmptyOne() {
    Map<String, String> joined = HeaderLines.join(Map.of(
        "X-A", Arrays.asList(null, "1"), "X-Empty", List.of("")));

    assertThat(joined).containsEntry("X-A", "1").containsEntry("X-Empty", "");
  }

  @Test
  void refusesALineBreakNamingTheHeaderButNotTheValue() {
    assertThatThrownBy(() -> HeaderLines.join(Map.of("Cookie", List.of("s=secret\r\nHost: x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header Cookie must not contain CR, LF or NUL in its value")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> HeaderLines.join(Map.of("X-Nul", List.of("a\0b"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesANameThatIsNotAToken() {
    assertThatThrownBy(() -> HeaderLines.join(Map.of("Bad Name", List.of("v"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name (Bad Name) must be an HTTP token");
    assertThatThrownBy(() -> HeaderLines.join(Map.of("X:Y", List.of("v"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesCollectsEveryCaseOfTheNameAndSkipsNulls() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put(null, List.of("HTTP/1.1 101 Switching Protocols"));
    headers.put("set-cookie", List.of("a=1"));
    headers.put("X-Other", List.of("x"));
    headers.put("Set-Cookie", List.of("b=2", "c=3"));
    headers.put("SET-COOKIE", null);

    assertThat(HeaderLines.values(headers, "Set-Cookie")).containsExactly("a=1", "b=2", "c=3");
    assertThat(HeaderLines.values(headers, "Retry-After")).isEmpty();
  }
}
