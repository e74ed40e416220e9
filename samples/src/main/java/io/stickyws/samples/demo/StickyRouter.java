package io.stickyws.samples.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small sticky reverse proxy for the demo when HAProxy is not installed: it behaves like HAProxy's
 * {@code cookie SERVERID insert indirect} with {@code balance roundrobin} and {@code option redispatch}.
 * <ul>
 *   <li>A request whose {@code Cookie} names a known server ({@code SERVERID=s2}) goes to that server, with the
 *       {@code SERVERID} cookie removed from the request ({@code indirect}) and no new {@code Set-Cookie}.</li>
 *   <li>Any other request goes to the next server in round robin, and the response (the 101 of a WebSocket
 *       handshake) gets {@code Set-Cookie: SERVERID=<server>; path=/}.</li>
 *   <li>When the chosen server refuses the connection (it died), the request is redispatched to the next server and
 *       gets that server's cookie.</li>
 *   <li>After the response head, bytes are tunnelled both ways unchanged until either side closes: the WebSocket
 *       frames after the 101, or the rest of a plain HTTP exchange.</li>
 * </ul>
 * Loopback only, one thread per direction of each connection (daemon threads), for a handful of demo connections.
 *
 * <p>Instances are thread-safe.
 */
public final class StickyRouter implements AutoCloseable {
  /** The affinity cookie the router inserts. */
  public static final String COOKIE = "SERVERID";
  private static final int MAX_HEAD = 16 * 1024;

  private final Map<String, InetSocketAddress> servers;
  private final List<String> order;
  private final ServerSocket listener;
  private final ExecutorService threads;
  private final AtomicInteger next = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private StickyRouter(Map<String, InetSocketAddress> servers, ServerSocket listener) {
    this.servers = servers;
    this.order = List.copyOf(servers.keySet());
    this.listener = listener;
    AtomicInteger ids = new AtomicInteger();
    this.threads = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "sticky-router-" + ids.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts the router on a free loopback port in front of {@code servers} (server name to address, in round-robin
   * order).
   */
  public static StickyRouter start(Map<String, InetSocketAddress> servers) throws IOException {
    Objects.requireNonNull(servers, "servers == null");
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("servers must not be empty");
    }
    ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    StickyRouter router = new StickyRouter(new LinkedHashMap<>(servers), socket);
    router.threads.execute(router::acceptLoop);
    return router;
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return listener.getLocalPort();
  }

  /** {@code ws://127.0.0.1:<port><path>}. */
  public URI wsUri(String path) {
    return URI.create("ws://127.0.0.1:" + port() + path);
  }

  /** Stops accepting, closes every tunnelled connection and stops its threads (bounded). */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(this::closeQuietly);
    threads.shutdownNow();
    try {
      threads.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        open.add(client);
        threads.execute(() -> handle(client));
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void handle(Socket client) {
    Socket server = null;
    try {
      client.setTcpNoDelay(true);
      InputStream fromClient = client.getInputStream();
      String head = readHead(fromClient);
      if (head == null) {
        return;
      }
      List<String> lines = new ArrayList<>(List.of(head.split("\r\n")));
      String pinned = pinnedServer(lines);
      boolean insert = pinned == null;
      String chosen = pinned != null ? pinned : order.get(Math.floorMod(next.getAndIncrement(), order.size()));
      server = connect(chosen);
      for (int tries = 1; server == null && tries < order.size(); tries++) {
        insert = true; // redispatch: the pinned (or chosen) server refused, move the client and tell it
        chosen = order.get(Math.floorMod(next.getAndIncrement(), order.size()));
        server = connect(chosen);
      }
      if (server == null) {
        respond(client, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      open.add(server);
      OutputStream toServer = server.getOutputStream();
      toServer.write((String.join("\r\n", withoutAffinityCookie(lines)) + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      toServer.flush();
      InputStream fromServer = server.getInputStream();
      String responseHead = readHead(fromServer);
      if (responseHead == null) {
        respond(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      if (insert) {
        responseHead += "\r\nSet-Cookie: " + COOKIE + "=" + chosen + "; path=/";
      }
      OutputStream toClient = client.getOutputStream();
      toClient.write((responseHead + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      toClient.flush();
      Socket serverSocket = server;
      threads.execute(() -> pump(fromClient, serverSocket, client));
      pump(fromServer, client, serverSocket);
    } catch (IOException e) {
      // the client or the server went away: close both ends below
    } finally {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private String pinnedServer(List<String> lines) {
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Cookie")) {
        for (String pair : line.substring(colon + 1).split(";")) {
          String[] nameValue = pair.trim().split("=", 2);
          if (nameValue.length == 2 && nameValue[0].equals(COOKIE) && servers.containsKey(nameValue[1])) {
            return nameValue[1];
          }
        }
      }
    }
    return null;
  }

  /** {@code indirect}: the server never sees the router's cookie. */
  private static List<String> withoutAffinityCookie(List<String> lines) {
    List<String> out = new ArrayList<>();
    out.add(lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Cookie")) {
        List<String> kept = new ArrayList<>();
        for (String pair : line.substring(colon + 1).split(";")) {
          if (!pair.trim().startsWith(COOKIE + "=") && !pair.isBlank()) {
            kept.add(pair.trim());
          }
        }
        if (!kept.isEmpty()) {
          out.add("Cookie: " + String.join("; ", kept));
        }
      } else {
        out.add(line);
      }
    }
    return out;
  }

  private Socket connect(String name) {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(servers.get(name), 2000);
      return socket;
    } catch (IOException e) {
      closeQuietly(socket);
      return null;
    }
  }

  /** Reads up to the blank line ending an HTTP head; null on EOF before it. The body bytes stay in the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      last4 = (last4 << 8) | b;
      if (last4 == 0x0d0a0d0a) {
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
      }
    }
    throw new IOException("HTTP head larger than " + MAX_HEAD + " bytes");
  }

  private void pump(InputStream from, Socket to, Socket source) {
    byte[] buffer = new byte[8192];
    try {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = from.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(to);
      closeQuietly(source);
    }
  }

  private static void respond(Socket client, String response) throws IOException {
    client.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
    client.getOutputStream().flush();
  }

  private void closeQuietly(Socket socket) {
    if (socket != null) {
      open.remove(socket);
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  @Override
  public String toString() {
    return "StickyRouter{127.0.0.1:" + port() + ", servers=" + order + (closed ? ", closed" : "") + "}";
  }

}
