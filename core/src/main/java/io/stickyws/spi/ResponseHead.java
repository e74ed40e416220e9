package io.stickyws.spi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status line and header block of a handshake response, read from the raw bytes the server
 * sent, for adapters whose library can show them but folds repeated headers into one value (as
 * Java-WebSocket does, joining them with {@code "; "}, which makes two {@code Set-Cookie} headers
 * ambiguous): this keeps every header line as its own value, in order, as
 * {@link HandshakeResponse} expects.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ResponseHead {
  /** The largest header block we wait for, as OkHttp does; a longer one fails the handshake. */
  public static final int MAX_HEAD_BYTES = 256 * 1024;

  private final int status;
  private final Map<String, List<String>> headers;

  private ResponseHead(int status, Map<String, List<String>> headers) {
    this.status = status;
    this.headers = headers;
  }

  /**
   * Reads the head starting at {@code buf}'s position, without moving it.
   *
   * @param buf the bytes received so far
   * @return the head, or {@code null} while its terminating empty line has not arrived
   * @throws IllegalStateException if more than {@link #MAX_HEAD_BYTES} arrived without an end
   */
  public static ResponseHead parse(ByteBuffer buf) {
    int start = buf.position();
    int limit = buf.limit();
    int end = -1;
    for (int i = start; i + 3 < limit; i++) {
      if (buf.get(i) == '\r' && buf.get(i + 1) == '\n' && buf.get(i + 2) == '\r'
          && buf.get(i + 3) == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (limit - start > MAX_HEAD_BYTES) {
        throw new IllegalStateException(
            "handshake response head exceeds " + MAX_HEAD_BYTES + " bytes");
      }
      return null;
    }
    byte[] bytes = new byte[end - start];
    buf.duplicate().position(start).get(bytes);
    String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n", -1);
    for (int i = 0; i < lines.length; i++) {
      lines[i] = utf8IfValid(lines[i]);
    }
    int status = parseStatus(lines[0]);

    Map<String, String> names = new LinkedHashMap<>();
    Map<String, List<String>> byKey = new LinkedHashMap<>();
    List<String> previous = null;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
        // obsolete line folding (RFC 7230 §3.2.4): continues the previous value
        if (previous != null && !previous.isEmpty()) {
          int last = previous.size() - 1;
          previous.set(last, previous.get(last) + " " + trimOws(line));
        }
        continue;
      }
      if (colon <= 0) {
        previous = null;
        continue; // not a header line; the library rejects it for a 101 anyway
      }
      String name = trimOws(line.substring(0, colon));
      if (name.isEmpty()) {
        previous = null;
        continue;
      }
      String key = name.toLowerCase(Locale.ROOT);
      names.putIfAbsent(key, name);
      previous = byKey.computeIfAbsent(key, k -> new ArrayList<>());
      previous.add(trimOws(line.substring(colon + 1)));
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    byKey.forEach((key, values) ->
        headers.put(names.get(key), Collections.unmodifiableList(values)));
    return new ResponseHead(status, Collections.unmodifiableMap(headers));
  }

  /** The 3-digit code of {@code HTTP/1.1 503 Service Unavailable}, or 0 if there is none. */
  private static int parseStatus(String statusLine) {
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/") || parts[1].length() != 3) {
      return 0;
    }
    int code = 0;
    for (int i = 0; i < 3; i++) {
      char c = parts[1].charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      code = code * 10 + (c - '0');
    }
    return code >= 100 ? code : 0;
  }

  private static String trimOws(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return s.substring(from, to);
  }

  /**
   * The status code.
   *
   * @return the status code, or 0 when the status line was not HTTP
   */
  public int status() {
    return status;
  }

  /**
   * Every header line.
   *
   * @return header names (as first spelled) to every value, in the order received
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** Names the status and header names only: values may hold secrets. */
  /**
   * Header octets read one char per byte (ISO-8859-1, as HTTP libraries do) decoded as UTF-8 when
   * they are valid UTF-8, as a cookie jar stores values ({@code eur=€} stays one character);
   * otherwise left byte for byte, never changed silently.
   *
   * @param latin1 a header line or value, one char per octet
   * @return the same text decoded as UTF-8, or {@code latin1} itself
   */
  public static String utf8IfValid(String latin1) {
    if (latin1.chars().allMatch(c -> c < 0x80)) {
      return latin1;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .decode(ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1))).toString();
    } catch (java.nio.charset.CharacterCodingException notUtf8) {
      return latin1;
    }
  }

  @Override
  public String toString() {
    return "ResponseHead{status=" + status + ", headers=" + headers.keySet() + "}";
  }
}
