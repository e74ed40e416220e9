package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON lines of sticky-check as they were before verdicts and errors were added: every line of a known type must
 * still carry each of these fields with one of these JSON types. New fields may be added; none may go or change type.
 */
final class JsonContract {
  private static final Map<String, Map<String, Set<String>>> CONTRACT = new LinkedHashMap<>();

  static {
    CONTRACT.put("connection", Map.of("type", Set.of("string"), "n", Set.of("integer"), "client", Set.of("string"),
        "opened", Set.of("boolean"), "status", Set.of("integer", "null"), "firstMessage", Set.of("string", "null"),
        "affinity", Set.of("affinity", "null"), "sameBackend", Set.of("string"), "millis", Set.of("number", "integer")));
    CONTRACT.put("open", Map.of("type", Set.of("string"), "n", Set.of("integer"),
        "firstMessage", Set.of("string", "null"), "affinity", Set.of("affinity", "null"),
        "sameBackend", Set.of("string")));
    CONTRACT.put("disconnected", Map.of("type", Set.of("string"), "code", Set.of("integer"),
        "reason", Set.of("string"), "willRetry", Set.of("boolean"), "nextDelayMillis", Set.of("integer", "null")));
    CONTRACT.put("reconnecting", Map.of("type", Set.of("string"), "attempt", Set.of("integer"),
        "delayMillis", Set.of("integer")));
    CONTRACT.put("affinityChanged", Map.of("type", Set.of("string"), "from", Set.of("string", "null"),
        "to", Set.of("string", "null")));
    CONTRACT.put("gaveUp", Map.of("type", Set.of("string"), "attempts", Set.of("integer"),
        "elapsedMillis", Set.of("integer"), "cause", Set.of("string", "null")));
    CONTRACT.put("closed", Map.of("type", Set.of("string"), "code", Set.of("integer"), "reason", Set.of("string")));
    CONTRACT.put("summary", Map.of("type", Set.of("string"), "connections", Set.of("integer"),
        "opened", Set.of("integer"), "distinctFirstMessages", Set.of("integer"),
        "distinctAffinities", Set.of("integer")));
  }

  private JsonContract() {}

  /** The fields of today's contract for lines of {@code type}. */
  static Set<String> fields(String type) {
    return CONTRACT.get(type).keySet();
  }

  /** Every line has a known type and keeps that type's fields and their JSON types. */
  static void assertKept(List<Map<String, Object>> lines) {
    assertThat(lines).isNotEmpty();
    for (Map<String, Object> line : lines) {
      assertThat(CONTRACT).as(line.toString()).containsKey((String) line.get("type"));
      CONTRACT.get((String) line.get("type")).forEach((field, types) -> {
        assertThat(line).as(line.toString()).containsKey(field);
        assertThat(types).as(field + " of " + line).contains(typeOf(line.get(field)));
      });
    }
  }

  @SuppressWarnings("unchecked")
  private static String typeOf(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    if (value instanceof Long) {
      return "integer";
    }
    if (value instanceof Number) {
      return "number";
    }
    if (value instanceof Map) {
      Map<String, Object> object = (Map<String, Object>) value;
      return object.get("name") instanceof String && object.get("fingerprint") instanceof String
          && ((String) object.get("fingerprint")).matches("[0-9a-f]{12}") ? "affinity" : "object";
    }
    return value.getClass().getSimpleName();
  }
}
