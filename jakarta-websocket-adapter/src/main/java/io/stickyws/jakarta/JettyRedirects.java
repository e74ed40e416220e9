package io.stickyws.jakarta;

import jakarta.websocket.WebSocketContainer;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handshake is never redirected (the rule of every stickyws adapter), but Jetty's Jakarta client
 * follows a 3xx on the handshake, with the engine's {@code Cookie} header, whenever the container's
 * Jetty {@code HttpClient} follows redirects, which is its default. Tomcat is told per attempt
 * ({@code MAX_REDIRECTIONS}); Jetty has no such property, so its container's {@code HttpClient}
 * ({@code getHttpClient()}, protected, reached by reflection) is told to follow none, once, with
 * one INFO line. Other containers are left alone. Stateless; thread-safe.
 */
final class JettyRedirects {
  private static final Logger log = LoggerFactory.getLogger(JakartaTransport.class);

  private JettyRedirects() {}

  /** Turns redirects off on the Jetty {@code HttpClient} behind {@code container}, if any. */
  static void turnOff(WebSocketContainer container) {
    for (Class<?> type = container.getClass(); type != null; type = type.getSuperclass()) {
      if (!type.getName().startsWith("org.eclipse.jetty.")) {
        continue;
      }
      try {
        Method getHttpClient = type.getDeclaredMethod("getHttpClient");
        getHttpClient.setAccessible(true);
        Object http = getHttpClient.invoke(container);
        if (http != null && (Boolean) http.getClass().getMethod("isFollowRedirects").invoke(http)) {
          http.getClass().getMethod("setFollowRedirects", boolean.class).invoke(http, false);
          log.info("the Jetty container's HttpClient followed redirects: turned off, since a "
              + "stickyws handshake is never redirected (its Cookie header would go to the "
              + "Location); call HttpClient.setFollowRedirects(false) to silence this");
        }
        return;
      } catch (NoSuchMethodException e) {
        // not declared here: look at the superclass
      } catch (ReflectiveOperationException | RuntimeException e) {
        log.warn("could not check whether the Jetty container follows handshake redirects ({});"
            + " give it an HttpClient with setFollowRedirects(false)", e.toString());
        return;
      }
    }
  }
}
