package io.stickyws.benchmarks;

import io.stickyws.ReconnectPolicy;
import io.stickyws.SessionObserver;
import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.javawebsocket.JavaWebSocketTransport;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.okhttp.OkHttpTransport;
import io.stickyws.spi.NoDelaySocketFactory;
import io.stickyws.spi.Transport;
import io.stickyws.testkit.Certificates;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocketListener;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * The clients the benchmarks compare: each library used directly ("raw") and through
 * {@link StickyWebSocket} on that library's adapter.
 *
 * <p>Factories are thread-safe; connections are used by one benchmark thread at a time.
 */
final class Clients {
  static final List<String> ADAPTERS = List.of("okhttp", "jdk", "java-websocket");
  static final Duration OPEN_TIMEOUT = Duration.ofSeconds(20);

  private Clients() {}

  /** One open connection. */
  interface Conn extends AutoCloseable {
    void send(String text);

    @Override
    void close();
  }

  /** Opens connections of one kind. */
  interface Factory extends AutoCloseable {
    /**
     * Opens a connection and waits for OPEN. {@code onOpen} receives the {@link System#nanoTime()} of
     * every open (more than one for a reconnecting client).
     */
    Conn open(URI uri, Consumer<String> onMessage, LongConsumer onOpen) throws Exception;

    @Override
    default void close() {}
  }

  /** TLS material of the balancer lab: context and trust manager. */
  static final class Tls {
    final SSLContext context;
    final X509TrustManager trustManager;

    Tls(Certificates certificates) throws Exception {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(certificates.trustStore())) {
        store.load(in, certificates.trustStorePassword().toCharArray());
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      this.trustManager = (X509TrustManager) tmf.getTrustManagers()[0];
      this.context = certificates.sslContext();
    }
  }

  /** The adapter's transport, on a client configured like the raw one. */
  static Transport transport(String adapter, Tls tls) {
    switch (adapter) {
      case "okhttp":
        return OkHttpTransport.create(okHttp(tls, false));
      case "jdk":
        return JdkTransport.create(jdkBuilder(tls));
      case "java-websocket":
        return JavaWebSocketTransport.create(client -> {
          if (tls != null) {
            client.setSocketFactory(tls.context.getSocketFactory());
          }
        });
      default:
        throw new IllegalArgumentException("adapter (" + adapter + ") unknown");
    }
  }

  static HttpClient.Builder jdkBuilder(Tls tls) {
    HttpClient.Builder b = HttpClient.newBuilder();
    if (tls != null) {
      b.sslContext(tls.context);
    }
    return b;
  }

  static OkHttpClient okHttp(Tls tls, boolean noDelay) {
    // limits far above any connection count here, so that the dispatcher never queues a handshake
    // (raw and adapter clients get the same configuration)
    okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
    dispatcher.setMaxRequests(100_000);
    dispatcher.setMaxRequestsPerHost(100_000);
    OkHttpClient.Builder b = new OkHttpClient.Builder().readTimeout(Duration.ZERO)
        .dispatcher(dispatcher);
    if (tls != null) {
      b.sslSocketFactory(tls.context.getSocketFactory(), tls.trustManager);
    }
    if (noDelay) {
      // plain sockets with TCP_NODELAY, as the OkHttp adapter makes them
      b.socketFactory(new NoDelaySocketFactory(SocketFactory.getDefault()));
    }
    return b.build();
  }

  /** A policy that reconnects after {@code delay} exactly, for ever. */
  static ReconnectPolicy immediate(Duration delay) {
    return ReconnectPolicy.builder().initialDelay(delay).maxDelay(delay).multiplier(1.0)
        .jitter(ReconnectPolicy.Jitter.NONE).unlimitedAttempts().noElapsedLimit().build();
  }

  /** StickyWebSocket on {@code adapter}, all connections in one session. */
  static Factory sticky(String adapter, Tls tls, ReconnectPolicy policy) {
    return sticky(adapter, tls, policy, null);
  }

  /**
   * StickyWebSocket on {@code adapter}, all connections in one session, with {@code observer}
   * registered unless it is null.
   */
  static Factory sticky(String adapter, Tls tls, ReconnectPolicy policy,
      SessionObserver observer) {
    StickySession.Builder builder = StickySession.builder(transport(adapter, tls))
        .reconnectPolicy(policy).noHeartbeat();
    if (observer != null) {
      builder.observer(observer);
    }
    StickySession session = builder.build();
    return new Factory() {
      @Override
      public Conn open(URI uri, Consumer<String> onMessage, LongConsumer onOpen) throws Exception {
        CountDownLatch opened = new CountDownLatch(1);
        StickyWebSocket ws = session.connect(uri, new StickyWebSocketListener() {
          @Override
          public void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity,
              SameBackend sameBackend) {
            onOpen.accept(System.nanoTime());
            opened.countDown();
          }

          @Override
          public void onText(StickyWebSocket webSocket, String text) {
            onMessage.accept(text);
          }
        });
        await(opened, "sticky " + adapter);
        return new Conn() {
          @Override
          public void send(String text) {
            if (!ws.send(text)) {
              throw new IllegalStateException("send refused in state " + ws.state());
            }
          }

          @Override
          public void close() {
            ws.close();
          }

          @Override
          public String toString() {
            return ws.toString() + " state " + ws.state();
          }
        };
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  /** The library itself, configured as the adapter configures it (TCP_NODELAY). */
  static Factory raw(String adapter, Tls tls) {
    switch (adapter) {
      case "okhttp":
        return rawOkHttp(okHttp(tls, true));
      case "jdk":
        return rawJdk(jdkBuilder(tls).build());
      case "java-websocket":
        return rawJavaWebSocket(tls);
      default:
        throw new IllegalArgumentException("adapter (" + adapter + ") unknown");
    }
  }

  static Factory rawOkHttp(OkHttpClient client) {
    return (uri, onMessage, onOpen) -> {
      CountDownLatch opened = new CountDownLatch(1);
      String http = uri.toString().replaceFirst("^ws", "http");
      okhttp3.WebSocket ws = client.newWebSocket(new Request.Builder().url(http).build(),
          new WebSocketListener() {
            @Override
            public void onOpen(okhttp3.WebSocket webSocket, Response response) {
              onOpen.accept(System.nanoTime());
              opened.countDown();
            }

            @Override
            public void onMessage(okhttp3.WebSocket webSocket, String text) {
              onMessage.accept(text);
            }
          });
      await(opened, "raw okhttp");
      return new Conn() {
        @Override
        public void send(String text) {
          ws.send(text);
        }

        @Override
        public void close() {
          ws.close(1000, null);
        }
      };
    };
  }

  static Factory rawJdk(HttpClient client) {
    return (uri, onMessage, onOpen) -> {
      WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
          onOpen.accept(System.nanoTime());
          webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          if (last && parts.length() == 0) {
            onMessage.accept(data.toString());
          } else {
            parts.append(data);
            if (last) {
              onMessage.accept(parts.toString());
              parts.setLength(0);
            }
          }
          webSocket.request(1);
          return null;
        }
      }).get(OPEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new Conn() {
        private CompletableFuture<WebSocket> tail = CompletableFuture.completedFuture(ws);

        @Override
        public synchronized void send(String text) {
          // the JDK allows one outstanding send: chain them, as any application must
          tail = tail.thenCompose(w -> w.sendText(text, true));
        }

        @Override
        public void close() {
          ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
      };
    };
  }

  static Factory rawJavaWebSocket(Tls tls) {
    return (uri, onMessage, onOpen) -> javaWebSocket(uri, tls, onMessage, onOpen, false);
  }

  /**
   * The library itself with the reconnect an application writes by hand: when the connection ends
   * (closed or failed), the library's own callback opens the next one at once. No policy, no state,
   * no cookies: the floor of a reconnect, noticing the drop plus one handshake. {@code onOpen}
   * receives every open.
   */
  static Factory rawReconnecting(String adapter, Tls tls) {
    switch (adapter) {
      case "okhttp":
        return rawReconnectingOkHttp(okHttp(tls, true));
      case "jdk":
        return rawReconnectingJdk(jdkBuilder(tls).build());
      case "java-websocket":
        return (uri, onMessage, onOpen) -> javaWebSocket(uri, tls, onMessage, onOpen, true);
      default:
        throw new IllegalArgumentException("adapter (" + adapter + ") unknown");
    }
  }

  private static Factory rawReconnectingOkHttp(OkHttpClient client) {
    return (uri, onMessage, onOpen) -> {
      Request request =
          new Request.Builder().url(uri.toString().replaceFirst("^ws", "http")).build();
      CountDownLatch opened = new CountDownLatch(1);
      AtomicBoolean closed = new AtomicBoolean();
      AtomicReference<okhttp3.WebSocket> current = new AtomicReference<>();
      WebSocketListener listener = new WebSocketListener() {
        @Override
        public void onOpen(okhttp3.WebSocket webSocket, Response response) {
          onOpen.accept(System.nanoTime());
          opened.countDown();
        }

        @Override
        public void onMessage(okhttp3.WebSocket webSocket, String text) {
          onMessage.accept(text);
        }

        @Override
        public void onClosed(okhttp3.WebSocket webSocket, int code, String reason) {
          reopen();
        }

        @Override
        public void onFailure(okhttp3.WebSocket webSocket, Throwable t, Response response) {
          reopen();
        }

        private void reopen() {
          if (!closed.get()) {
            current.set(client.newWebSocket(request, this));
          }
        }
      };
      current.set(client.newWebSocket(request, listener));
      await(opened, "raw reconnecting okhttp");
      return new Conn() {
        @Override
        public void send(String text) {
          current.get().send(text);
        }

        @Override
        public void close() {
          closed.set(true);
          current.get().close(1000, null);
        }
      };
    };
  }

  private static Factory rawReconnectingJdk(HttpClient client) {
    return (uri, onMessage, onOpen) -> {
      CountDownLatch opened = new CountDownLatch(1);
      AtomicBoolean closed = new AtomicBoolean();
      AtomicReference<WebSocket> current = new AtomicReference<>();
      WebSocket.Listener listener = new WebSocket.Listener() {
        @Override
        public void onOpen(WebSocket webSocket) {
          current.set(webSocket);
          onOpen.accept(System.nanoTime());
          opened.countDown();
          webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          onMessage.accept(data.toString());
          webSocket.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
          reopen();
          return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
          reopen();
        }

        private void reopen() {
          if (!closed.get()) {
            client.newWebSocketBuilder().buildAsync(uri, this);
          }
        }
      };
      client.newWebSocketBuilder().buildAsync(uri, listener);
      await(opened, "raw reconnecting jdk");
      return new Conn() {
        @Override
        public void send(String text) {
          current.get().sendText(text, true);
        }

        @Override
        public void close() {
          closed.set(true);
          current.get().sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
      };
    };
  }

  /**
   * Java-WebSocket itself, as the adapter configures it (TCP_NODELAY, no lost-connection pings);
   * with {@code reconnects}, a new client opens from the close callback of the last one.
   */
  private static Conn javaWebSocket(URI uri, Tls tls, Consumer<String> onMessage,
      LongConsumer onOpen, boolean reconnects) throws InterruptedException {
    CountDownLatch opened = new CountDownLatch(1);
    AtomicBoolean closed = new AtomicBoolean();
    AtomicReference<WebSocketClient> current = new AtomicReference<>();
    class Reconnecting extends WebSocketClient {
      Reconnecting(URI target) {
        super(target);
        setTcpNoDelay(true);
        setConnectionLostTimeout(0);
        setDaemon(true);
        if (tls != null) {
          setSocketFactory(tls.context.getSocketFactory());
        }
      }

      @Override
      public void onOpen(ServerHandshake handshake) {
        onOpen.accept(System.nanoTime());
        opened.countDown();
      }

      @Override
      public void onMessage(String message) {
        onMessage.accept(message);
      }

      @Override
      public void onClose(int code, String reason, boolean remote) {
        if (reconnects && !closed.get()) { // reconnect() here deadlocks: a new client
          Reconnecting next = new Reconnecting(uri);
          current.set(next);
          next.connect();
        }
      }

      @Override
      public void onError(Exception ex) {}
    }
    Reconnecting first = new Reconnecting(uri);
    current.set(first);
    first.connect();
    await(opened, reconnects ? "raw reconnecting java-websocket" : "raw java-websocket");
    return new Conn() {
      @Override
      public void send(String text) {
        current.get().send(text);
      }

      @Override
      public void close() {
        closed.set(true);
        current.get().close();
      }
    };
  }

  static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(what + " did not open within " + OPEN_TIMEOUT);
    }
  }
}
