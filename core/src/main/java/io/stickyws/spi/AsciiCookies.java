package io.stickyws.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule for a cookie value a library cannot send as it is, for transports whose library writes
 * header values as ASCII only (the JDK refuses or replaces other characters with {@code ?}): the
 * cookies whose name or value holds a character outside visible ASCII are left out of the
 * {@code Cookie} header, and each such cookie name is reported once at WARN (the name only, never
 * the value); the other cookies are sent. A transport whose library sends UTF-8 bytes (OkHttp)
 * sends them as stored instead. A jar stores a value as the string its UTF-8 bytes decode to.
 *
 * <p>Thread-safe.
 */
public final class AsciiCookies {
  private static final Logger log = LoggerFactory.getLogger(AsciiCookies.class);
  /** Names reported so far; bounded so that a hostile server cannot grow it without end. */
  private static final int MAX_REPORTED = 1024;

  private final String library;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  /**
   * A rule for one transport.
   *
   * @param library the library's name, for the warning
   */
  public AsciiCookies(String library) {
    this.library = library;
  }

  /**
   * The request with every {@code Cookie} header value cut to its ASCII cookies; the request itself
   * when nothing is left out.
   *
   * @param request the engine's request
   * @return the request to hand to the library
   */
  public HandshakeRequest sendable(HandshakeRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    boolean changed = false;
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      List<String> values = header.getValue();
      if (header.getKey().equalsIgnoreCase("Cookie")) {
        List<String> kept = new ArrayList<>();
        for (String value : values) {
          String ascii = cookieHeader(value);
          changed |= !ascii.equals(value);
          if (!ascii.isEmpty()) {
            kept.add(ascii);
          }
        }
        values = kept;
      }
      if (!values.isEmpty()) {
        headers.put(header.getKey(), values);
      }
    }
    return changed
        ? HandshakeRequest.of(request.uri(), headers, request.heartbeatInterval().orElse(null))
        : request;
  }

  /** One {@code Cookie} header value without its non-ASCII cookies. */
  String cookieHeader(String value) {
    StringBuilder kept = new StringBuilder();
    for (String pair : value.split(";")) {
      String cookie = pair.trim();
      if (cookie.isEmpty()) {
        continue;
      }
      if (ascii(cookie)) {
        kept.append(kept.length() == 0 ? "" : "; ").append(cookie);
      } else {
        int eq = cookie.indexOf('=');
        String name = eq < 0 ? "" : cookie.substring(0, eq).trim();
        if (reported.size() < MAX_REPORTED && reported.add(name)) {
          log.warn("cookie {} is not sent: its name or value is not ASCII and {} sends header"
              + " values as ASCII only", ascii(name) ? name : "(a non-ASCII name)", library);
        }
      }
    }
    return kept.toString();
  }

  private static boolean ascii(String s) {
    return s.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
  }

  @Override
  public String toString() {
    return "AsciiCookies{" + library + "}";
  }
}
