package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeResponseTest {
  /** The chars a library shows for the UTF-8 octets of {@code text} read as ISO-8859-1. */
  private static String latin1(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void ofLatin1DecodesValidUtf8AndFoldsNamesThatDifferInCase() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Set-Cookie", List.of(latin1("eur=\u20ac"), "SERVERID=b1"));
    headers.put("set-cookie", List.of("lb=x"));
    headers.put("X-Raw", List.of("caf\u00e9")); // one octet 0xE9: not UTF-8, kept as it is
    headers.put(null, List.of("HTTP/1.1 101 Switching Protocols"));
    headers.put("X-Null", null);

    HandshakeResponse response = HandshakeResponse.ofLatin1(101, headers);

    assertThat(response.status()).isEqualTo(101);
    assertThat(response.headers()).containsOnlyKeys("Set-Cookie", "X-Raw");
    assertThat(response.headers("SET-COOKIE"))
        .containsExactly("eur=\u20ac", "SERVERID=b1", "lb=x");
    assertThat(response.header("x-raw")).contains("caf\u00e9");
  }

  @Test
  void ofLatin1KeepsAnEmptyValue() {
    HandshakeResponse response =
        HandshakeResponse.ofLatin1(503, Map.of("Retry-After", Arrays.asList("")));
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.headers("Retry-After")).containsExactly("");
  }
}
