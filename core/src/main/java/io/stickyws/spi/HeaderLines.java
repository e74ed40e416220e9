package io.stickyws.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Header maps as adapters hand them to and take them from libraries: {@link #join} makes a
 * request's headers one line per name, for libraries that take one value per header name and write
 * it unchecked (Java-WebSocket); {@link #values} reads every value of one header from a map a
 * library filled.
 *
 * <p>Stateless and thread-safe.
 */
public final class HeaderLines {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private HeaderLines() {}

  /**
   * Joins the values of each header name, names matched without regard to case: {@code Cookie}
   * with {@code "; "} (RFC 6265 §5.4), every other header with {@code ", "} (RFC 9110 §5.3).
   *
   * @param headers header names to values, as {@link HandshakeRequest#headers()} holds them;
   *     {@code null} values are skipped
   * @return one value per name, looked up without regard to case, spelled as first seen
   * @throws IllegalArgumentException for what a library would write unchecked: a name that is
   *     not an HTTP token, a value with CR, LF or NUL (the message names the header, never the
   *     value)
   */
  public static Map<String, String> join(Map<String, List<String>> headers) {
    Map<String, String> joined = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> {
      if (!TOKEN.matcher(name).matches()) {
        throw new IllegalArgumentException("header name (" + name + ") must be an HTTP token");
      }
      String separator = name.equalsIgnoreCase("Cookie") ? "; " : ", ";
      for (String value : values) {
        if (value != null && value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
          throw new IllegalArgumentException(
              "header " + name + " must not contain CR, LF or NUL in its value");
        } else if (value != null) {
          joined.merge(name, value, (a, b) -> a + separator + b);
        }
      }
    });
    return joined;
  }

  /**
   * Every value of one header, its name matched without regard to case, for maps whose keys
   * differ in case only or may be {@code null} (a status line), or whose value lists may be
   * {@code null}.
   *
   * @param headers header names to values, as a library hands them over
   * @param name the header name
   * @return the values of every matching name in map order; empty if none
   */
  public static List<String> values(Map<String, List<String>> headers, String name) {
    List<String> result = new ArrayList<>();
    headers.forEach((n, values) -> {
      if (name.equalsIgnoreCase(n) && values != null) {
        result.addAll(values);
      }
    });
    return result;
  }
}
