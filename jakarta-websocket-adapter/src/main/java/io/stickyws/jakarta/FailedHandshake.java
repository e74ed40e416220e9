package io.stickyws.jakarta;

import io.stickyws.spi.HandshakeResponse;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP status of a handshake the server refused, as far as the container lets us know: the
 * Jakarta API has no type for it, only the exception {@code connectToServer} throws. Read from an
 * exception in the cause chain with a public {@code getResponseStatusCode()} (Jetty), or from the
 * bracketed status in a {@code DeploymentException}'s message (Tomcat: "[503]").
 *
 * <p>Stateless and thread-safe.
 */
final class FailedHandshake {
  private static final Pattern BRACKETED_STATUS = Pattern.compile("\\[([1-5][0-9][0-9])\\]");

  private FailedHandshake() {}

  /**
   * The response to report with a failed attempt.
   *
   * @param failure what {@code connectToServer} threw
   * @param answered the headers {@code afterResponse} saw, or {@code null}
   * @return the response, or {@code null} if the failure names no HTTP status other than 101
   */
  static HandshakeResponse responseOf(Throwable failure, HandshakeResponse answered) {
    int status = statusOf(failure);
    if (status == 0 || status == 101) {
      return null;
    }
    return HandshakeResponse.of(status, answered == null ? Map.of() : answered.headers());
  }

  static int statusOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      int status = declaredStatus(t);
      if (status == 0 && t instanceof jakarta.websocket.DeploymentException
          && t.getMessage() != null) {
        Matcher matcher = BRACKETED_STATUS.matcher(t.getMessage());
        status = matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
      }
      if (status != 0) {
        return status;
      }
    }
    return 0;
  }

  private static int declaredStatus(Throwable t) {
    try {
      Method getter = t.getClass().getMethod("getResponseStatusCode");
      Object value = getter.invoke(t);
      return value instanceof Integer && (Integer) value >= 100 && (Integer) value <= 599
          ? (Integer) value : 0;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return 0;
    }
  }
}
