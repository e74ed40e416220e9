package io.stickyws.jdk;

import io.stickyws.spi.HandshakeKeys;
import io.stickyws.spi.HeaderLines;
import io.stickyws.spi.Loggable;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties the {@code CookieHandler} calls the JDK makes for a WebSocket handshake to the stickyws
 * attempt that started it.
 *
 * <p>{@code CookieHandler.get(uri, headers)} sees the request's headers, among them the
 * {@code Sec-WebSocket-Key} the JDK chose; {@code put(uri, headers)} sees the 101 response headers,
 * among them {@code Sec-WebSocket-Accept}, which is derived from that key (RFC 6455 §4.2.2) and
 * checked by the JDK. So on {@code get} the oldest unbound attempt with the same target (http URI
 * and headers, {@code Sec-WebSocket-*} aside) is bound to the key's accept value, and on
 * {@code put} that value names the attempt exactly. Attempts with the same target cannot be told
 * apart on {@code get}, so of the unbound ones only the oldest is handed to the JDK; the next one
 * starts once it is bound (a few microseconds, before the JDK connects) or ends.
 *
 * <p>Thread-safe: one lock guards the entries; no callback runs under it.
 */
final class PendingHandshakes {
  private static final Logger log = LoggerFactory.getLogger(PendingHandshakes.class);

  private final Object lock = new Object();
  private final List<Entry> entries = new ArrayList<>(); // guarded by lock, in arrival order

  /** The http URI and the headers in lower case, {@code Sec-WebSocket-*} left out. */
  private record Target(URI httpUri, Map<String, List<String>> signature) {}

  /** One attempt, from {@link #register} to {@link #release}, which clears it. */
  static final class Entry {
    private Target target; // guarded by lock
    private Runnable start; // guarded by lock
    private String accept; // guarded by lock; set when the JDK's get showed the key
    private volatile Map<String, List<String>> captured;

    private Entry(Target target, Runnable start) {
      this.target = target;
      this.start = start;
    }

    /** @return the 101 response headers captured on {@code put}, or {@code null} */
    Map<String, List<String>> captured() {
      return captured;
    }
  }

  /**
   * An attempt to {@code httpUri} (what the JDK shows the cookie handler) sending {@code headers};
   * {@code start} hands it to the JDK, run by {@link #register} or later by the thread that binds
   * or releases the identical attempt ahead of it.
   */
  Entry newEntry(URI httpUri, Map<String, List<String>> headers, Runnable start) {
    return new Entry(new Target(httpUri, signature(headers)), start);
  }

  /** @return {@code true} if the attempt was started now, not after an identical one */
  boolean register(Entry entry) {
    Runnable start;
    synchronized (lock) {
      entries.add(entry);
      start = oldestUnbound(entry.target) == entry ? entry.start : null;
    }
    return run(start);
  }

  /** {@code CookieHandler.get}: {@code true} for a WebSocket handshake (no cookies from a jar). */
  boolean onRequest(URI uri, Map<String, List<String>> requestHeaders) {
    List<String> key = HeaderLines.values(requestHeaders, "Sec-WebSocket-Key");
    if (key.isEmpty()) {
      return false;
    }
    String accept = HandshakeKeys.accept(key.get(0).trim());
    Runnable next = null;
    synchronized (lock) {
      // a redirect or an authentication retry of a bound handshake shows its key again
      Entry entry = first(e -> accept.equals(e.accept)) != null
          ? null : oldestUnbound(new Target(uri, signature(requestHeaders)));
      if (entry != null) {
        entry.accept = accept;
        next = startOf(oldestUnbound(entry.target));
      }
    }
    run(next);
    return true;
  }

  /**
   * {@code CookieHandler.put}: {@code true} if the response answers one of our handshakes (its
   * headers were captured, or the engine sees a non-101 answer on the failure): not for a jar.
   */
  boolean onResponse(URI uri, Map<String, List<String>> responseHeaders) {
    List<String> accept = HeaderLines.values(responseHeaders, "Sec-WebSocket-Accept");
    synchronized (lock) {
      Entry entry = accept.isEmpty() ? null : first(e -> accept.get(0).trim().equals(e.accept));
      if (entry != null) {
        log.trace("captured the 101 response headers from {}", Loggable.uri(uri));
        entry.captured = new LinkedHashMap<>(responseHeaders);
        return true;
      }
      return first(e -> e.accept != null && uri.equals(e.target.httpUri())) != null;
    }
  }

  /**
   * Forgets an attempt that ended or opened, and what it held (its connection keeps the entry);
   * starts the next identical one if it was waiting.
   */
  void release(Entry entry) {
    Runnable next;
    synchronized (lock) {
      boolean wasOldest = oldestUnbound(entry.target) == entry;
      entries.remove(entry);
      next = wasOldest ? startOf(oldestUnbound(entry.target)) : null;
      entry.target = null;
      entry.start = null;
      entry.captured = null;
    }
    run(next);
  }

  /** @return how many attempts are registered, for tests */
  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  private Entry oldestUnbound(Target target) {
    return first(e -> e.accept == null && e.target.equals(target));
  }

  private Entry first(Predicate<Entry> test) { // under lock
    return entries.stream().filter(test).findFirst().orElse(null);
  }

  private static Runnable startOf(Entry entry) { // under lock
    return entry == null ? null : entry.start;
  }

  /** Runs a start outside the lock. */
  private static boolean run(Runnable start) {
    if (start != null) {
      start.run();
    }
    return start != null;
  }

  private static Map<String, List<String>> signature(Map<String, List<String>> headers) {
    Map<String, List<String>> result = new TreeMap<>();
    headers.forEach((name, values) -> {
      String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
      if (!lower.isEmpty() && !lower.startsWith("sec-websocket-") && values != null) {
        result.computeIfAbsent(lower, n -> new ArrayList<>()).addAll(values);
      }
    });
    return result;
  }
}
