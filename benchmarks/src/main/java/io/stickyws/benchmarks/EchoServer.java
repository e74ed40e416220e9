package io.stickyws.benchmarks;

import io.stickyws.testkit.Certificates;
import io.stickyws.testkit.Ports;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;

/**
 * An echo WebSocket server on loopback (Java-WebSocket's {@link WebSocketServer}, TCP_NODELAY on):
 * every text or binary message goes back unchanged. It can drop every connection without a close
 * frame.
 *
 * <p>Thread-safe.
 */
final class EchoServer implements AutoCloseable {
  private final Server server;
  private final int port;
  private final String scheme;

  private EchoServer(int port, String scheme) {
    this.port = port;
    this.scheme = scheme;
    this.server = new Server(new InetSocketAddress(Ports.HOST, port));
  }

  /** Starts a server on a free loopback port and waits until it listens. */
  static EchoServer start() throws InterruptedException {
    return start(null);
  }

  /**
   * Starts a server on a free loopback port, speaking TLS with {@code tls} unless it is null
   * ({@code wss://} URIs then), and waits until it listens.
   */
  static EchoServer start(SSLContext tls) throws InterruptedException {
    EchoServer echo = new EchoServer(Ports.free(), tls == null ? "ws" : "wss");
    if (tls != null) {
      echo.server.setWebSocketFactory(new DefaultSSLWebSocketServerFactory(tls));
    }
    echo.server.setReuseAddr(true);
    echo.server.setTcpNoDelay(true);
    echo.server.start();
    if (!echo.server.started.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("echo server did not start");
    }
    return echo;
  }

  /** A server-side TLS context with the key and certificate {@code certificates} generated. */
  static SSLContext serverTls(Certificates certificates) throws Exception {
    char[] password = certificates.trustStorePassword().toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in =
        Files.newInputStream(certificates.certPem().resolveSibling("server.p12"))) {
      keys.load(in, password);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    return context;
  }

  URI uri() {
    return uri("/echo");
  }

  URI uri(String path) {
    return URI.create(scheme + "://" + Ports.HOST + ":" + port + path);
  }

  int port() {
    return port;
  }

  int connections() {
    return server.getConnections().size();
  }

  /** Open connections whose request path is {@code path}. */
  int connections(String path) {
    int n = 0;
    for (WebSocket ws : server.getConnections()) {
      if (path.equals(ws.getResourceDescriptor()) && ws.isOpen()) {
        n++;
      }
    }
    return n;
  }

  /** Drops (no close frame) the connections whose request path is {@code path}. */
  int drop(String path) {
    int n = 0;
    for (WebSocket ws : server.getConnections()) {
      if (path.equals(ws.getResourceDescriptor())) {
        ws.closeConnection(1006, "dropped");
        n++;
      }
    }
    return n;
  }

  /** Closes every TCP connection at once, without a close frame (an abrupt server-side drop). */
  int dropAll() {
    int n = 0;
    for (WebSocket ws : server.getConnections()) {
      ws.closeConnection(1006, "dropped");
      n++;
    }
    return n;
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(1000);
  }

  /** Runs a server in this process until stdin ends: {@code NAME echo-server}, prints the port. */
  static void serveUntilStdinCloses() throws Exception {
    EchoServer echo = start();
    System.out.println("LISTENING " + echo.port);
    System.out.flush();
    while (System.in.read() != -1) {
      // ignore input
    }
    Runtime.getRuntime().halt(0);
  }

  private static final class Server extends WebSocketServer {
    final CountDownLatch started = new CountDownLatch(1);

    Server(InetSocketAddress address) {
      super(address);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {}

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

    @Override
    public void onMessage(WebSocket conn, String message) {
      conn.send(message);
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
      conn.send(message);
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {}

    @Override
    public void onStart() {
      started.countDown();
    }
  }
}
