package io.stickyws.spi;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A request's headers as one line per name, for libraries that take one value per header name and
 * write it unchecked (Java-WebSocket): repeated values are joined, {@code Cookie} with
 * {@code "; "} (RFC 6265 §5.4), every other header with {@code ", "} (RFC 9110 §5.3).
 *
 * <p>Stateless and thread-safe.
 */
public final class HeaderLines {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private HeaderLines() {}

  /**
   * Joins the values of each header name, names matched without regard to case.
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
}
