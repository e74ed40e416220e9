package io.stickyws.internal;

import java.net.URI;

/**
 * What may be logged of a URI: scheme, host, port and path. Never the query or the user info,
 * which may hold secrets.
 *
 * <p>Not part of the public API. Thread-safe (stateless).
 */
public final class Redact {
  private Redact() {}

  /**
   * Formats the loggable parts of a URI.
   *
   * @param uri the URI
   * @return {@code scheme://host:port/path}
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
