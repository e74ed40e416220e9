package io.stickyws.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.Message;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.OverflowPolicy;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.it.rig.RigExtension;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import io.stickyws.testing.Threads;
import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.HaproxyAdmin;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bounded chaos soak: {@value #DEFAULT_CONNECTIONS} connections (OkHttp, JDK and Java-WebSocket in turn) through
 * HAProxy to three backends, each sending numbered messages, while for {@code stickyws.soak.duration} (default 3
 * minutes) backends are killed with {@code kill -9} and restarted, HAProxy is reloaded with {@code -sf}, servers are
 * drained and readied at random (seed {@code stickyws.soak.seed}). Then every connection must be OPEN, the backends
 * must count exactly that many live WebSockets, every message must be accounted for, no client may have attempted
 * faster than the policy allows, and the DEBUG/TRACE log of io.stickyws must not contain any secret (every cookie value
 * the backends and HAProxy set, the Authorization value and the secret query parameter).
 */
class ChaosSoakIT {
  static final int DEFAULT_CONNECTIONS = 200;
  static final int CONNECTIONS = Integer.getInteger("stickyws.soak.connections", DEFAULT_CONNECTIONS);
  static final Duration DURATION = Duration.parse(System.getProperty("stickyws.soak.duration", "PT3M"));
  static final long SEED = Long.getLong("stickyws.soak.seed", 8L);
  static final Duration INITIAL_DELAY = Duration.ofMillis(200);
  static final Duration MAX_DELAY = Duration.ofSeconds(3);
  /** Scheduler slack we accept below the policy's minimum gap (timers never fire early; clocks differ a little). */
  static final Duration GAP_SLACK = Duration.ofMillis(5);
  static final Duration SEND_EVERY = Duration.ofMillis(1000);

  @RegisterExtension static final RigExtension RIG = new RigExtension();

  private final SecureRandom secrets = new SecureRandom();
  private final Map<String, List<Long>> attempts = new ConcurrentHashMap<>();

  @Test
  void survivesKillsReloadsAndDrainsWithNothingLostSilently() throws Exception {
    Map<String, String> appCookie = new HashMap<>();
    Map<String, String> serverCookie = new HashMap<>();
    for (String id : List.of("s1", "s2", "s3")) {
      appCookie.put(id, token("app"));
      serverCookie.put(id, token("srv"));
    }
    String querySecret = token("qry");
    String authSecret = token("auth");
    Backends backends = RIG.rig().backends(3, id -> List.of("APPSESSION=" + appCookie.get(id) + "; Path=/"));
    Haproxy haproxy = RIG.rig().haproxy(backends, b -> b.cookieValues(serverCookie::get)
        .hardStopAfter(Duration.ofSeconds(5)));
    List<String> secretValues = new ArrayList<>();
    secretValues.addAll(appCookie.values());
    secretValues.addAll(serverCookie.values());
    secretValues.add(querySecret);
    secretValues.add(authSecret);

    Random random = new Random(SEED);
    Map<String, Integer> actions = new LinkedHashMap<>();
    List<Client> clients = new ArrayList<>();
    Map<Adapter, StickySession> sessions = new EnumMap<>(Adapter.class);
    ScheduledExecutorService app = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "soak-app-sender");
      t.setDaemon(true);
      return t;
    });
    long chaosStart;
    try (LogCapture capture = LogCapture.stickyws()) {
      for (Adapter adapter : Adapter.values()) {
        sessions.put(adapter, StickySession.builder(new RecordingTransport(adapter.transport()))
            .reconnectPolicy(ReconnectPolicy.builder()
                .initialDelay(INITIAL_DELAY)
                .maxDelay(MAX_DELAY)
                .jitter(ReconnectPolicy.Jitter.DECORRELATED)
                .unlimitedAttempts()
                .noElapsedLimit()
                .build())
            .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(3))
            .handshakeTimeout(Duration.ofSeconds(5))
            .closeTimeout(Duration.ofSeconds(2))
            .outboundQueue(100_000, 64L * 1024 * 1024, OverflowPolicy.REJECT)
            .build());
      }
      for (int i = 0; i < CONNECTIONS; i++) {
        Adapter adapter = Adapter.values()[i % Adapter.values().length];
        Client client = new Client(i, adapter);
        URI uri = haproxy.wsUri("/ws?client=" + i + "&secret=" + querySecret);
        client.ws = sessions.get(adapter).connect(uri, Map.of("Authorization", List.of("Bearer " + authSecret)),
            client);
        clients.add(client);
      }
      await(Duration.ofSeconds(90), "every connection OPEN at start", () -> allOpen(clients),
          () -> states(clients));
      for (Client client : clients) {
        app.scheduleAtFixedRate(client::sendNext, random.nextInt((int) SEND_EVERY.toMillis()),
            SEND_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      }

      // ------------------------------------------------------------ chaos
      chaosStart = System.nanoTime();
      long end = chaosStart + DURATION.toNanos();
      Set<String> drained = new HashSet<>();
      while (System.nanoTime() < end) {
        pause(Duration.ofMillis(2000 + random.nextInt(4000)));
        List<Backend> alive = backends.all().stream().filter(Backend::isAlive).toList();
        List<Backend> dead = backends.all().stream().filter(b -> !b.isAlive()).toList();
        int action = random.nextInt(5);
        if (action == 1 && dead.isEmpty()) {
          action = 0;
        }
        if (action == 0 && alive.size() < 2) {
          action = 1;
        }
        switch (action) {
          case 0 -> {
            Backend victim = alive.get(random.nextInt(alive.size()));
            victim.kill();
            count(actions, "kill -9 backend");
          }
          case 1 -> {
            dead.get(random.nextInt(dead.size())).start();
            count(actions, "restart backend");
          }
          case 2 -> {
            haproxy.reload();
            drained.clear();
            count(actions, "haproxy reload -sf");
          }
          case 3 -> {
            String server = "s" + (1 + random.nextInt(3));
            haproxy.admin().setState(server, HaproxyAdmin.State.DRAIN);
            drained.add(server);
            count(actions, "drain server");
          }
          default -> {
            String server = drained.isEmpty() ? "s" + (1 + random.nextInt(3)) : drained.iterator().next();
            haproxy.admin().setState(server, HaproxyAdmin.State.READY);
            drained.remove(server);
            count(actions, "ready server");
          }
        }
      }
      long chaosMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - chaosStart);

      // ------------------------------------------------------------ settle
      long settleStart = System.nanoTime();
      backends.startStopped();
      for (String server : List.of("s1", "s2", "s3")) {
        haproxy.admin().setState(server, HaproxyAdmin.State.READY);
      }
      // old HAProxy processes keep their tunnels up to hard-stop-after (5 s) after a reload, then cut them: the
      // condition must hold for STABLE in a row, not once
      String settled = awaitStable(Duration.ofSeconds(150), "every connection OPEN and exactly " + CONNECTIONS
              + " WebSockets on the backends",
          () -> allOpen(clients) && liveOnBackends(backends) == CONNECTIONS,
          () -> states(clients) + " backends " + perBackend(backends));
      long settleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStart);
      assertThat(settled).as("settle").isEmpty();
      app.shutdown();
      assertThat(app.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      await(Duration.ofSeconds(30), "every message of the current connections echoed",
          () -> clients.stream().allMatch(Client::currentGenerationEchoed), () -> "");
      // still exactly CONNECTIONS and all OPEN (no late duplicates or half-open leftovers), checked again
      String finalState = awaitStable(Duration.ofSeconds(60), "every connection OPEN and exactly " + CONNECTIONS
              + " WebSockets on the backends, after the senders stopped",
          () -> allOpen(clients) && liveOnBackends(backends) == CONNECTIONS,
          () -> states(clients) + " backends " + perBackend(backends));
      Map<String, Integer> finalCounts = perBackend(backends);
      int finalLive = finalCounts.values().stream().mapToInt(Integer::intValue).sum();
      boolean finalAllOpen = allOpen(clients);

      // ------------------------------------------------------------ figures
      long sent = 0;
      long refused = 0;
      long dropped = 0;
      long echoed = 0;
      long unconfirmedReported = 0;
      long unconfirmedButEchoed = 0;
      long lostInFlight = 0;
      long lostSilently = 0;
      long duplicates = 0;
      long unknownEchoes = 0;
      long opens = 0;
      long disconnects = 0;
      long affinityChanges = 0;
      Map<Adapter, Confirmation> confirmation = new EnumMap<>(Adapter.class);
      for (Client c : clients) {
        synchronized (c) {
          confirmation.computeIfAbsent(c.adapter, a -> new Confirmation()).add(c);
          sent += c.sentGeneration.size();
          refused += c.refused.size();
          dropped += c.dropped.size();
          echoed += c.echoed.size();
          unconfirmedReported += c.unconfirmed.size();
          unconfirmedButEchoed += c.unconfirmed.stream().filter(c.echoed::contains).count();
          duplicates += c.duplicates;
          unknownEchoes += c.unknown;
          opens += c.opens;
          disconnects += c.disconnects;
          affinityChanges += c.affinityChanges;
          for (Map.Entry<Integer, Integer> e : c.sentGeneration.entrySet()) {
            if (c.echoed.contains(e.getKey()) || c.dropped.contains(e.getKey())
                || c.unconfirmed.contains(e.getKey())) {
              continue;
            }
            if (e.getValue() < c.generation) {
              lostInFlight++;
            } else {
              lostSilently++;
            }
          }
        }
      }
      AttemptFigures rate = attemptFigures();
      List<String> leaks = capture.linesContaining(secretValues);
      System.out.printf("SOAK seed %d, %d connections (OkHttp/JDK/Java-WebSocket in turn), chaos %d ms: %s%n",
          SEED, CONNECTIONS, chaosMs, actions);
      System.out.printf("SOAK settle %d ms %s; final: all OPEN %s, backends %s = %d live WebSockets%n",
          settleMs, finalState.isEmpty() ? "(stable " + STABLE.toSeconds() + " s)" : finalState, finalAllOpen,
          finalCounts, finalLive);
      System.out.printf("SOAK messages: accepted by send() %d, refused by send() %d, reported onDropped %d, echoed %d,"
              + " reported onUnconfirmed %d (of which echoed anyway %d), lost silently in flight on a connection that"
              + " then died %d, lost on a connection that never died %d, duplicate echoes %d, unknown echoes %d%n",
          sent, refused, dropped, echoed, unconfirmedReported, unconfirmedButEchoed, lostInFlight, lostSilently,
          duplicates, unknownEchoes);
      confirmation.forEach((adapter, figures) -> System.out.printf(
          "SOAK confirmation %s: accepted %d, reported onUnconfirmed %d, of which echoed anyway %d (%.2f%% of those"
              + " reported, %.2f%% of those accepted), disconnects %d%n", adapter, figures.sent, figures.reported,
          figures.echoedAnyway, 100.0 * figures.echoedAnyway / Math.max(1, figures.reported),
          100.0 * figures.echoedAnyway / Math.max(1, figures.sent), figures.disconnects));
      System.out.printf("SOAK connections: %d opens, %d disconnects, %d affinity changes; attempts %d, min gap between"
              + " two attempts of one client %d ms (policy minimum %d ms), max attempts of one client in 10 s %d%n",
          opens, disconnects, affinityChanges, rate.attempts, rate.minGapMs, INITIAL_DELAY.toMillis(),
          rate.maxIn10s);
      System.out.printf("SOAK log capture: %d events (%d DEBUG), secrets searched %d, hits %d%n",
          capture.events(), capture.debugEvents(), secretValues.size(), leaks.size());

      assertThat(finalState).as("final state").isEmpty();
      assertThat(finalAllOpen).as("every connection OPEN").isTrue();
      assertThat(finalLive).as("live WebSockets on the backends").isEqualTo(CONNECTIONS);
      assertThat(lostSilently).as("messages lost on a connection that never died").isZero();
      assertThat(lostInFlight).as("messages lost in flight and never reported (onDropped/onUnconfirmed)").isZero();
      // Issue 18: a message reported unconfirmed though the server read it is a false alarm. Measured: OkHttp 7.1 %
      // of its messages (94 % when OkHttp's pings confirmed nothing), JDK and Java-WebSocket 1.2-1.3 %.
      confirmation.forEach((adapter, figures) -> assertThat(100.0 * figures.echoedAnyway / Math.max(1, figures.sent))
          .as("%s: messages reported unconfirmed though echoed, %% of those accepted", adapter)
          .isLessThanOrEqualTo(adapter == Adapter.OKHTTP ? 20.0 : 5.0));
      assertThat(duplicates).as("duplicate echoes").isZero();
      assertThat(unknownEchoes).as("echoes of messages never sent").isZero();
      assertThat(sent + refused).as("messages the application tried").isGreaterThan(0);
      assertThat(rate.minGapMs).as("min gap between attempts of one client (ms)")
          .isGreaterThanOrEqualTo(INITIAL_DELAY.minus(GAP_SLACK).toMillis());
      assertThat(rate.maxIn10s).as("max attempts of one client in 10 s")
          .isLessThanOrEqualTo((int) (10_000 / INITIAL_DELAY.toMillis()) + 1);
      assertThat(capture.debugEvents()).as("DEBUG events captured").isGreaterThan(0);
      assertThat(leaks).as("log lines containing a secret").isEmpty();
    } finally {
      app.shutdownNow();
      sessions.values().forEach(StickySession::close);
    }
    Threads.assertNoStickywsThreads(Duration.ofSeconds(15));
  }

  /** Delivery confirmation figures of one adapter's clients. */
  static final class Confirmation {
    long sent;
    long reported;
    long echoedAnyway;
    long disconnects;

    void add(Client c) {
      sent += c.sentGeneration.size();
      reported += c.unconfirmed.size();
      echoedAnyway += c.unconfirmed.stream().filter(c.echoed::contains).count();
      disconnects += c.disconnects;
    }
  }

  // ---------------------------------------------------------------- client

  /** One application connection: numbered messages, and what became of each. Thread-safe (synchronized). */
  final class Client implements StickyWebSocketListener {
    final int id;
    final Adapter adapter;
    final String prefix;
    volatile StickyWebSocket ws;
    int next;
    /** Incremented on every disconnect: the connection a message was handed to. */
    int generation;
    final Map<Integer, Integer> sentGeneration = new HashMap<>();
    final Set<Integer> refused = new HashSet<>();
    final Set<Integer> dropped = new HashSet<>();
    final Set<Integer> unconfirmed = new HashSet<>();
    final Set<Integer> echoed = new HashSet<>();
    int duplicates;
    int unknown;
    int opens;
    int disconnects;
    int affinityChanges;

    Client(int id, Adapter adapter) {
      this.id = id;
      this.adapter = adapter;
      this.prefix = "m" + id + ":";
    }

    synchronized void sendNext() {
      int n = next++;
      if (ws.send(prefix + n)) {
        sentGeneration.put(n, generation);
      } else {
        refused.add(n);
      }
    }

    synchronized boolean currentGenerationEchoed() {
      for (Map.Entry<Integer, Integer> e : sentGeneration.entrySet()) {
        if (e.getValue() == generation && !echoed.contains(e.getKey()) && !dropped.contains(e.getKey())
            && !unconfirmed.contains(e.getKey())) {
          return false;
        }
      }
      return true;
    }

    @Override
    public synchronized void onOpen(StickyWebSocket webSocket, int attempt, AffinityToken affinity,
        SameBackend sameBackend) {
      opens++;
    }

    @Override
    public synchronized void onText(StickyWebSocket webSocket, String text) {
      if (!text.startsWith(prefix)) {
        return; // the backend's greeting
      }
      int n = Integer.parseInt(text.substring(prefix.length()));
      if (!sentGeneration.containsKey(n)) {
        unknown++;
      } else if (!echoed.add(n)) {
        duplicates++;
      }
    }

    @Override
    public synchronized void onDisconnected(StickyWebSocket webSocket, int code, String reason, Throwable cause,
        boolean willRetry, Duration nextDelay) {
      disconnects++;
      generation++;
    }

    @Override
    public synchronized void onAffinityChanged(StickyWebSocket webSocket, AffinityToken from, AffinityToken to) {
      affinityChanges++;
    }

    @Override
    public synchronized void onDropped(StickyWebSocket webSocket, Message message) {
      String text = message.text();
      dropped.add(Integer.parseInt(text.substring(prefix.length())));
    }

    @Override
    public synchronized void onUnconfirmed(StickyWebSocket webSocket, List<Message> messages) {
      for (Message message : messages) {
        unconfirmed.add(Integer.parseInt(message.text().substring(prefix.length())));
      }
    }
  }

  // ---------------------------------------------------------------- attempts

  /** Records the time of every handshake attempt per client (the client id is in the query). */
  final class RecordingTransport implements Transport {
    private final Transport delegate;

    RecordingTransport(Transport delegate) {
      this.delegate = delegate;
    }

    @Override
    public TransportConnection open(HandshakeRequest request, TransportListener listener) {
      String query = request.uri().getRawQuery();
      String client = query.substring(query.indexOf("client=") + 7, query.indexOf('&'));
      attempts.computeIfAbsent(client, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
      return delegate.open(request, listener);
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public boolean supportsPing() {
      return delegate.supportsPing();
    }

    @Override
    public boolean confirmsDelivery() {
      return delegate.confirmsDelivery();
    }
  }

  record AttemptFigures(long attempts, long minGapMs, int maxIn10s) {}

  private AttemptFigures attemptFigures() {
    long total = 0;
    long minGap = Long.MAX_VALUE;
    int maxIn10s = 0;
    for (List<Long> times : attempts.values()) {
      total += times.size();
      for (int i = 1; i < times.size(); i++) {
        minGap = Math.min(minGap, times.get(i) - times.get(i - 1));
      }
      int from = 0;
      for (int i = 0; i < times.size(); i++) {
        while (times.get(i) - times.get(from) > TimeUnit.SECONDS.toNanos(10)) {
          from++;
        }
        maxIn10s = Math.max(maxIn10s, i - from + 1);
      }
    }
    return new AttemptFigures(total, minGap == Long.MAX_VALUE ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(minGap),
        maxIn10s);
  }

  // ---------------------------------------------------------------- helpers

  private String token(String kind) {
    byte[] bytes = new byte[12];
    secrets.nextBytes(bytes);
    return kind + HexFormat.of().formatHex(bytes);
  }

  private static void count(Map<String, Integer> actions, String action) {
    actions.merge(action, 1, Integer::sum);
  }

  private static boolean allOpen(List<Client> clients) {
    return clients.stream().allMatch(c -> c.ws.state() == StickyWebSocket.State.OPEN);
  }

  private static String states(List<Client> clients) {
    Map<String, Integer> states = new LinkedHashMap<>();
    for (Client c : clients) {
      states.merge(c.adapter + " " + c.ws.state(), 1, Integer::sum);
    }
    return states.toString();
  }

  private static Map<String, Integer> perBackend(Backends backends) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Backend b : backends.all()) {
      try {
        counts.put(b.id(), b.isAlive() ? b.openWebSockets() : 0);
      } catch (RuntimeException e) {
        counts.put(b.id(), -1);
      }
    }
    return counts;
  }

  private static int liveOnBackends(Backends backends) {
    return perBackend(backends).values().stream().mapToInt(Integer::intValue).sum();
  }

  private static void await(Duration timeout, String what, BooleanSupplier condition,
      java.util.function.Supplier<String> diagnostics) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + timeout + " for " + what + ": " + diagnostics.get());
      }
      pause(Duration.ofMillis(200));
    }
  }

  static final Duration STABLE = Duration.ofSeconds(8);

  /** Waits until {@code condition} has held at every check for {@link #STABLE} in a row: "" or why not. */
  private static String awaitStable(Duration timeout, String what, BooleanSupplier condition,
      java.util.function.Supplier<String> diagnostics) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long since = -1;
    while (true) {
      long now = System.nanoTime();
      if (condition.getAsBoolean()) {
        if (since < 0) {
          since = now;
        } else if (now - since >= STABLE.toNanos()) {
          return "";
        }
      } else {
        since = -1;
      }
      if (now > deadline) {
        return "waited " + timeout + " for " + what + " to hold for " + STABLE + ": " + diagnostics.get();
      }
      pause(Duration.ofMillis(200));
    }
  }

  /** Paces the chaos; not a wait for a condition. */
  private static void pause(Duration duration) {
    try {
      new CountDownLatch(1).await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
