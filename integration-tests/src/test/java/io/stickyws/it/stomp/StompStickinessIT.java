package io.stickyws.it.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.StickySession;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.jakarta.JakartaTransport;
import io.stickyws.samples.examples.StompQuickStart;
import io.stickyws.samples.examples.StompQuickStart.ReconnectingStompHandler;
import io.stickyws.spring.StickyWebSocketClient;
import io.stickyws.testkit.Binaries;
import io.stickyws.testkit.ManagedProcess;
import io.stickyws.testkit.Ports;
import io.stickyws.testkit.Wait;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * The proof with a real STOMP server: three JVMs running Spring's STOMP simple broker on embedded Tomcat behind a
 * real HAProxy ({@code cookie SERVERID insert}, health checks, redispatch), and Spring's {@link WebSocketStompClient}
 * on {@link StickyWebSocketClient} (the Jakarta transport on Tomcat's client), reconnecting from its own
 * {@code StompSessionHandler} as Spring users write it. The client and the handler are the sample's
 * ({@code samples/.../examples/StompQuickStart}), so the sample shows exactly the code proven here.
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

    WebSocketStompClient sticky = stompClient(StompQuickStart.stickyClient(session, same -> { }));
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
    // the sample's client and handler (samples' StompQuickStart), as a Spring user writes them
    WebSocketStompClient stomp = stompClient(StompQuickStart.stickyClient(session, landings::add));
    BlockingQueue<String> ticks = new LinkedBlockingQueue<>();
    ReconnectingStompHandler handler = new ReconnectingStompHandler(stomp, stompUri, "/topic/ticks", ticks::add);
    toClose.add(handler);
    handler.connect();
    String first = nextFrom(ticks, null);
    assertThat(landings).containsExactly(SameBackend.UNKNOWN);

    BACKENDS.get(first).kill();
    String second = nextFrom(ticks, first);

    System.out.println("STOMP kill: " + first + " killed, re-subscribed on " + second + ", landings " + landings);
    assertThat(second).isNotEqualTo(first);
    // Each connectAsync is a new sticky connection; its first open is judged against the affinity cookie it sent
    // from the jar (the dead backend's), which the balancer replaced: CHANGED.
    assertThat(landings).as("landings %s", landings).hasSizeGreaterThanOrEqualTo(2);
    assertThat(landings.get(landings.size() - 1)).as("landings %s", landings).isEqualTo(SameBackend.CHANGED);
    assertThat(handler.subscriptions()).as("subscribed again after the reconnect").isGreaterThanOrEqualTo(2);
  }

  @Test
  void theSampleMainRunsAsWritten() throws Exception {
    Path workDir = Files.createDirectories(dir.resolve("stomp-quick-start"));
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ManagedProcess sample = ManagedProcess.start("StompQuickStart", List.of(Binaries.jdkTool("java").toString(),
        "-Xmx128m", "-cp", classpath, StompQuickStart.class.getName(), stompUri.toString()), workDir, Map.of(),
        workDir.resolve("out.log"), false);
    try {
      assertThat(sample.awaitExit(Duration.ofSeconds(30))).as("exited: %s", sample.logTail(20)).isTrue();
      assertThat(sample.exitCode()).as(sample.logTail(20)).isZero();
      List<String> out = Files.readAllLines(workDir.resolve("out.log"));
      assertThat(out).as(sample.logTail(20)).contains("landed, backend UNKNOWN")
          .anyMatch(l -> l.matches("first message: s[123]"));
      assertThat(workDir.resolve("cookies.txt")).as("the file jar keeps the affinity cookie").isNotEmptyFile();
    } finally {
      sample.stop(Duration.ofSeconds(5));
    }
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
      stompSession.subscribe("/topic/whoami", StompQuickStart.strings(payload -> {
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
}
