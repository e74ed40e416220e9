package io.stickyws.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * One WebSocket backend, run as its own JVM by {@link Backends} so that {@code kill -9} is real.
 *
 * <p>Arguments: {@code --id <id>} (required), {@code --port <port>} (0 = any), {@code --set-cookie <header value>}
 * (repeatable; added to the 101 and to plain GET answers). Prints {@code LISTENING <port>} once it serves, and exits
 * when its stdin reaches EOF (the parent JVM died).
 *
 * <p>HTTP: {@code GET /health} answers 200 {@code ok} (503 after {@code /admin/health?up=false});
 * {@code GET /admin/close?code=1012} closes every WebSocket with that code and answers how many;
 * {@code GET /admin/count} answers the number of open WebSockets; any other plain GET answers
 * {@code {"server":"<id>"}}. Any request with {@code Upgrade: websocket} becomes a WebSocket that first sends
 * {@code {"server":"<id>"}} and then echoes every text message.
 *
 * <p>Not instantiated; main runs once per process.
 */
public final class BackendMain {
  private BackendMain() {}

  /** Entry point, see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    String id = null;
    int port = 0;
    List<String> setCookies = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--id": id = args[++i]; break;
        case "--port": port = Integer.parseInt(args[++i]); break;
        case "--set-cookie": setCookies.add(args[++i]); break;
        default: throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (id == null) {
      throw new IllegalArgumentException("--id is required");
    }
    Logger.getLogger(MockWebServer.class.getName()).setLevel(Level.WARNING);
    Logger.getLogger("okhttp3").setLevel(Level.WARNING);

    Handler backend = new Handler(id, setCookies);
    MockWebServer server = startOnFixedPort(backend, port);
    // MockWebServer records every request: drain them so a long run does not grow the heap
    Thread drainer = new Thread(() -> {
      try {
        while (true) {
          server.takeRequest();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "request-drainer");
    drainer.setDaemon(true);
    drainer.start();
    System.out.println("LISTENING " + server.getPort());
    System.out.flush();

    // the parent keeps our stdin open; EOF means it is gone: do not outlive it
    InputStream in = System.in;
    while (in.read() != -1) {
      // ignore input
    }
    Runtime.getRuntime().halt(0);
  }

  /**
   * MockWebServer sets SO_REUSEADDR only for a fixed port, and the TIME_WAIT connections of a listener without it
   * block a later restart on the same port: so even the first start picks a port and binds it as a fixed one.
   */
  private static MockWebServer startOnFixedPort(Dispatcher dispatcher, int port) throws IOException {
    for (int attempt = 1; ; attempt++) {
      int chosen = port != 0 ? port : Ports.free();
      MockWebServer server = new MockWebServer();
      server.setDispatcher(dispatcher);
      try {
        server.start(InetAddress.getByName(Ports.HOST), chosen);
        return server;
      } catch (BindException e) {
        server.close();
        if (port != 0 || attempt >= 5) {
          throw e;
        }
      }
    }
  }

  private static final class Handler extends Dispatcher {
    private final String id;
    private final List<String> setCookies;
    private final Set<WebSocket> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean healthy = new AtomicBoolean(true);

    Handler(String id, List<String> setCookies) {
      this.id = id;
      this.setCookies = setCookies;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String upgrade = request.getHeaders().get("Upgrade");
      if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
        return withCookies(new MockResponse.Builder().webSocketUpgrade(new Listener())).build();
      }
      HttpUrl url = request.getUrl();
      switch (url.encodedPath()) {
        case "/health":
          return healthy.get() ? text(200, "ok") : text(503, "unhealthy");
        case "/admin/health":
          healthy.set(!"false".equals(url.queryParameter("up")));
          return text(200, String.valueOf(healthy.get()));
        case "/admin/count":
          return text(200, String.valueOf(open.size()));
        case "/admin/close": {
          String code = url.queryParameter("code");
          int closeCode = code == null ? 1001 : Integer.parseInt(code);
          int closed = 0;
          for (WebSocket webSocket : open) {
            if (webSocket.close(closeCode, "admin close")) {
              closed++;
            }
          }
          return text(200, String.valueOf(closed));
        }
        default:
          return withCookies(new MockResponse.Builder().code(200)
              .addHeader("Content-Type", "application/json")
              .body(greeting())).build();
      }
    }

    private MockResponse.Builder withCookies(MockResponse.Builder builder) {
      for (String cookie : setCookies) {
        builder.addHeader("Set-Cookie", cookie);
      }
      return builder;
    }

    private static MockResponse text(int code, String body) {
      return new MockResponse.Builder().code(code).addHeader("Content-Type", "text/plain").body(body).build();
    }

    private String greeting() {
      return "{\"server\":\"" + id + "\"}";
    }

    private final class Listener extends WebSocketListener {
      @Override
      public void onOpen(WebSocket webSocket, Response response) {
        open.add(webSocket);
        webSocket.send(greeting());
      }

      @Override
      public void onMessage(WebSocket webSocket, String text) {
        webSocket.send(text);
      }

      @Override
      public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(1000, null);
        open.remove(webSocket);
      }

      @Override
      public void onClosed(WebSocket webSocket, int code, String reason) {
        open.remove(webSocket);
      }

      @Override
      public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        open.remove(webSocket);
      }
    }
  }
}
