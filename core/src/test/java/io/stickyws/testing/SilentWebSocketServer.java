package io.stickyws.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket server that completes the handshake and then says nothing at all: no pong, no
 * close frame. What a dead backend behind a live tunnel looks like to a client. Loopback only.
 *
 * <p>Thread-safe.
 */
public final class SilentWebSocketServer implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger handshakes = new AtomicInteger();
  private final List<String> requestHeads = new CopyOnWriteArrayList<>();
  private final String extraHeaders;

  public SilentWebSocketServer() throws IOException {
    this("");
  }

  /**
   * @param extraResponseHeaders lines added to every 101, each ending in CRLF (for example
   *     {@code "Set-Cookie: SERVERID=b1; path=/\r\n"})
   */
  public SilentWebSocketServer(String extraResponseHeaders) throws IOException {
    this.extraHeaders = extraResponseHeaders;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "silent-websocket-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the ws:// URI of this server */
  public URI uri() {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/silent");
  }

  /** @return the request line and headers of every handshake, in order */
  public List<String> requestHeads() {
    return List.copyOf(requestHeads);
  }

  /** Drops every connection at once: TCP closed, no close frame. */
  public void dropAll() throws IOException {
    for (Socket socket : sockets) {
      socket.setSoLinger(true, 0);
      socket.close();
    }
  }

  /** @return how many handshakes it completed */
  public int handshakes() {
    return handshakes.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread reader = new Thread(() -> serve(socket), "silent-websocket-connection");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      String request = readHead(in);
      requestHeads.add(request);
      String key = null;
      for (String line : request.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT)
            .equals("sec-websocket-key")) {
          key = line.substring(colon + 1).trim();
        }
      }
      if (key == null) {
        return;
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
      OutputStream out = socket.getOutputStream();
      handshakes.incrementAndGet(); // before the answer: a client may act on it at once
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n" + extraHeaders
          + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] sink = new byte[4096];
      while (in.read(sink) != -1) {
        // Read and ignore everything: pings go unanswered.
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      // The client went away.
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1
          || matched == 3)) ? matched + 1 : 0;
      if (matched == 4) {
        break;
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
