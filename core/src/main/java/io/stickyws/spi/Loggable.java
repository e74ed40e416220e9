package io.stickyws.spi;

import java.io.IOException;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * What stickyws and its adapters may log of a URI: scheme, host, port and path. Never the query
 * or the user info, which may hold secrets (tokens, signatures). And the one redaction step every
 * foreign exception passes through before it can reach a log line, a listener or a
 * {@code toString()}: {@link #failure(Throwable)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Loggable {
  /** A double-quoted run: libraries quote the header line or value they refuse. */
  private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"?");
  /** A header that carries secrets, or a credential scheme, and everything after it. */
  private static final Pattern SECRET_HEADER = Pattern.compile(
      "(?is)\\b(set-cookie|cookie|authorization|proxy-authorization|bearer)\\b.*");
  private static final String REDACTED = "<redacted>";
  private static final int MAX_CAUSES = 16;

  private Loggable() {}

  /**
   * A library's exception message with what may be a secret removed: every double-quoted run,
   * and everything after the name of a header that carries secrets ({@code Cookie},
   * {@code Set-Cookie}, {@code Authorization}) or the word {@code Bearer}.
   *
   * @param message the message, or {@code null}
   * @return the redacted message, or {@code null}
   */
  public static String message(String message) {
    if (message == null) {
      return null;
    }
    String unquoted = QUOTED.matcher(message).replaceAll("\"" + REDACTED + "\"");
    return SECRET_HEADER.matcher(unquoted).replaceFirst("$1 " + REDACTED);
  }

  /**
   * The failure as it may be logged or handed to a listener: {@code failure} itself when no
   * message in its cause chain changes under {@link #message(String)}; otherwise an
   * {@link IOException} whose message is the original class name and the redacted message, with
   * the original stack trace and a cause redacted the same way. Suppressed exceptions are dropped
   * from a copy.
   *
   * @param failure what a library reported, or {@code null}
   * @return the failure safe to report, or {@code null}
   */
  public static Throwable failure(Throwable failure) {
    return failure == null || clean(failure) ? failure : redacted(failure, MAX_CAUSES);
  }

  private static boolean clean(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth++ < MAX_CAUSES; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.equals(message(message))) {
        return false;
      }
    }
    return true;
  }

  private static Throwable redacted(Throwable failure, int depth) {
    String message = message(failure.getMessage());
    Throwable cause = failure.getCause() == null || depth <= 1 || failure.getCause() == failure
        ? null : redacted(failure.getCause(), depth - 1);
    IOException copy = new IOException(
        failure.getClass().getName() + (message == null ? "" : ": " + message), cause);
    copy.setStackTrace(failure.getStackTrace());
    return copy;
  }

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
