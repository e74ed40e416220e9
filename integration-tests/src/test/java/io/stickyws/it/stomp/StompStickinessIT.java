package io.stickyws.it.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.jakarta.JakartaTransport;
import io.stickyws.spring.StickyWebSocketClient;
import io.stickyws.testkit.Binaries;
import io.stickyws.testkit.ManagedProcess;
import io.stickyws.testkit.Ports;
import io.stickyws.testkit.Wait;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * The proof with a real STOMP server: three JVMs running Spring's STOMP simple broker on embedded Tomcat behind a
 * real HAProxy ({@code cookie SERVERID insert}, health checks, redispatch), and Spring's {@link WebSocketStompClient}
 * on {@link StickyWebSocketClient} (the Jakarta transport on Tomcat's client), reconnecting from its own
 * {@code StompSessionHandler} as Spring users write it.
 */
class StompStickinessIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  static Path dir;
  private static final Map<String, Integer> PORTS = new LinkedHashMap<>();
  private static final Map<String, ManagedProcess> BACKENDS = new LinkedHashMap<>();
  private static ManagedProcess haproxy;
  private static URI stompUri;

  private WsWebSocketContainer container;
  private StickySession session;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startBackendsAndHaproxy() throws Exception {
    for (String id : List.of("s1", "s2", "s3")) {
      PORTS.put(id, Ports.free());
      startBackend(id);
    }
    int port = Ports.free();
    StringBuilder cfg = new StringBuilder()
        .append("global\n  maxconn 512\n  log stdout format raw local0 info\n\n")
        .append("defaults\n  mode http\n  log global\n  option redispatch\n  retries 2\n")
        .append("  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  timeout tunnel 1h\n\n")
        .append("frontend fe\n  bind ").append(Ports.HOST).append(':').append(port)
        .append("\n  default_backend be\n\n")
        .append("backend be\n  balance leastconn\n  cookie SERVERID insert indirect nocache\n")
        .append("  option httpchk GET /health\n  http-check expect status 200\n");
    PORTS.forEach((id, p) -> cfg.append("  server ").append(id).append(' ').append(Ports.HOST).append(':').append(p)
        .append(" cookie ").append(id).append(" check inter 500ms fall 1 rise 1\n"));
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, cfg.toString(), StandardCharsets.UTF_8);
    haproxy = ManagedProcess.start("haproxy", List.of(Binaries.require(Binaries.HAPROXY, "haproxy").toString(),
        "-db", "-f", config.toString()), dir, Map.of(), dir.resolve("haproxy.log"), false);
    Wait.until(WAIT, "haproxy to listen", () -> Ports.accepting(port), () -> haproxy.logTail(20));
    stompUri = URI.create("ws://" + Ports.HOST + ":" + port + "/stomp");
  }

  private static void startBackend(String id) {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ManagedProcess backend = ManagedProcess.start("stomp backend " + id, List.of(Binaries.jdkTool("java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
        StompBackendMain.class.getName(), id, String.valueOf(PORTS.get(id))), dir, Map.of(),
        dir.resolve("backend-" + id + ".log"), true);
    BACKENDS.put(id, backend);
    Wait.until(Duration.ofSeconds(60), "STOMP backend " + id + " /health", () -> healthy(id),
        () -> backend.logTail(30));
  }

  private static boolean healthy(String id) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + Ports.HOST + ":" + PORTS.get(id) + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  @AfterAll
  static void stopEverything() {
    if (haproxy != null) {
      haproxy.stop(Duration.ofSeconds(5));
    }
    BACKENDS.values().forEach(b -> b.stop(Duration.ofSeconds(5)));
  }

  @BeforeEach
  void client() {
    container = new WsWebSocketContainer();
    session = StickySession.builder(JakartaTransport.create(container)).cookieJar(MemoryCookieJar.create()).build();
  }

  @AfterEach
  void closeClient() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    session.close();
    container.destroy();
    for (String id : PORTS.keySet()) {
      if (!BACKENDS.get(id).isAlive()) {
        startBackend(id);
      }
    }
  }

  @Test
  void twentyReconnectsLandOnOneBackendWhileThePlainClientSpreads() throws Exception {
    WebSocketStompClient plain = stompClient(new StandardWebSocketClient(container));
    Map<String, Integer> plainLandings = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      plainLandings.merge(whoServes(plain), 1, Integer::sum);
    }

    WebSocketStompClient sticky = stompClient(StickyWebSocketClient.builder(session).reconnect(false).build());
    Map<String, Integer> stickyLandings = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      stickyLandings.merge(whoServes(sticky), 1, Integer::sum);
    }

    System.out.println("STOMP landings: plain StandardWebSocketClient " + plainLandings + ", stickyws-spring "
        + stickyLandings);
    assertThat(plainLandings).as("StandardWebSocketClient spreads: %s", plainLandings).hasSizeGreaterThan(1);
    assertThat(stickyLandings).as("stickyws-spring stays: %s", stickyLandings).hasSize(1);
    assertThat(stickyLandings.values()).containsExactly(20);
  }

  @Test
  void stompHandlerReconnectsToALiveBackendWithChangedReportedAndResubscribes() throws Exception {
    List<SameBackend> landings = new CopyOnWriteArrayList<>();
    WebSocketStompClient stomp = stompClient(recordingLandings(
        StickyWebSocketClient.builder(session).reconnect(false).build(), landings));
    ReconnectingHandler handler = new ReconnectingHandler(stomp);
    toClose.add(handler);
    handler.connect();
    String first = handler.nextTick(null);
    assertThat(landings).containsExactly(SameBackend.UNKNOWN);

    BACKENDS.get(first).kill();
    String second = handler.nextTick(first);

    System.out.println("STOMP kill: " + first + " killed, re-subscribed on " + second + ", landings " + landings);
    assertThat(second).isNotEqualTo(first);
    // Each connectAsync is a new sticky connection; its first open is judged against the affinity cookie it sent
    // from the jar (the dead backend's), which the balancer replaced: CHANGED.
    assertThat(landings).as("landings %s", landings).hasSizeGreaterThanOrEqualTo(2);
    assertThat(landings.get(landings.size() - 1)).as("landings %s", landings).isEqualTo(SameBackend.CHANGED);
    assertThat(handler.subscriptions).as("subscribed again after the reconnect").isGreaterThanOrEqualTo(2);
  }

  @Test
  void whenStickywsReconnectsTheNewSessionSaysChanged() throws Exception {
    List<SameBackend> landings = new CopyOnWriteArrayList<>();
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocketHandler raw = new org.springframework.web.socket.handler.TextWebSocketHandler() {
      @Override
      public void afterConnectionEstablished(WebSocketSession s) throws Exception {
        landings.add((SameBackend) s.getAttributes().get(StickyWebSocketClient.SAME_BACKEND));
        s.sendMessage(new org.springframework.web.socket.TextMessage(
            "CONNECT\naccept-version:1.2\nhost:stickyws\n\n\u0000"));
        s.sendMessage(new org.springframework.web.socket.TextMessage(
            "SUBSCRIBE\nid:0\ndestination:/topic/ticks\n\n\u0000"));
      }

      @Override
      protected void handleTextMessage(WebSocketSession s, org.springframework.web.socket.TextMessage message) {
        String frame = message.getPayload();
        if (frame.startsWith("MESSAGE")) {
          frames.add(frame.substring(frame.indexOf("\n\n") + 2).replace("\u0000", ""));
        }
      }
    };
    StickyWebSocketClient.create(session).execute(raw, stompUri.toString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    String first = nextFrom(frames, null);

    BACKENDS.get(first).kill();
    String second = nextFrom(frames, first);

    System.out.println("stickyws reconnect: " + first + " killed, now on " + second + ", landings " + landings);
    assertThat(landings).first().isEqualTo(SameBackend.UNKNOWN);
    assertThat(landings.get(landings.size() - 1)).as("landings %s", landings).isEqualTo(SameBackend.CHANGED);
  }

  private static String nextFrom(BlockingQueue<String> queue, String not) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String tick = queue.poll(100, TimeUnit.MILLISECONDS);
      if (tick != null && !tick.equals(not)) {
        return tick;
      }
    }
    throw new AssertionError("no tick from a backend other than " + not + " within " + WAIT);
  }

  /** Connects, asks the backend who it is, disconnects. */
  private String whoServes(WebSocketStompClient stomp) throws Exception {
    StompSession stompSession = stomp.connectAsync(stompUri.toString(), new StompSessionHandlerAdapter() { })
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    try {
      String nonce = UUID.randomUUID().toString();
      CompletableFuture<String> answer = new CompletableFuture<>();
      stompSession.subscribe("/topic/whoami", frames(payload -> {
        if (payload.startsWith(nonce + " ")) {
          answer.complete(payload.substring(nonce.length() + 1));
        }
      }));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!answer.isDone() && System.nanoTime() < deadline) {
        stompSession.send("/app/whoami", nonce); // again until the subscription is in place (no receipts)
        try {
          return answer.get(200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // ask again
        }
      }
      return answer.getNow(null);
    } finally {
      stompSession.disconnect();
    }
  }

  private WebSocketStompClient stompClient(WebSocketClient webSocketClient) {
    WebSocketStompClient stomp = new WebSocketStompClient(webSocketClient);
    stomp.setMessageConverter(new StringMessageConverter());
    stomp.setAutoStartup(true);
    org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler scheduler =
        new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler();
    scheduler.setDaemon(true);
    scheduler.initialize();
    toClose.add(scheduler::shutdown);
    stomp.setTaskScheduler(scheduler); // receipts
    return stomp;
  }

  /** How an application reads the affinity outcome: the session attributes of each new WebSocketSession. */
  private static WebSocketClient recordingLandings(StickyWebSocketClient client, List<SameBackend> landings) {
    return new WebSocketClient() {
      @Override
      public CompletableFuture<WebSocketSession> execute(WebSocketHandler handler, String uriTemplate,
          Object... uriVariables) {
        return client.execute(decorate(handler), uriTemplate, uriVariables);
      }

      @Override
      public CompletableFuture<WebSocketSession> execute(WebSocketHandler handler, WebSocketHttpHeaders headers,
          URI uri) {
        return client.execute(decorate(handler), headers, uri);
      }

      private WebSocketHandler decorate(WebSocketHandler handler) {
        return new WebSocketHandlerDecorator(handler) {
          @Override
          public void afterConnectionEstablished(WebSocketSession s) throws Exception {
            landings.add((SameBackend) s.getAttributes().get(StickyWebSocketClient.SAME_BACKEND));
            super.afterConnectionEstablished(s);
          }
        };
      }
    };
  }

  private static StompFrameHandler frames(java.util.function.Consumer<String> payloads) {
    return new StompFrameHandler() {
      @Override
      public Type getPayloadType(StompHeaders headers) {
        return String.class;
      }

      @Override
      public void handleFrame(StompHeaders headers, Object payload) {
        payloads.accept((String) payload);
      }
    };
  }

  /** A StompSessionHandler as Spring users write it: subscribes on connect, reconnects itself after a loss. */
  private final class ReconnectingHandler extends StompSessionHandlerAdapter implements AutoCloseable {
    private final WebSocketStompClient stomp;
    private final BlockingQueue<String> ticks = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private volatile boolean closed;
    private volatile StompSession current;
    volatile int subscriptions;

    ReconnectingHandler(WebSocketStompClient stomp) {
      this.stomp = stomp;
    }

    void connect() {
      if (!closed) {
        stomp.connectAsync(stompUri.toString(), this).whenComplete((s, failure) -> {
          if (failure != null) {
            retryLater();
          }
        });
      }
    }

    private void retryLater() {
      if (!closed && retryScheduled.compareAndSet(false, true)) {
        retries.schedule(() -> {
          retryScheduled.set(false);
          connect();
        }, 200, TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void afterConnected(StompSession stompSession, StompHeaders connectedHeaders) {
      current = stompSession;
      stompSession.subscribe("/topic/ticks", frames(ticks::add));
      subscriptions++;
    }

    @Override
    public void handleTransportError(StompSession stompSession, Throwable exception) {
      if (!stompSession.isConnected()) {
        retryLater();
      }
    }

    /** The next tick from a backend other than {@code not} (bounded wait). */
    String nextTick(String not) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        String tick = ticks.poll(100, TimeUnit.MILLISECONDS);
        if (tick != null && !tick.equals(not)) {
          return tick;
        }
      }
      throw new AssertionError("no tick from a backend other than " + not + " within " + WAIT);
    }

    @Override
    public void close() {
      closed = true;
      retries.shutdownNow();
      StompSession s = current;
      if (s != null && s.isConnected()) {
        s.disconnect();
      }
    }
  }
}
