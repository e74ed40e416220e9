package io.stickyws.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A raw RFC 6455 client over a plain or TLS socket, with no cookie handling at all: it sends exactly the headers it is
 * given and shows exactly what came back (status, every header, every {@code Set-Cookie}). It is the rig's probe: it
 * proves what a balancer does without any stickyws code involved.
 *
 * <p>Not thread-safe: one thread uses an instance.
 */
public final class RawWebSocket implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern SERVER = Pattern.compile("\"server\"\\s*:\\s*\"([^\"]*)\"");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int status;
  private final Map<String, List<String>> headers;
  private final String server;
  private int closeCode = -1;

  private RawWebSocket(Socket socket, InputStream in, OutputStream out, int status,
      Map<String, List<String>> headers, String server) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.status = status;
    this.headers = headers;
    this.server = server;
  }

  /** Opens {@code ws://} URI with {@code extraHeaders} (e.g. {@code Cookie}); the socket stays open on a 101. */
  public static RawWebSocket open(URI uri, Map<String, String> extraHeaders) {
    return open(uri, extraHeaders, null);
  }

  /**
   * Opens {@code ws://} or {@code wss://} (then {@code ssl} must trust the server; the host name is verified).
   * On a 101 the greeting {@code {"server":"<id>"}} is read before returning; on any other status the socket is
   * closed and only status and headers are available.
   */
  public static RawWebSocket open(URI uri, Map<String, String> extraHeaders, SSLContext ssl) {
    boolean secure = "wss".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(uri.getHost(), port), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      if (secure) {
        if (ssl == null) {
          throw new IllegalArgumentException("wss needs an SSLContext");
        }
        SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(socket, uri.getHost(), port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        socket = tls;
      }
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      byte[] nonce = new byte[16];
      RANDOM.nextBytes(nonce);
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        path += "?" + uri.getRawQuery();
      }
      StringBuilder request = new StringBuilder()
          .append("GET ").append(path).append(" HTTP/1.1\r\n")
          .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
          .append("Upgrade: websocket\r\n")
          .append("Connection: Upgrade\r\n")
          .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
          .append("Sec-WebSocket-Version: 13\r\n");
      extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("\r\n");
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      String statusLine = readLine(in);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP response: " + statusLine);
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
              .add(line.substring(colon + 1).trim());
        }
      }
      if (status != 101) {
        socket.close();
        return new RawWebSocket(socket, in, out, status, headers, null);
      }
      RawWebSocket webSocket = new RawWebSocket(socket, in, out, status, headers, null);
      String greeting = webSocket.receive();
      Matcher matcher = SERVER.matcher(greeting);
      if (!matcher.find()) {
        socket.close();
        throw new IOException("first message is not a greeting: " + greeting);
      }
      return new RawWebSocket(socket, in, out, status, headers, matcher.group(1));
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException("WebSocket to " + uri.getScheme() + "://" + uri.getHost() + ":" + port
          + uri.getPath() + " failed: " + e, e);
    }
  }

  /** Opens, reads the greeting and closes: one landing. */
  public static RawWebSocket probe(URI uri, Map<String, String> extraHeaders, SSLContext ssl) {
    try (RawWebSocket webSocket = open(uri, extraHeaders, ssl)) {
      return webSocket;
    }
  }

  /** The handshake status (101 when upgraded). */
  public int status() {
    return status;
  }

  /** The id of the backend that greeted us, or null if there was no upgrade. */
  public String server() {
    return server;
  }

  /** Every value of the response header {@code name} (case-insensitive), in order. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** The first value of response header {@code name}, or null. */
  public String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** Every {@code Set-Cookie} of the handshake response. */
  public List<String> setCookies() {
    return Collections.unmodifiableList(headers("Set-Cookie"));
  }

  /** The {@code Set-Cookie} header for cookie {@code name}, or null. */
  public String setCookie(String name) {
    return setCookies().stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
  }

  /** {@code name=value} of the cookie {@code name} this response set (ready for a {@code Cookie} header), or null. */
  public String cookiePair(String name) {
    String header = setCookie(name);
    if (header == null) {
      return null;
    }
    int semicolon = header.indexOf(';');
    return semicolon < 0 ? header.trim() : header.substring(0, semicolon).trim();
  }

  /** Sends one text message (masked, as a client must). */
  public void send(String text) {
    writeFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next text message, answering pings on the way; fails on a close frame, EOF or after 5 s. */
  public String receive() throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      int b0 = in.read();
      if (b0 < 0) {
        throw new EOFException("connection closed");
      }
      int b1 = in.read();
      if (b1 < 0) {
        throw new EOFException("connection closed");
      }
      boolean fin = (b0 & 0x80) != 0;
      int opcode = b0 & 0x0F;
      long length = b1 & 0x7F;
      if (length == 126) {
        length = (readByte() << 8) | readByte();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte();
        }
      }
      byte[] mask = null;
      if ((b1 & 0x80) != 0) {
        mask = in.readNBytes(4);
      }
      byte[] payload = in.readNBytes((int) length);
      if (payload.length != length) {
        throw new EOFException("connection closed in a frame");
      }
      if (mask != null) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
      }
      switch (opcode) {
        case 0x0: case 0x1: case 0x2:
          message.write(payload);
          if (fin) {
            return message.toString(StandardCharsets.UTF_8);
          }
          break;
        case 0x8:
          closeCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
          throw new EOFException("close frame " + closeCode);
        case 0x9:
          writeFrame(0xA, payload);
          break;
        default:
          break;
      }
    }
  }

  /**
   * Waits (bounded by {@code timeout}) for the server to end the connection; returns its close code, 1006 when the
   * TCP connection ended without a close frame. Text messages on the way are discarded.
   */
  public int awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() - deadline < 0) {
        try {
          socket.setSoTimeout((int) Math.max(1, Math.min(TIMEOUT.toMillis(),
              Duration.ofNanos(deadline - System.nanoTime()).toMillis())));
          receive();
        } catch (SocketTimeoutException e) {
          // keep waiting until the deadline
        } catch (EOFException e) {
          return closeCode > 0 ? closeCode : 1006;
        }
      }
    } catch (IOException e) {
      return 1006;
    }
    throw new AssertionError("connection still open after " + timeout);
  }

  /** Sends a 1000 close frame and closes the socket. */
  @Override
  public void close() {
    if (!socket.isClosed()) {
      try {
        writeFrame(0x8, new byte[] {0x03, (byte) 0xE8});
      } catch (UncheckedIOException ignored) {
        // the peer is gone already
      }
      closeQuietly(socket);
    }
  }

  private void writeFrame(int opcode, byte[] payload) {
    try {
      ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
      frame.write(0x80 | opcode);
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else if (payload.length <= 0xFFFF) {
        frame.write(0x80 | 126);
        frame.write(payload.length >>> 8);
        frame.write(payload.length & 0xFF);
      } else {
        frame.write(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
          frame.write((int) (((long) payload.length >>> (8 * i)) & 0xFF));
        }
      }
      byte[] mask = new byte[4];
      RANDOM.nextBytes(mask);
      frame.write(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      synchronized (out) {
        out.write(frame.toByteArray());
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("send failed", e);
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed in a frame header");
    }
    return b;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed in the handshake response");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public String toString() {
    return "RawWebSocket(" + status + (server == null ? "" : ", server " + server) + ")";
  }
}
