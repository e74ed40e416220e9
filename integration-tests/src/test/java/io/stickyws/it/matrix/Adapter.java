package io.stickyws.it.matrix;

import io.stickyws.jakarta.JakartaTransport;
import io.stickyws.javawebsocket.JavaWebSocketTransport;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.okhttp.OkHttpTransport;
import io.stickyws.spi.Transport;
import io.stickyws.testkit.Certificates;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.java_websocket.client.WebSocketClient;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainer;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.java_websocket.handshake.ServerHandshake;

/**
 * The adapters of the matrix: the stickyws transport on each library, and the same library used raw (no
 * stickyws, no cookies) to show that the balancer really balances.
 *
 * <p>Instances are immutable and thread-safe.
 */
enum Adapter {
  OKHTTP("okhttp"),
  JDK("jdk"),
  JAVA_WEBSOCKET("java-websocket"),
  JAKARTA("jakarta");

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final OkHttpClient OKHTTP_CLIENT = new OkHttpClient.Builder()
      .connectTimeout(TIMEOUT).readTimeout(Duration.ZERO).build();
  private static final HttpClient JDK_CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  /**
   * The Jakarta column runs on Jetty 12.1's client (one container for the JVM, daemon threads): Tomcat's client hides
   * a refused handshake's headers and reports close code 1012 as 1002, which scenarios 3 and 9 need (see
   * jakarta-websocket-adapter/README.md; the adapter's own tests cover Tomcat).
   */
  private static final WebSocketContainer JAKARTA_CONTAINER = jettyContainer(null);
  private static final Map<Certificates, WebSocketContainer> JAKARTA_TLS_CONTAINERS = new ConcurrentHashMap<>();

  final String id;

  Adapter(String id) {
    this.id = id;
  }

  static Adapter of(String id) {
    for (Adapter a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown adapter " + id);
  }

  /** The stickyws transport on this library, plain. */
  Transport transport() {
    return transport(null);
  }

  /** The stickyws transport on this library, trusting only {@code tls}'s certificate when given (hostname checked). */
  Transport transport(Certificates tls) {
    switch (this) {
      case OKHTTP: {
        OkHttpClient.Builder builder = OKHTTP_CLIENT.newBuilder();
        if (tls != null) {
          builder.sslSocketFactory(tls.sslContext().getSocketFactory(), trustManager(tls));
        }
        return OkHttpTransport.create(builder.build());
      }
      case JDK: {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (tls != null) {
          builder.sslContext(tls.sslContext());
        }
        return JdkTransport.create(builder);
      }
      case JAKARTA: {
        // Jetty ignores ClientEndpointConfig.getSSLContext(): TLS is the container's HttpClient's
        return JakartaTransport.create(tls == null ? JAKARTA_CONTAINER
            : JAKARTA_TLS_CONTAINERS.computeIfAbsent(tls, c -> jettyContainer(c.sslContext())));
      }
      default: {
        SSLContext context = tls == null ? null : tls.sslContext();
        return JavaWebSocketTransport.builder()
            .connectTimeout(TIMEOUT)
            .customizer(client -> {
              client.setDaemon(true);
              if (context != null) {
                client.setSocketFactory(context.getSocketFactory());
              }
            })
            .build();
      }
    }
  }

  /** Opens one WebSocket with the raw library (no stickyws, no cookie), returns the greeting's backend id. */
  String rawLanding(URI uri) throws Exception {
    CompletableFuture<String> greeting = new CompletableFuture<>();
    switch (this) {
      case OKHTTP: {
        WebSocket ws = OKHTTP_CLIENT.newWebSocket(new Request.Builder().url(uri.toString()).build(),
            new WebSocketListener() {
              @Override
              public void onMessage(WebSocket webSocket, String text) {
                greeting.complete(text);
              }

              @Override
              public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                greeting.completeExceptionally(t);
              }
            });
        try {
          return server(greeting.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
          ws.close(1000, null);
        }
      }
      case JDK: {
        java.net.http.WebSocket ws = JDK_CLIENT.newWebSocketBuilder().connectTimeout(TIMEOUT)
            .buildAsync(uri, new java.net.http.WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                greeting.complete(data.toString());
                webSocket.request(1);
                return null;
              }

              @Override
              public void onError(java.net.http.WebSocket webSocket, Throwable error) {
                greeting.completeExceptionally(error);
              }
            }).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
          return server(greeting.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
          ws.sendClose(1000, "").exceptionally(t -> null);
        }
      }
      case JAKARTA: {
        Endpoint endpoint = new Endpoint() {
          @Override
          public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) greeting::complete);
          }
        };
        try (Session session = JAKARTA_CONTAINER.connectToServer(endpoint, ClientEndpointConfig.Builder.create().build(), uri)) {
          return server(greeting.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
      }
      default: {
        WebSocketClient client = new WebSocketClient(uri) {
          @Override
          public void onOpen(ServerHandshake handshake) {}

          @Override
          public void onMessage(String message) {
            greeting.complete(message);
          }

          @Override
          public void onClose(int code, String reason, boolean remote) {
            greeting.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
          }

          @Override
          public void onError(Exception ex) {
            greeting.completeExceptionally(ex);
          }
        };
        client.setDaemon(true);
        client.setConnectionLostTimeout(0);
        try {
          if (!client.connectBlocking(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Java-WebSocket could not connect to " + uri);
          }
          return server(greeting.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
          client.close();
        }
      }
    }
  }

  /** Jetty's client with daemon threads and no cookie store of its own (the raw column must send no cookie). */
  private static WebSocketContainer jettyContainer(SSLContext tls) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("jetty-ws-client");
    threads.setDaemon(true);
    org.eclipse.jetty.client.HttpClient http = new org.eclipse.jetty.client.HttpClient();
    http.setExecutor(threads);
    http.setScheduler(new ScheduledExecutorScheduler("jetty-ws-client-scheduler", true));
    http.setHttpCookieStore(new HttpCookieStore.Empty());
    if (tls != null) {
      SslContextFactory.Client ssl = new SslContextFactory.Client();
      ssl.setSslContext(tls);
      http.setSslContextFactory(ssl);
    }
    JakartaWebSocketClientContainer container = new JakartaWebSocketClientContainer(http);
    LifeCycle.start(container);
    return container;
  }

  private static String server(String greeting) {
    String prefix = "{\"server\":\"";
    if (!greeting.startsWith(prefix)) {
      throw new AssertionError("not a greeting: " + greeting);
    }
    return greeting.substring(prefix.length(), greeting.indexOf('"', prefix.length()));
  }

  private static X509TrustManager trustManager(Certificates tls) {
    try (InputStream in = Files.newInputStream(tls.trustStore())) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, tls.trustStorePassword().toCharArray());
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager) {
          return (X509TrustManager) manager;
        }
      }
      throw new IllegalStateException("no X509TrustManager");
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the generated trust store", e);
    }
  }

  @Override
  public String toString() {
    return id;
  }
}
