package io.stickyws.spi;

import java.net.URI;

/**
 * What stickyws and its adapters may log of a URI: scheme, host, port and path. Never the query
 * or the user info, which may hold secrets (tokens, signatures).
 *
 * <p>Stateless and thread-safe.
 */
public final class Loggable {
  private Loggable() {}

  /**
   * Formats the loggable parts of a URI.
   *
   * @param uri the URI, or {@code null}
   * @return {@code scheme://host:port/path}, or {@code "null"}
   */
  public static String uri(URI uri) {
    if (uri == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    if (uri.getScheme() != null) {
      out.append(uri.getScheme()).append("://");
    }
    if (uri.getHost() != null) {
      out.append(uri.getHost());
    }
    if (uri.getPort() != -1) {
      out.append(':').append(uri.getPort());
    }
    if (uri.getRawPath() != null) {
      out.append(uri.getRawPath());
    }
    return out.toString();
  }
}
