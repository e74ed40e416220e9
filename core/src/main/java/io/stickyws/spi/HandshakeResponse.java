package io.stickyws.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the server answered to a handshake: the status code and every response header, a repeated
 * header (two {@code Set-Cookie}) as separate values in the order received.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HandshakeResponse {
  private final int status;
  private final Map<String, List<String>> headers;

  private HandshakeResponse(int status, Map<String, List<String>> headers) {
    this.status = status;
    this.headers = headers;
  }

  /**
   * Creates a response.
   *
   * @param status the HTTP status code, 101 for a completed handshake
   * @param headers header names to values; lookups ignore the case of names
   * @return the response
   */
  public static HandshakeResponse of(int status, Map<String, List<String>> headers) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status (" + status + ") must be a 3-digit HTTP status");
    }
    Objects.requireNonNull(headers, "headers == null");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((name, values) -> {
      if (name != null && values != null) {
        copy.merge(name, Collections.unmodifiableList(new ArrayList<>(values)), (a, b) -> {
          List<String> both = new ArrayList<>(a);
          both.addAll(b);
          return Collections.unmodifiableList(both);
        });
      }
    });
    return new HandshakeResponse(status, Collections.unmodifiableMap(copy));
  }

  /**
   * Creates a response from headers a library read one char per octet (ISO-8859-1, as the JDK and
   * Jakarta containers do): a value that is valid UTF-8 is decoded so
   * ({@link ResponseHead#utf8IfValid}), and names that differ in case only become one header, as
   * with {@link #builder}. Names or value lists that are {@code null} are skipped.
   *
   * @param status the HTTP status code, 101 for a completed handshake
   * @param headers header names to values as the library decoded them
   * @return the response
   */
  public static HandshakeResponse ofLatin1(int status, Map<String, List<String>> headers) {
    Builder response = builder(status);
    headers.forEach((name, values) -> {
      if (name != null && values != null) {
        values.forEach(value -> response.add(name, ResponseHead.utf8IfValid(value)));
      }
    });
    return response.build();
  }

  /**
   * Starts a response built one header line at a time, for libraries that expose the header lines
   * of a response: repeated names become one header with the values in order, spelled as first seen.
   *
   * @param status the HTTP status code, 101 for a completed handshake
   * @return an empty builder
   */
  public static Builder builder(int status) {
    return new Builder(status);
  }

  /**
   * Builds a {@link HandshakeResponse} from header lines.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final int status;
    private final Map<String, String> spelling = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Builder(int status) {
      this.status = status;
    }

    /**
     * Adds one header line.
     *
     * @param name the header name, matched without regard to case
     * @param value its value
     * @return this builder
     */
    public Builder add(String name, String value) {
      String spelled = spelling.computeIfAbsent(name, n -> n);
      values.computeIfAbsent(spelled, n -> new ArrayList<>()).add(value);
      return this;
    }

    /**
     * Builds the response.
     *
     * @return the response
     * @throws IllegalArgumentException if the status is not a 3-digit HTTP status
     */
    public HandshakeResponse build() {
      return of(status, values);
    }
  }

  /**
   * The HTTP status code.
   *
   * @return 101 for a completed handshake, otherwise what the server answered
   */
  public int status() {
    return status;
  }

  /**
   * Every header as received.
   *
   * @return an unmodifiable map of header names to values
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Every value of one header, matched without regard to case.
   *
   * @param name the header name, for example {@code "Set-Cookie"}
   * @return the values in the order received, empty if absent
   */
  public List<String> headers(String name) {
    return Headers.values(headers, name);
  }

  /**
   * The first value of one header, matched without regard to case.
   *
   * @param name the header name
   * @return the first value, or empty
   */
  public Optional<String> header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Names the status and header names only: values may hold secrets. */
  @Override
  public String toString() {
    return "HandshakeResponse{status=" + status + ", headers=" + headers.keySet() + "}";
  }
}
