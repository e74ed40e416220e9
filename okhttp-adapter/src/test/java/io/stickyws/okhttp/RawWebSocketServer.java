package io.stickyws.okhttp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback server that completes one WebSocket handshake and then drops the TCP connection at
 * once (no close frame), sends a close frame 1012 and drops the connection without waiting for the
 * answer, goes silent (never reads, so pings get no pong), or pings without pause and never reads
 * (issue 19's ping flood). What mockwebserver cannot do.
 */
final class RawWebSocketServer implements AutoCloseable {
  enum Then { DROP, CLOSE_THEN_DROP, SILENT, PING_FLOOD }

  /** Pings written by {@link Then#PING_FLOOD} so far. */
  final AtomicLong pingsSent = new AtomicLong();

  private final ServerSocket serverSocket;
  private final Thread thread;
  private volatile Socket accepted;

  RawWebSocketServer(Then then) throws IOException {
    serverSocket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    thread = new Thread(() -> serve(then), "raw-ws-server");
    thread.setDaemon(true);
    thread.start();
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + serverSocket.getLocalPort() + "/raw");
  }

  private void serve(Then then) {
    try {
      Socket socket = serverSocket.accept();
      accepted = socket;
      BufferedReader in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      String key = null;
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      if (then == Then.CLOSE_THEN_DROP) {
        byte[] reason = "restart".getBytes(StandardCharsets.UTF_8);
        out.write(new byte[] {(byte) 0x88, (byte) (2 + reason.length), 0x03, (byte) 0xF4});
        out.write(reason);
        out.flush();
      }
      if (then == Then.PING_FLOOD) {
        flood(out);
      }
      if (then != Then.SILENT) {
        socket.close();
      }
    } catch (IOException e) {
      // closed by the test
    }
  }

  /** Unmasked pings with a 125-byte payload, 512 per write, until the client drops the socket. */
  private void flood(OutputStream out) throws IOException {
    byte[] batch = new byte[512 * 127];
    for (int i = 0; i < 512; i++) {
      batch[i * 127] = (byte) 0x89;
      batch[i * 127 + 1] = 125;
    }
    while (true) {
      out.write(batch);
      pingsSent.addAndGet(512);
    }
  }

  private static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest(
          (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() throws Exception {
    serverSocket.close();
    Socket socket = accepted;
    if (socket != null) {
      socket.close();
    }
    thread.join(5_000);
  }
}
