package io.stickyws.samples.check;

import io.stickyws.jakarta.JakartaTransport;
import io.stickyws.javawebsocket.JavaWebSocketTransport;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.okhttp.OkHttpTransport;
import io.stickyws.spi.Transport;
import jakarta.websocket.ClientEndpointConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.apache.tomcat.websocket.WsWebSocketContainer;

/**
 * The WebSocket libraries sticky-check can drive, by their command-line names.
 *
 * <p>Constants are immutable and thread-safe.
 */
public enum Client {
  /** OkHttp 5. */
  OKHTTP("okhttp"),
  /** The JDK's {@code java.net.http.WebSocket}. */
  JDK("jdk"),
  /** Java-WebSocket 1.6. */
  JAVA_WEBSOCKET("java-websocket"),
  /** Tomcat 11's Jakarta WebSocket client container ({@code WsWebSocketContainer}) through stickyws-jakarta. */
  JAKARTA("jakarta");

  private final String cliName;

  Client(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line and in the JSON lines. */
  public String cliName() {
    return cliName;
  }

  /**
   * The client named {@code name}.
   *
   * @throws IllegalArgumentException naming the value and the choices
   */
  public static Client parse(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Client client : values()) {
      if (client.cliName.equals(wanted)) {
        return client;
      }
    }
    throw new IllegalArgumentException("client (\"" + name + "\") must be one of "
        + Arrays.stream(values()).map(Client::cliName).collect(Collectors.joining(", ")));
  }

  /** A transport on a new client of this library, trusting {@code tls} for {@code wss://}. */
  public Transport transport(Tls tls) {
    switch (this) {
      case OKHTTP:
        return OkHttpTransport.create(new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .sslSocketFactory(tls.context().getSocketFactory(), tls.trustManager())
            .build());
      case JDK:
        return JdkTransport.create(HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .sslContext(tls.context()));
      case JAKARTA:
        // Tomcat verifies the host name itself; the SSL context only adds the trusted certificates
        return JakartaTransport.builder(new WsWebSocketContainer())
            .endpointConfig(ClientEndpointConfig.Builder.create().sslContext(tls.context()).build())
            .build();
      default:
        return JavaWebSocketTransport.create(client -> {
          client.setDaemon(true);
          if ("wss".equalsIgnoreCase(client.getURI().getScheme())) {
            client.setSocketFactory(tls.context().getSocketFactory());
          }
        });
    }
  }

  @Override
  public String toString() {
    return cliName;
  }
}
