package io.stickyws.jdk;

import io.stickyws.spi.Loggable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ties the {@code CookieHandler} calls the JDK makes for a WebSocket handshake to the stickyws
 * attempt that started it.
 *
 * <p>The JDK's {@code CookieHandler.get(uri, headers)} sees the request's user headers, among them
 * the {@code Sec-WebSocket-Key} the JDK chose for this handshake; {@code put(uri, headers)} sees the
 * 101 response headers, among them {@code Sec-WebSocket-Accept}, which is derived from that key
 * (RFC 6455 §4.2.2) and checked by the JDK. So: on {@code get}, the admitted attempt whose target
 * (http URI and headers, {@code Sec-WebSocket-*} aside) equals the request is bound to the key; on
 * {@code put}, the accept value names the attempt exactly. Two attempts with the same target could
 * not be told apart on {@code get}, so at most one attempt per target is admitted (handed to the JDK)
 * and not yet bound; an identical one waits until the first one's {@code get} has run (a few
 * microseconds, before the JDK connects) or until the first one ends.
 *
 * <p>Thread-safe: one lock guards the tables; no callback runs under it.
 */
final class PendingHandshakes {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(PendingHandshakes.class);
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final Object lock = new Object();
  private final List<Entry> entries = new ArrayList<>(); // guarded by lock, in arrival order
  private final Map<String, Entry> byKey = new HashMap<>(); // guarded by lock
  private final Map<String, Entry> byAccept = new HashMap<>(); // guarded by lock

  /** One attempt, from {@link #register} to {@link #release}. */
  final class Entry {
    final URI httpUri;
    final Map<String, List<String>> signature;
    final Runnable start;
    private boolean admitted; // guarded by lock
    private String key; // guarded by lock
    private volatile Map<String, List<String>> captured;

    private Entry(URI httpUri, Map<String, List<String>> signature, Runnable start) {
      this.httpUri = httpUri;
      this.signature = signature;
      this.start = start;
    }

    /** @return the 101 response headers captured on {@code put}, or {@code null} */
    Map<String, List<String>> captured() {
      return captured;
    }

    private boolean sameTarget(Entry other) {
      return httpUri.equals(other.httpUri) && signature.equals(other.signature);
    }
  }

  /**
   * Creates an attempt, not yet registered.
   *
   * @param httpUri the URI the JDK will show the cookie handler
   * @param headers the headers the attempt sends
   * @param start hands the attempt to the JDK; run by {@link #register}'s caller or later by the
   *     thread that binds or releases the identical attempt ahead of it
   * @return the entry
   */
  Entry newEntry(URI httpUri, Map<String, List<String>> headers, Runnable start) {
    return new Entry(httpUri, signature(headers), start);
  }

  /**
   * Registers an attempt. It is admitted at once unless an identical attempt is still waiting for
   * its {@code get}.
   *
   * @return {@code true} if the caller must run the entry's {@code start} now
   */
  boolean register(Entry entry) {
    synchronized (lock) {
      for (Entry other : entries) {
        if (other.admitted && other.key == null && other.sameTarget(entry)) {
          entries.add(entry);
          return false;
        }
      }
      entry.admitted = true;
      entries.add(entry);
      return true;
    }
  }

  /**
   * Called from {@code CookieHandler.get}.
   *
   * @return {@code true} if the request is a WebSocket handshake (it gets no cookies from a jar)
   */
  boolean onRequest(URI uri, Map<String, List<String>> requestHeaders) {
    String key = first(requestHeaders, "Sec-WebSocket-Key");
    if (key == null) {
      return false;
    }
    key = key.trim();
    Runnable next = null;
    synchronized (lock) {
      if (!byKey.containsKey(key)) { // a redirect or auth retry of a bound handshake is known
        Map<String, List<String>> signature = signature(requestHeaders);
        for (Entry entry : entries) {
          if (entry.admitted && entry.key == null && entry.httpUri.equals(uri)
              && entry.signature.equals(signature)) {
            entry.key = key;
            byKey.put(key, entry);
            byAccept.put(accept(key), entry);
            next = admitNextLocked(entry);
            break;
          }
        }
      }
    }
    if (next != null) {
      next.run();
    }
    return true;
  }

  /**
   * Called from {@code CookieHandler.put}.
   *
   * @return {@code true} if the response answers one of our handshakes (its headers were captured,
   *     or it is a non-101 answer the engine will see on the failure), so it must not be saved to a
   *     jar here
   */
  boolean onResponse(URI uri, Map<String, List<String>> responseHeaders) {
    String accept = first(responseHeaders, "Sec-WebSocket-Accept");
    synchronized (lock) {
      if (accept != null) {
        Entry entry = byAccept.get(accept.trim());
        if (entry != null) {
          log.trace("captured the 101 response headers from {}", Loggable.uri(uri));
          entry.captured = copy(responseHeaders);
          return true;
        }
      }
      for (Entry entry : entries) {
        if (entry.key != null && entry.httpUri.equals(uri)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Forgets an attempt that ended or opened; starts the next identical one if it was waiting. */
  void release(Entry entry) {
    if (entry == null) {
      return;
    }
    Runnable next = null;
    synchronized (lock) {
      if (!entries.remove(entry)) {
        return;
      }
      if (entry.key != null) {
        byKey.remove(entry.key);
        byAccept.remove(accept(entry.key));
      } else if (entry.admitted) {
        next = admitNextLocked(entry);
      }
    }
    if (next != null) {
      next.run();
    }
  }

  /** @return how many attempts are registered, for tests */
  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  private Runnable admitNextLocked(Entry done) {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry waiting = it.next();
      if (!waiting.admitted && waiting != done && waiting.sameTarget(done)) {
        waiting.admitted = true;
        return waiting.start;
      }
    }
    return null;
  }

  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required on every Java platform", e);
    }
  }

  /** Header names in lower case, {@code Sec-WebSocket-*} left out, values in order. */
  static Map<String, List<String>> signature(Map<String, List<String>> headers) {
    Map<String, List<String>> result = new TreeMap<>();
    headers.forEach((name, values) -> {
      if (name == null || values == null) {
        return;
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("sec-websocket-")) {
        result.computeIfAbsent(lower, n -> new ArrayList<>()).addAll(values);
      }
    });
    return result;
  }

  static String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
      if (name.equalsIgnoreCase(entry.getKey()) && entry.getValue() != null
          && !entry.getValue().isEmpty()) {
        return entry.getValue().get(0);
      }
    }
    return null;
  }

  static List<String> all(Map<String, List<String>> headers, String name) {
    List<String> result = new ArrayList<>();
    for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
      if (name.equalsIgnoreCase(entry.getKey()) && entry.getValue() != null) {
        result.addAll(entry.getValue());
      }
    }
    return result;
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
    Map<String, List<String>> result = new java.util.LinkedHashMap<>();
    headers.forEach((name, values) -> {
      if (name != null && values != null) {
        result.put(name, List.copyOf(values));
      }
    });
    return Collections.unmodifiableMap(result);
  }
}
