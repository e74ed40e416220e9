package io.stickyws.samples.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One JSON object, written on one line: the output format of {@code sticky-check --json}. Values are strings,
 * booleans, integers, finite doubles, nested objects or {@code null}; keys keep their insertion order.
 *
 * <p>Strings are escaped as RFC 8259 requires: quotation mark, reverse solidus and every control character below
 * U+0020 (as {@code \b \f \n \r \t} or {@code \}{@code u00XX}); U+2028 and U+2029 are escaped too so a line is also
 * a valid JavaScript literal. Every other character, unpaired surrogates included, is written as a {@code \}{@code u}
 * escape when it is not a valid UTF-16 sequence, so the output is always valid UTF-8.
 *
 * <p>Not thread-safe.
 */
public final class Json {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  private Json() {}

  /** An empty object. */
  public static Json object() {
    return new Json();
  }

  /** Adds a string member ({@code null} writes {@code null}). */
  public Json put(String key, String value) {
    return add(key, value);
  }

  /** Adds a boolean member. */
  public Json put(String key, boolean value) {
    return add(key, value);
  }

  /** Adds an integer member. */
  public Json put(String key, long value) {
    return add(key, value);
  }

  /** Adds a number member (an integer, or a finite double), or {@code null}. */
  public Json put(String key, Number value) {
    if (value instanceof Double || value instanceof Float) {
      return put(key, value.doubleValue());
    }
    return add(key, value);
  }

  /** Adds a number member; must be finite. */
  public Json put(String key, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key + " (" + value + ") must be a finite number");
    }
    return add(key, value);
  }

  /** Adds a nested object, or {@code null}. */
  public Json put(String key, Json value) {
    return add(key, value);
  }

  private Json add(String key, Object value) {
    Objects.requireNonNull(key, "key == null");
    fields.put(key, value);
    return this;
  }

  /** The object as one line of JSON, without a line break. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    write(out);
    return out.toString();
  }

  private void write(StringBuilder out) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(field.getKey(), out);
      out.append(':');
      Object value = field.getValue();
      if (value == null) {
        out.append("null");
      } else if (value instanceof String) {
        quote((String) value, out);
      } else if (value instanceof Json) {
        ((Json) value).write(out);
      } else {
        out.append(value); // Boolean, Long, Integer, Double: Java's text is valid JSON for finite values
      }
    }
    out.append('}');
  }

  /** Appends {@code text} as a JSON string literal, quotes included. */
  static void quote(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20 || c == '\u2028' || c == '\u2029' || unpairedSurrogate(text, i)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  private static boolean unpairedSurrogate(String text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
    }
    return false;
  }
}
