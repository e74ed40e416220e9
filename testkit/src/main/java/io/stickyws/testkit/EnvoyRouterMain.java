package io.stickyws.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An emulation of Envoy's stateful session filter with {@code envoy.http.stateful_session.cookie}, run as its own JVM
 * by {@link EnvoyRouter} in front of backend processes (Envoy itself cannot be installed on the lab machines).
 *
 * <p>What it does, as Envoy does: every request (WebSocket upgrades included) is routed to the host whose address the
 * cookie {@code --cookie <name>} encodes, when that host is known, not draining and accepts the connection; otherwise
 * it picks a host (least active connections, ties round robin, as {@code LEAST_REQUEST}) and adds
 * {@code Set-Cookie: <name>="<base64>"; Max-Age=<ttl>; Path=/; HttpOnly} to the response, the value encoding the host
 * address like Envoy's {@code Utility::makeSetCookieValue}. When the request's cookie already named the chosen host,
 * nothing is set. With {@code --strict} (Envoy's {@code StatefulSession.strict}) a cookie naming a host that is down or
 * draining is answered {@code 503 no healthy upstream} instead of another host.
 *
 * <p>With {@code --header <name>} instead of {@code --cookie}, it emulates {@code envoy.http.stateful_session.header}:
 * the request header {@code <name>} holds base64 of the host address, and the response gets
 * {@code <name>: <base64>} when the router picked another host than the header named.
 *
 * <p>Value encodings: {@code proto} (default; Envoy 1.32+ with the {@code stateful_session_encode_ttl_in_cookie}
 * runtime guard on: base64 of the protobuf message {@code address = 1, expires = 2}, the expiry in seconds of this
 * process's monotonic clock, only when a TTL is set) or {@code plain} (older Envoy: base64 of {@code host:port}).
 *
 * <p>Arguments: {@code --port <port>} (0 = any), {@code --cookie <name>} (required), {@code --upstream <host:port>}
 * (repeatable, at least one), {@code --ttl <seconds>} (0 = session cookie), {@code --encoding proto|plain},
 * {@code --strict}. Prints {@code LISTENING <port>} once it serves and exits when its stdin reaches EOF. Admin:
 * {@code GET /__router/drain?upstream=<host:port>} and {@code /__router/ready?upstream=<host:port>} (Envoy's draining
 * host: not chosen, its cookie not honoured). It logs routing decisions, never cookie values.
 *
 * <p>Not instantiated; main runs once per process.
 */
public final class EnvoyRouterMain {
  private static final int MAX_HEAD = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 1000;
  private static final int HEAD_TIMEOUT_MILLIS = 10_000;

  private final String cookieName;
  private final String headerName;
  private final List<String> upstreams;
  private final long ttlSeconds;
  private final boolean proto;
  private final boolean strict;
  private final Set<String> draining = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final AtomicInteger turn = new AtomicInteger();

  private EnvoyRouterMain(String cookieName, String headerName, List<String> upstreams, long ttlSeconds,
      boolean proto, boolean strict) {
    this.cookieName = cookieName;
    this.headerName = headerName;
    this.upstreams = List.copyOf(upstreams);
    this.ttlSeconds = ttlSeconds;
    this.proto = proto;
    this.strict = strict;
    upstreams.forEach(u -> active.put(u, new AtomicInteger()));
  }

  /** Entry point, see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    int port = 0;
    String cookie = null;
    String header = null;
    List<String> upstreams = new ArrayList<>();
    long ttl = 0;
    boolean proto = true;
    boolean strict = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port": port = Integer.parseInt(args[++i]); break;
        case "--cookie": cookie = args[++i]; break;
        case "--header": header = args[++i]; break;
        case "--upstream": upstreams.add(args[++i]); break;
        case "--ttl": ttl = Long.parseLong(args[++i]); break;
        case "--encoding": proto = encoding(args[++i]); break;
        case "--strict": strict = true; break;
        default: throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if ((cookie == null) == (header == null)) {
      throw new IllegalArgumentException("exactly one of --cookie and --header is required");
    }
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException("at least one --upstream is required");
    }
    EnvoyRouterMain router = new EnvoyRouterMain(cookie, header, upstreams, ttl, proto, strict);
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(Ports.HOST), port), 128);
    Thread acceptor = new Thread(() -> router.accept(server), "router-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    System.out.println("LISTENING " + server.getLocalPort());
    System.out.flush();
    InputStream in = System.in;
    while (in.read() != -1) {
      // the parent keeps our stdin open; EOF means it is gone
    }
    Runtime.getRuntime().halt(0);
  }

  private static boolean encoding(String name) {
    switch (name) {
      case "proto": return true;
      case "plain": return false;
      default: throw new IllegalArgumentException("--encoding (" + name + ") must be proto or plain");
    }
  }

  private void accept(ServerSocket server) {
    while (true) {
      try {
        Socket client = server.accept();
        Thread handler = new Thread(() -> handle(client), "router-conn");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        log("accept failed: " + e);
        return;
      }
    }
  }

  private void handle(Socket client) {
    String chosen = null;
    try (client) {
      client.setSoTimeout(HEAD_TIMEOUT_MILLIS);
      Head request = Head.read(client.getInputStream());
      if (request == null) {
        return;
      }
      String target = request.target();
      if (target.startsWith("/__router/")) {
        admin(target, client.getOutputStream());
        return;
      }
      String pinned = pinnedAddress(request);
      Socket upstream = null;
      boolean setCookie;
      if (pinned != null && !draining.contains(pinned)) {
        upstream = connect(pinned);
      }
      if (upstream != null) {
        chosen = pinned;
        setCookie = false;
        log("cookie honoured -> " + chosen);
      } else if (pinned != null && strict) {
        log("strict: pinned host " + pinned + " unavailable -> 503");
        respond(client.getOutputStream(), "503 Service Unavailable", "no healthy upstream");
        return;
      } else {
        for (String candidate : candidates()) {
          upstream = connect(candidate);
          if (upstream != null) {
            chosen = candidate;
            break;
          }
        }
        if (upstream == null) {
          log("no upstream accepts -> 503");
          respond(client.getOutputStream(), "503 Service Unavailable", "no healthy upstream");
          return;
        }
        setCookie = true;
        log((pinned == null ? "no cookie" : "pinned host " + pinned + " unavailable") + " -> " + chosen);
      }
      active.get(chosen).incrementAndGet();
      try (Socket up = upstream) {
        client.setSoTimeout(0);
        up.getOutputStream().write(request.bytes);
        up.getOutputStream().write(request.rest);
        up.getOutputStream().flush();
        up.setSoTimeout(HEAD_TIMEOUT_MILLIS);
        Head response = Head.read(up.getInputStream());
        if (response == null) {
          respond(client.getOutputStream(), "502 Bad Gateway", "upstream closed before its response");
          return;
        }
        up.setSoTimeout(0);
        OutputStream out = client.getOutputStream();
        byte[] head = response.bytes;
        if (setCookie && headerName != null) {
          head = response.withHeader(headerName, base64(chosen.getBytes(StandardCharsets.US_ASCII)));
        } else if (setCookie) {
          head = response.withHeader("Set-Cookie", setCookieValue(chosen));
        }
        out.write(head);
        out.write(response.rest);
        out.flush();
        pipe(client, up);
      }
    } catch (IOException e) {
      log("connection ended: " + e.getClass().getSimpleName());
    } finally {
      if (chosen != null) {
        active.get(chosen).decrementAndGet();
      }
    }
  }

  /** Copies upstream to client on a second thread and client to upstream here; either end closing ends both. */
  private static void pipe(Socket client, Socket upstream) throws IOException {
    Thread back = new Thread(() -> {
      copy(upstream, client);
    }, "router-pipe");
    back.setDaemon(true);
    back.start();
    copy(client, upstream);
    try {
      back.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void copy(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the other side ended
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Upstreams not draining, least active connections first, ties in round-robin order. */
  private List<String> candidates() {
    List<String> live = new ArrayList<>();
    int start = Math.floorMod(turn.getAndIncrement(), upstreams.size());
    for (int i = 0; i < upstreams.size(); i++) {
      String u = upstreams.get((start + i) % upstreams.size());
      if (!draining.contains(u)) {
        live.add(u);
      }
    }
    live.sort((a, b) -> Integer.compare(active.get(a).get(), active.get(b).get()));
    return live;
  }

  private static Socket connect(String address) {
    int colon = address.lastIndexOf(':');
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1))), CONNECT_TIMEOUT_MILLIS);
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      return null;
    }
  }

  /** The known upstream the request's cookie names, or null (no cookie, undecodable, unknown address). */
  private String pinnedAddress(Head request) {
    if (headerName != null) {
      List<String> values = request.values(headerName.toLowerCase(Locale.ROOT));
      String address = values.isEmpty() ? null : decode(values.get(0));
      return address != null && upstreams.contains(address) ? address : null;
    }
    for (String header : request.values("cookie")) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq < 0 || !pair.substring(0, eq).trim().equals(cookieName)) {
          continue;
        }
        String value = pair.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        String address = decode(value);
        return address != null && upstreams.contains(address) ? address : null;
      }
    }
    return null;
  }

  /** Envoy's reading: the protobuf message when it parses, otherwise the older plain form. */
  private static String decode(String value) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length > 2 && bytes[0] == 0x0a && (bytes[1] & 0xff) <= bytes.length - 2) {
      return new String(bytes, 2, bytes[1] & 0xff, StandardCharsets.US_ASCII);
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private String setCookieValue(String address) {
    byte[] encoded;
    if (proto) {
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      byte[] ascii = address.getBytes(StandardCharsets.US_ASCII);
      message.write(0x0a);
      message.write(ascii.length);
      message.writeBytes(ascii);
      if (ttlSeconds > 0) {
        message.write(0x10);
        long expires = System.nanoTime() / 1_000_000_000L + ttlSeconds;
        while ((expires & ~0x7fL) != 0) {
          message.write((int) ((expires & 0x7f) | 0x80));
          expires >>>= 7;
        }
        message.write((int) expires);
      }
      encoded = message.toByteArray();
    } else {
      encoded = address.getBytes(StandardCharsets.US_ASCII);
    }
    StringBuilder cookie = new StringBuilder(cookieName).append("=\"").append(base64(encoded)).append('"');
    if (ttlSeconds > 0) {
      cookie.append("; Max-Age=").append(ttlSeconds);
    }
    return cookie.append("; Path=/; HttpOnly").toString();
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private void admin(String target, OutputStream out) throws IOException {
    int q = target.indexOf("?upstream=");
    String upstream = q < 0 ? "" : target.substring(q + "?upstream=".length());
    String path = q < 0 ? target : target.substring(0, q);
    if (!upstreams.contains(upstream)) {
      respond(out, "404 Not Found", "unknown upstream " + upstream);
      return;
    }
    if (path.equals("/__router/drain")) {
      draining.add(upstream);
    } else if (path.equals("/__router/ready")) {
      draining.remove(upstream);
    } else {
      respond(out, "404 Not Found", "unknown admin path " + path);
      return;
    }
    log(path.substring("/__router/".length()) + " " + upstream);
    respond(out, "200 OK", "ok");
  }

  private static void respond(OutputStream out, String status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + "\r\ncontent-type: text/plain\r\ncontent-length: " + bytes.length
        + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  private static void log(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** An HTTP/1.1 message head (start line and headers, up to the blank line) and the bytes read after it. */
  private static final class Head {
    final byte[] bytes;
    final byte[] rest;
    final String text;

    private Head(byte[] bytes, byte[] rest) {
      this.bytes = bytes;
      this.rest = rest;
      this.text = new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Reads up to and including the first CRLFCRLF; null on EOF before it. */
    static Head read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      while (head.size() < MAX_HEAD) {
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          return null;
        }
        if (n < 0) {
          return null;
        }
        head.write(buffer, 0, n);
        byte[] all = head.toByteArray();
        int end = indexOfBlankLine(all);
        if (end >= 0) {
          byte[] rest = new byte[all.length - end];
          System.arraycopy(all, end, rest, 0, rest.length);
          byte[] bytes = new byte[end];
          System.arraycopy(all, 0, bytes, 0, end);
          return new Head(bytes, rest);
        }
      }
      throw new IOException("message head larger than " + MAX_HEAD + " bytes");
    }

    private static int indexOfBlankLine(byte[] b) {
      for (int i = 3; i < b.length; i++) {
        if (b[i - 3] == '\r' && b[i - 2] == '\n' && b[i - 1] == '\r' && b[i] == '\n') {
          return i + 1;
        }
      }
      return -1;
    }

    String target() {
      String first = text.substring(0, text.indexOf("\r\n"));
      String[] parts = first.split(" ");
      return parts.length > 1 ? parts[1] : "";
    }

    List<String> values(String name) {
      List<String> values = new ArrayList<>();
      for (String line : text.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
          values.add(line.substring(colon + 1).trim());
        }
      }
      return values;
    }

    /** The head with one more header line before the blank line. */
    byte[] withHeader(String name, String value) {
      String withoutBlank = text.substring(0, text.length() - 2);
      return (withoutBlank + name + ": " + value + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
