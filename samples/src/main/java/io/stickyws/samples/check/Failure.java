package io.stickyws.samples.check;

import io.stickyws.HandshakeException;
import io.stickyws.ConnectionTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Why a connection failed, sorted into the classes an operator acts on ({@link Kind}) with the whole cause chain as
 * the message. Cookie and affinity values never appear here: the exceptions of the engine and of the clients do not
 * carry them; the query string of a URL a client put in its message is hidden. Instances are immutable and
 * thread-safe.
 *
 * @param kind the class of the failure
 * @param status the HTTP status of a handshake answered with something other than 101, otherwise {@code null}
 * @param message every exception of the chain, {@code Class: message}, joined by {@code "; caused by "}
 */
record Failure(Kind kind, Integer status, String message) {

  /** The classes of failure, by their JSON name, the most telling first. */
  enum Kind {
    /** The handshake was answered with a status other than 101. */
    HTTP_STATUS("http-status", "handshake answered"),
    /** The host name does not resolve. */
    UNKNOWN_HOST("unknown-host", "unknown host"),
    /** The TLS handshake failed: untrusted certificate, wrong name, protocol. */
    TLS("tls", "TLS handshake failed"),
    /** Nothing answered in time (connect, handshake or pong). */
    TIMEOUT("timeout", "timed out"),
    /** Nothing listens on the port (TCP RST). */
    REFUSED("refused", "connection refused"),
    /** The connection was closed with a close code. */
    CLOSED("closed", "closed"),
    /** Any other I/O failure. */
    IO("io", "I/O failure");

    private final String json;
    private final String text;

    Kind(String json, String text) {
      this.json = json;
      this.text = text;
    }

    /** The value of {@code error.class} in the JSON lines. */
    String json() {
      return json;
    }

    /** A few words for the verdict line. */
    String text() {
      return text;
    }
  }

  /**
   * Sorts {@code cause} (never null) into its class; the most telling exception of the chain wins (a
   * {@code ConnectException} caused by an unresolved address is an unknown host).
   */
  static Failure of(Throwable cause) {
    return of(cause, null);
  }

  /**
   * Like {@link #of(Throwable)}; {@code rejection}, when not null, is a certificate the trust manager refused during
   * this attempt, which makes an otherwise unexplained I/O failure a TLS failure (Java-WebSocket reports a failed TLS
   * handshake as a closed connection).
   */
  static Failure of(Throwable cause, Exception rejection) {
    String message = chain(cause);
    Kind kind = null;
    Integer status = null;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      Kind found = kindOf(t);
      if (found != null && (kind == null || found.ordinal() < kind.ordinal())) {
        kind = found;
        status = t instanceof HandshakeException ? ((HandshakeException) t).status() : null;
      }
    }
    if ((kind == null || kind == Kind.IO) && rejection != null) {
      return new Failure(Kind.TLS, null, message + "; the certificate was refused: " + chain(rejection));
    }
    return new Failure(kind == null ? Kind.IO : kind, status, message);
  }

  private static Kind kindOf(Throwable t) {
    if (t instanceof HandshakeException) {
      return Kind.HTTP_STATUS;
    }
    if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
      return Kind.UNKNOWN_HOST;
    }
    if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
      return Kind.TLS;
    }
    if (t instanceof ConnectionTimeoutException || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
        || t instanceof java.io.InterruptedIOException) {
      return Kind.TIMEOUT;
    }
    if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
      return String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timed out") ? Kind.TIMEOUT
          : Kind.REFUSED;
    }
    return null;
  }


  /** A close by code and reason, without an exception. */
  static Failure closed(int code, String reason) {
    return new Failure(Kind.CLOSED, null, "closed " + code + (reason == null || reason.isEmpty() ? "" : " " + reason));
  }

  /** The handshake got no answer within {@code timeout}, the limit of {@code option}. */
  static Failure noAnswer(String option, java.time.Duration timeout) {
    return new Failure(Kind.TIMEOUT, null, "no answer within " + option + " " + Durations.format(timeout));
  }

  /** The class and, for a status, the status: {@code refused}, {@code http-status 503}. */
  String label() {
    return kind.json() + (status == null ? "" : " " + status);
  }

  /** {@code error} of the JSON lines: {@code {"class": ..., "message": ...}}. */
  Json json() {
    return Json.object().put("class", kind.json()).put("message", message);
  }

  private static final java.util.regex.Pattern QUERY =
      java.util.regex.Pattern.compile("((?:wss?|https?)://[^\\s?#]*)\\?[^\\s#]*");

  private static String chain(Throwable cause) {
    return QUERY.matcher(rawChain(cause)).replaceAll("$1?(query hidden)");
  }

  private static String rawChain(Throwable cause) {
    StringBuilder text = new StringBuilder();
    String previous = null;
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String one = t instanceof HandshakeException
          ? "handshake answered " + ((HandshakeException) t).status()
          : t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
      if (previous != null && t.getMessage() != null
          && previous.contains(one.substring(one.indexOf(':') + 1).trim())) {
        continue; // a wrapper repeating its cause's message adds nothing
      }
      if (text.length() > 0) {
        text.append("; caused by ");
      }
      text.append(one);
      previous = one;
      if (text.length() > 2000) {
        break;
      }
    }
    return text.toString();
  }
}
