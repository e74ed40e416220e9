package io.stickyws.cookie;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cookie store of RFC 6265 §5.3: one cookie per name, domain and path, least recently used
 * first, with per-domain and total limits.
 *
 * <p>Not thread-safe: the owning jar guards it with its lock.
 */
final class CookieStore {
  /** Identity of a stored cookie (§5.3 step 11). */
  record Key(String name, String domain, String path) {
    static Key of(Cookie c) {
      return new Key(c.name(), c.domain(), c.path());
    }

    @Override
    public String toString() {
      return name + "@" + domain + path; // no value: keys never hold one
    }
  }

  private static final class Entry {
    final Cookie cookie;
    final long seq;

    Entry(Cookie cookie, long seq) {
      this.cookie = cookie;
      this.seq = seq;
    }
  }

  private static final Comparator<Entry> HEADER_ORDER =
      Comparator.<Entry>comparingInt(e -> -e.cookie.path().length())
          .thenComparing(e -> e.cookie.creationTime())
          .thenComparingLong(e -> e.seq);

  private final int maxPerDomain;
  private final int maxTotal;
  private final Duration sessionMaxIdle;
  /** Least recently used first. */
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>();
  /** The keys stored per cookie domain: a request looks only at its host and the host's parents. */
  private final Map<String, Set<Key>> byDomain = new HashMap<>();
  private long nextSeq;
  /** When the next full sweep of expired cookies is due; requests skip expired ones meanwhile. */
  private Instant nextPurge = Instant.MIN;

  CookieStore(int maxPerDomain, int maxTotal, Duration sessionMaxIdle) {
    this.maxPerDomain = maxPerDomain;
    this.maxTotal = maxTotal;
    this.sessionMaxIdle = sessionMaxIdle;
  }

  boolean expired(Cookie c, Instant now) {
    if (c.expiredAt(now)) {
      return true;
    }
    return sessionMaxIdle != null
        && !c.persistent()
        && !c.lastAccessTime().plus(sessionMaxIdle).isAfter(now);
  }

  /**
   * Stores {@code cookie} (§5.3 steps 11-12): replaces the cookie with the same key keeping its
   * creation time; an expired cookie only deletes. Returns the cookie as stored, or {@code null}
   * when it deleted (or was dropped).
   */
  Cookie put(Cookie cookie, Instant now) {
    Key key = Key.of(cookie);
    Entry old = removeEntry(key);
    if (expired(cookie, now)) {
      return null;
    }
    Cookie stored = cookie;
    long seq;
    if (old != null) {
      seq = old.seq;
      if (!old.cookie.creationTime().equals(cookie.creationTime())) {
        stored = cookie.newBuilder().creationTime(old.cookie.creationTime()).build();
      }
    } else {
      seq = nextSeq++;
    }
    entries.put(key, new Entry(stored, seq));
    byDomain.computeIfAbsent(key.domain(), d -> new LinkedHashSet<>()).add(key);
    enforceLimits(stored.domain(), now);
    return entries.containsKey(key) ? stored : null;
  }

  /** Removes the cookie with this key; whether one was stored. */
  boolean remove(Key key) {
    return removeEntry(key) != null;
  }

  /** Marks the cookie with this key as used at {@code when} if that is later than its last use. */
  void touch(Key key, Instant when) {
    Entry e = entries.get(key);
    if (e != null && when.isAfter(e.cookie.lastAccessTime())) {
      entries.remove(key);
      entries.put(key, new Entry(e.cookie.newBuilder().lastAccessTime(when).build(), e.seq));
    }
  }

  /**
   * The cookies to send to {@code uri} in §5.4 order; their last-access time becomes {@code now}.
   */
  List<Cookie> forRequest(URI uri, Instant now) {
    if (!Hosts.isHttpScheme(uri.getScheme())) {
      return List.of();
    }
    String host = Hosts.canonicalHost(uri);
    if (host == null) {
      return List.of();
    }
    String path = Hosts.requestPath(uri);
    boolean secureScheme = Hosts.isSecureScheme(uri.getScheme());
    if (now.isAfter(nextPurge)) {
      purgeExpired(now);
      nextPurge = now.plusSeconds(1);
    }
    List<Entry> matched = new ArrayList<>();
    List<Key> expiredKeys = null;
    for (String domain = host; domain != null; domain = parent(domain)) {
      Set<Key> keys = byDomain.get(domain);
      if (keys == null) {
        continue;
      }
      for (Key key : keys) {
        Entry e = entries.get(key);
        Cookie c = e.cookie;
        if ((c.hostOnly() ? !host.equals(c.domain()) : !Hosts.domainMatch(host, c.domain()))
            || !Hosts.pathMatch(path, c.path())
            || (c.secure() && !secureScheme)) {
          continue;
        }
        if (expired(c, now)) {
          if (expiredKeys == null) {
            expiredKeys = new ArrayList<>();
          }
          expiredKeys.add(key);
          continue;
        }
        matched.add(e);
      }
    }
    if (expiredKeys != null) {
      for (Key key : expiredKeys) {
        removeEntry(key);
      }
    }
    if (matched.isEmpty()) {
      return List.of();
    }
    matched.sort(HEADER_ORDER);
    List<Cookie> result = new ArrayList<>(matched.size());
    for (Entry e : matched) {
      Key key = Key.of(e.cookie);
      Cookie touched = e.cookie.lastAccessTime().equals(now)
          ? e.cookie
          : e.cookie.newBuilder().lastAccessTime(now).build();
      entries.remove(key);
      entries.put(key, new Entry(touched, e.seq));
      result.add(touched);
    }
    return List.copyOf(result);
  }

  /** The domain one label up ({@code b.c} for {@code a.b.c}), or null at the top. */
  private static String parent(String domain) {
    int dot = domain.indexOf('.');
    return dot < 0 || dot == domain.length() - 1 ? null : domain.substring(dot + 1);
  }

  /** Every live cookie, least recently used first. */
  List<Cookie> all(Instant now) {
    purgeExpired(now);
    List<Cookie> result = new ArrayList<>(entries.size());
    for (Entry e : entries.values()) {
      result.add(e.cookie);
    }
    return result;
  }

  int size() {
    return entries.size();
  }

  void clear() {
    entries.clear();
    byDomain.clear();
  }

  private void purgeExpired(Instant now) {
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (expired(e.cookie, now)) {
        it.remove();
        unindex(Key.of(e.cookie));
      }
    }
  }

  private void enforceLimits(String domain, Instant now) {
    if (countIn(domain) > maxPerDomain || entries.size() > maxTotal) {
      purgeExpired(now);
    }
    while (countIn(domain) > maxPerDomain) {
      Iterator<Entry> it = entries.values().iterator();
      while (it.hasNext()) {
        Entry e = it.next();
        if (e.cookie.domain().equals(domain)) {
          it.remove();
          unindex(Key.of(e.cookie));
          break;
        }
      }
    }
    while (entries.size() > maxTotal) {
      Iterator<Entry> it = entries.values().iterator();
      Entry e = it.next();
      it.remove();
      unindex(Key.of(e.cookie));
    }
  }

  private int countIn(String domain) {
    Set<Key> keys = byDomain.get(domain);
    return keys == null ? 0 : keys.size();
  }

  private Entry removeEntry(Key key) {
    Entry old = entries.remove(key);
    if (old != null) {
      unindex(key);
    }
    return old;
  }

  private void unindex(Key key) {
    Set<Key> keys = byDomain.get(key.domain());
    if (keys != null && keys.remove(key) && keys.isEmpty()) {
      byDomain.remove(key.domain());
    }
  }
}
