package io.stickyws.testkit;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;

/**
 * Where a series of raw connections landed: the backend id of each greeting.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Landings {
  private final List<String> servers;

  private Landings(List<String> servers) {
    this.servers = List.copyOf(servers);
  }

  /** Opens {@code count} raw WebSockets one after the other, each closed after its greeting. */
  public static Landings of(int count, URI uri, Map<String, String> headers, SSLContext ssl) {
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RawWebSocket landing = RawWebSocket.probe(uri, headers, ssl);
      if (landing.status() != 101) {
        throw new AssertionError("connection " + (i + 1) + " to " + uri + " got " + landing.status());
      }
      servers.add(landing.server());
    }
    return new Landings(servers);
  }

  /** The backend id of every landing, in order. */
  public List<String> servers() {
    return servers;
  }

  /** How many landings each backend got. */
  public Map<String, Integer> counts() {
    Map<String, Integer> counts = new TreeMap<>();
    servers.forEach(s -> counts.merge(s, 1, Integer::sum));
    return counts;
  }

  /** How many different backends were hit. */
  public int distinct() {
    return counts().size();
  }

  @Override
  public String toString() {
    return counts().toString();
  }
}
