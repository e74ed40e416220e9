package io.stickyws.benchmarks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A flat JSON object with insertion-ordered string and number fields.
 *
 * <p>Not thread-safe.
 */
final class Json {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  static Json bench(String name) {
    return new Json().put("bench", name);
  }

  Json put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  Map<String, Object> fields() {
    return fields;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    fields.forEach((k, v) -> {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(quote(k)).append(':').append(value(v));
    });
    return sb.append('}').toString();
  }

  String toText() {
    StringBuilder sb = new StringBuilder();
    fields.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append('=')
        .append(v instanceof String ? (String) v : value(v)));
    return sb.toString();
  }

  private static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return "null";
      }
      return String.format(Locale.ROOT, "%.3f", d);
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return quote(v.toString());
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
