package io.stickyws.it.reliability;

import io.stickyws.javawebsocket.JavaWebSocketTransport;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.okhttp.OkHttpTransport;
import io.stickyws.spi.Transport;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/** The three adapters, each built the way an application would build it. Instances are immutable and thread-safe. */
enum Adapter {
  OKHTTP {
    @Override
    Transport transport(KeyStore trust) {
      // OkHttp runs each WebSocket's reader on a dispatcher thread for the connection's life, and its Dispatcher
      // admits 64 running calls by default: more than 64 concurrent WebSockets on one client stall in CONNECTING.
      // An application with many WebSockets raises the limit, as here.
      Dispatcher dispatcher = new Dispatcher();
      dispatcher.setMaxRequests(1024);
      dispatcher.setMaxRequestsPerHost(1024);
      OkHttpClient.Builder client = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5))
          .dispatcher(dispatcher);
      if (trust != null) {
        client.sslSocketFactory(sslContext(trust).getSocketFactory(), trustManager(trust));
      }
      return OkHttpTransport.create(client.build());
    }
  },
  JDK {
    @Override
    Transport transport(KeyStore trust) {
      HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
      if (trust != null) {
        client.sslContext(sslContext(trust));
      }
      return JdkTransport.create(client);
    }
  },
  JAVA_WEBSOCKET {
    @Override
    Transport transport(KeyStore trust) {
      if (trust == null) {
        return JavaWebSocketTransport.create();
      }
      SSLContext context = sslContext(trust);
      return JavaWebSocketTransport.create(client -> client.setSocketFactory(context.getSocketFactory()));
    }
  };

  /** A transport for plain ws://. */
  Transport transport() {
    return transport(null);
  }

  /** A transport trusting exactly the certificates in {@code trust} (null: the JDK's defaults). */
  abstract Transport transport(KeyStore trust);

  static X509TrustManager trustManager(KeyStore trust) {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager) {
          return (X509TrustManager) manager;
        }
      }
      throw new IllegalStateException("no X509TrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static SSLContext sslContext(KeyStore trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager(trust)}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
