package io.stickyws.it.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A raw loopback WebSocket server whose every connection is answered by one {@link Behavior}: a
 * correct handshake followed by garbage frames, a broken 101, a truncated handshake, or a correct
 * echo server that drops the TCP connection. Written on plain sockets so it can send what no real
 * server library would. One platform thread per connection: fine for tests.
 *
 * <p>Thread-safe: the behavior may be swapped while connections run.
 */
final class GarbageServer implements AutoCloseable {
  static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** What the server does with one accepted connection. */
  @FunctionalInterface
  interface Behavior {
    /**
     * Serves one connection whose request head (up to the blank line) was read already.
     *
     * @param key the client's Sec-WebSocket-Key, or null
     */
    void serve(Socket socket, String key, String requestHead) throws IOException;
  }

  private final ServerSocket serverSocket;
  private final Thread acceptor;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger handshakes = new AtomicInteger();
  private volatile Behavior behavior;
  private volatile String lastRequestHead = "";
  private volatile boolean closed;

  private GarbageServer(ServerSocket serverSocket, Behavior behavior) {
    this.serverSocket = serverSocket;
    this.behavior = behavior;
    this.acceptor = new Thread(this::acceptLoop, "garbage-server-" + serverSocket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static GarbageServer start(Behavior behavior) {
    return start(ServerSocketFactory.getDefault(), behavior);
  }

  static GarbageServer start(ServerSocketFactory factory, Behavior behavior) {
    try {
      ServerSocket socket = factory.createServerSocket(0, 200, InetAddress.getLoopbackAddress());
      return new GarbageServer(socket, behavior);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return serverSocket.getLocalPort();
  }

  URI uri(String scheme, String host, String pathAndQuery) {
    return URI.create(scheme + "://" + host + ":" + port() + pathAndQuery);
  }

  URI wsUri() {
    return uri("ws", "127.0.0.1", "/ws");
  }

  void behavior(Behavior behavior) {
    this.behavior = behavior;
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** Request heads fully read so far (each is one handshake attempt). */
  int handshakes() {
    return handshakes.get();
  }

  /** The last request head read. */
  String lastRequestHead() {
    return lastRequestHead;
  }

  /** Connections whose socket is still open on the server side. */
  int openSockets() {
    sockets.removeIf(Socket::isClosed);
    return sockets.size();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      sockets.add(socket);
      Thread worker = new Thread(() -> handle(socket), "garbage-conn-" + socket.getPort());
      worker.setDaemon(true);
      worker.start();
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      String head = readHead(socket.getInputStream());
      if (head == null) {
        return;
      }
      lastRequestHead = head;
      handshakes.incrementAndGet();
      behavior.serve(socket, header(head, "Sec-WebSocket-Key"), head);
    } catch (IOException e) {
      // the client went away: normal for this server
    } finally {
      sockets.remove(socket);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      // ignore
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }

  // ------------------------------------------------------------------ behaviors

  /** A correct 101, then {@code frames}, then reads until the client closes the TCP connection. */
  static Behavior openThenSend(byte[] frames) {
    return (socket, key, head) -> {
      OutputStream out = socket.getOutputStream();
      out.write(goodResponse(key, "").getBytes(StandardCharsets.ISO_8859_1));
      out.write(frames);
      out.flush();
      drainUntilEof(socket.getInputStream());
    };
  }

  /** A response head written as is, then reads until the client closes. */
  static Behavior respond(String responseHead) {
    return (socket, key, head) -> {
      OutputStream out = socket.getOutputStream();
      out.write(responseHead.replace("{accept}", accept(key)).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      drainUntilEof(socket.getInputStream());
    };
  }

  /** Part of a response head, then the TCP connection is closed. */
  static Behavior truncate(String partialHead) {
    return (socket, key, head) -> {
      OutputStream out = socket.getOutputStream();
      out.write(partialHead.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.setSoLinger(true, 0);
    };
  }

  /** A correct 101 with {@code extraHeaders}, then echoes text frames until the client leaves. */
  static Behavior echo(String extraHeaders) {
    return (socket, key, head) -> {
      OutputStream out = socket.getOutputStream();
      out.write(goodResponse(key, extraHeaders).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      echoFrames(socket.getInputStream(), out);
    };
  }

  /** A correct 101, then the TCP connection is dropped without a close frame. */
  static Behavior openThenDrop() {
    return (socket, key, head) -> {
      OutputStream out = socket.getOutputStream();
      out.write(goodResponse(key, "").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.setSoLinger(true, 0);
    };
  }

  static String goodResponse(String key, String extraHeaders) {
    return "HTTP/1.1 101 Switching Protocols\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept(key) + "\r\n"
        + extraHeaders
        + "\r\n";
  }

  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unmasked server frame. */
  static byte[] frame(int firstByte, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(firstByte);
    if (payload.length < 126) {
      out.write(payload.length);
    } else {
      out.write(126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xff);
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** A masked server frame (forbidden by RFC 6455 §5.1). */
  static byte[] maskedFrame(int firstByte, byte[] payload) {
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(firstByte);
    out.write(0x80 | payload.length);
    out.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------ plumbing

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (head.size() < 16 * 1024) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT)
          .equals(name.toLowerCase(Locale.ROOT))) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static void drainUntilEof(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    try {
      while (in.read(buffer) >= 0) {
        // discard
      }
    } catch (SocketException e) {
      // reset by the client
    }
  }

  /** Echoes text/binary frames, answers pings, answers a close frame and returns. */
  private static void echoFrames(InputStream in, OutputStream out) throws IOException {
    while (true) {
      int b0 = in.read();
      if (b0 < 0) {
        return;
      }
      int b1 = readByte(in);
      long length = b1 & 0x7f;
      if (length == 126) {
        length = (readByte(in) << 8) | readByte(in);
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte(in);
        }
      }
      byte[] mask = new byte[4];
      if ((b1 & 0x80) != 0) {
        in.readNBytes(mask, 0, 4);
      }
      byte[] payload = in.readNBytes((int) length);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      int opcode = b0 & 0x0f;
      synchronized (out) {
        if (opcode == 0x8) {
          out.write(frame(0x88, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]));
          out.flush();
          return;
        } else if (opcode == 0x9) {
          out.write(frame(0x8A, payload));
        } else if (opcode == 0x1 || opcode == 0x2) {
          out.write(frame(0x80 | opcode, payload));
        }
        out.flush();
      }
    }
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new java.io.EOFException();
    }
    return b;
  }
}
