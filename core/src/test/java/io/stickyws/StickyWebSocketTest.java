package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import io.stickyws.testing.FakeTransport;
import io.stickyws.testing.FakeTransport.FakeConnection;
import io.stickyws.testing.ManualScheduler;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.RecordingObserver;
import io.stickyws.testing.Threads;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class StickyWebSocketTest {
  private static final URI URI_WS = URI.create("ws://app.example.com/ws");

  private final ManualScheduler scheduler = new ManualScheduler();
  private final FakeTransport transport = new FakeTransport();
  private final RecordingListener listener = new RecordingListener();
  private MemoryCookieJar jar;
  private ReconnectPolicy policy =
      ReconnectPolicy.builder()
          .initialDelay(Duration.ofSeconds(1))
          .maxDelay(Duration.ofSeconds(8))
          .jitter(ReconnectPolicy.Jitter.NONE)
          .build();
  private AffinityRules affinity = AffinityRules.defaults();
  private StickySession session;

  @BeforeEach
  void setUp() {
    jar = MemoryCookieJar.builder().clock(scheduler.clock()).build();
  }

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
    Logger logger = (Logger) LoggerFactory.getLogger(StickyWebSocket.class);
    logger.detachAndStopAllAppenders();
    logger.setLevel(null);
  }

  private StickySession.Builder sessionBuilder() {
    return StickySession.builder(transport)
        .cookieJar(jar)
        .reconnectPolicy(policy)
        .affinity(affinity)
        .scheduler(scheduler)
        .clock(scheduler.clock())
        .random(new SplittableRandom(42))
        .noHeartbeat();
  }

  private StickyWebSocket connect() {
    return connect(sessionBuilder());
  }

  private StickyWebSocket connect(StickySession.Builder builder) {
    session = builder.build();
    StickyWebSocket ws = session.connect(URI_WS, listener);
    scheduler.runDue();
    return ws;
  }

  @Test
  void opensAndDeliversMessagesInOrder() {
    StickyWebSocket ws = connect();
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CONNECTING);
    FakeConnection c = transport.last();
    assertThat(c.request.uri()).isEqualTo(URI_WS);

    c.open();
    c.receive("one");
    c.receive("two");

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.OPEN);
    assertThat(listener.events()).containsExactly("open 1 UNKNOWN", "text one", "text two");
    assertThat(ws.send("hello")).isTrue();
    assertThat(c.sentTexts()).containsExactly("hello");
  }

  @Test
  void replaysAffinityCookieOnReconnect() {
    StickyWebSocket ws = connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    assertThat(ws.affinity()).map(AffinityToken::name).contains("SERVERID");

    transport.last().drop();
    assertThat(listener.events()).contains("disconnected 1006 retry 1000ms", "reconnecting 1 1000ms");
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(transport.attempts()).isEqualTo(2);
    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend1");
    transport.last().open();
    assertThat(listener.events("open")).containsExactly("open 1 UNKNOWN", "open 1 SAME");
  }

  @Test
  void keepsTheTokenWhenTheJarIsCleared() {
    CountingJar counting = new CountingJar();
    connect(sessionBuilder().cookieJar(counting));
    // the application's own jar is called on a stickyws-jar thread, not on the scheduler
    Threads.awaitCondition(() -> transport.attempts() == 1, Duration.ofSeconds(5));
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    counting.cleared = true;

    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    Threads.awaitCondition(() -> transport.attempts() == 2, Duration.ofSeconds(5));

    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend1");
  }

  @Test
  void neverReplaysAnAffinityCookieThatExpired() {
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; Max-Age=1; path=/");
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(transport.attempts()).isEqualTo(2);
    assertThat(transport.last().cookieHeader()).isNull();
  }

  @Test
  void reportsChangedAndFiresAffinityChangedWhenTheBalancerMovesTheClient() {
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open("Set-Cookie", "SERVERID=backend2; path=/");

    assertThat(listener.events()).containsSubsequence("open 1 CHANGED", "affinityChanged");
    AffinityToken[] change = (AffinityToken[]) listener.lastDetail("affinityChanged");
    assertThat(change[0].fingerprint()).isNotEqualTo(change[1].fingerprint());
    assertThat(listener.events("affinityChanged")).hasSize(1);

    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend2");
  }

  @Test
  void dropsAffinityAfterConsecutiveFailedAttempts() {
    affinity = AffinityRules.builder().dropAfterFailures(3).build();
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().drop();

    for (int i = 0; i < 3; i++) {
      scheduler.advance(Duration.ofSeconds(10));
      assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend1");
      transport.last().refuse(502);
    }
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(transport.last().cookieHeader()).isNull();
    assertThat(jar.loadForRequest(URI_WS)).isEmpty();
    transport.last().open("Set-Cookie", "SERVERID=backend2; path=/");
    assertThat(listener.events()).contains("open 4 CHANGED", "affinityChanged");
  }

  @Test
  void keepsAffinityWhileTheBalancerItselfIsUnreachable() {
    affinity = AffinityRules.builder().dropAfterFailures(3).build();
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().drop();
    for (int i = 0; i < 6; i++) {
      scheduler.advance(Duration.ofSeconds(10));
      transport.last().drop();
    }
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend1");
    transport.last().open();
    assertThat(listener.events("open")).last().isEqualTo("open 7 SAME");
  }

  @Test
  void dropsAnAffinityCookieThatAnErrorResponseKeepsPinning() {
    affinity = AffinityRules.builder().dropAfterFailures(2).build();
    connect();
    transport.last().refuse(502, "Set-Cookie", "lb=deadbeef; path=/");
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(transport.last().cookieHeader()).isEqualTo("lb=deadbeef");
    transport.last().refuse(502);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(transport.last().cookieHeader()).isEqualTo("lb=deadbeef");
    transport.last().refuse(502);
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(transport.last().cookieHeader()).isNull();
    assertThat(jar.loadForRequest(URI_WS)).isEmpty();
  }

  @Test
  void countsHandshakeTimeoutsTowardDroppingAffinity() {
    affinity = AffinityRules.builder().dropAfterFailures(2).build();
    connect(sessionBuilder().handshakeTimeout(Duration.ofSeconds(1)));
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    scheduler.advance(Duration.ofSeconds(1));
    scheduler.advance(Duration.ofSeconds(2));
    scheduler.advance(Duration.ofSeconds(1));
    scheduler.advance(Duration.ofSeconds(4));

    assertThat(listener.events("disconnected")).hasSize(3);
    assertThat(transport.attempts()).isEqualTo(4);
    assertThat(transport.last().cookieHeader()).isNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {1001, 1012, 1013})
  void dropsAffinityWhenTheBackendIsGoingAway(int code) {
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().serverClose(code, "restart");
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(transport.last().cookieHeader()).isNull();
    assertThat(listener.events()).contains("disconnected " + code + " retry 1000ms");
  }

  @Test
  void keepsAffinityWhenDropOnCloseCodesIsEmpty() {
    affinity = AffinityRules.builder().dropOnCloseCodes().build();
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().serverClose(1012, "restart");
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend1");
  }

  @Test
  void keepsAffinityOnAnAbnormalDrop() {
    connect();
    transport.last().open("Set-Cookie", "SERVERID=backend1; path=/");
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=backend1");
  }

  @Test
  void honoursRetryAfterOn503() {
    connect();
    transport.last().refuse(503, "Retry-After", "7");

    assertThat(listener.events()).contains("reconnecting 2 7000ms");
    scheduler.advance(Duration.ofMillis(6999));
    assertThat(transport.attempts()).isEqualTo(1);
    scheduler.advance(Duration.ofMillis(1));
    assertThat(transport.attempts()).isEqualTo(2);
  }

  @Test
  void reportsTheHandshakeStatusInTheCause() {
    connect();
    transport.last().refuse(503);

    assertThat(listener.lastDetail("disconnected"))
        .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  @Test
  void givesUpOn401WithExactlyOneTerminalCallback() {
    StickyWebSocket ws = connect();
    transport.last().refuse(401);
    scheduler.advance(Duration.ofMinutes(5));

    assertThat(transport.attempts()).isEqualTo(1);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).containsExactly("disconnected 1006 final", "gaveUp 1");
    assertThat(ws.send("late")).isFalse();
    ws.close();
    assertThat(listener.events()).hasSize(2);
  }

  @Test
  void givesUpOnPolicyViolationClose() {
    StickyWebSocket ws = connect();
    transport.last().open();
    transport.last().serverClose(1008, "policy");

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).endsWith("disconnected 1008 final", "gaveUp 1");
  }

  @Test
  void givesUpWhenMaxAttemptsAreSpent() {
    policy = policy.newBuilder().maxAttempts(3).build();
    StickyWebSocket ws = connect();
    for (int i = 0; i < 3; i++) {
      transport.last().drop();
      scheduler.advance(Duration.ofSeconds(10));
    }

    assertThat(transport.attempts()).isEqualTo(3);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).endsWith("gaveUp 3");
  }

  @Test
  void backsOffExponentiallyAndResetsAfterAStableConnection() {
    connect();
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(2));
    transport.last().drop();
    assertThat(listener.events("reconnecting"))
        .containsExactly("reconnecting 2 1000ms", "reconnecting 3 2000ms", "reconnecting 4 4000ms");

    scheduler.advance(Duration.ofSeconds(4));
    transport.last().open();
    scheduler.advance(policy.resetAfter());
    transport.last().drop();

    assertThat(listener.events("reconnecting")).last().isEqualTo("reconnecting 1 1000ms");
  }

  @Test
  void continuesTheBackoffWhenAConnectionDropsSoonAfterOpening() {
    connect();
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open();
    transport.last().drop();

    // issue 13: the numbering continues with the delay (it said "reconnecting 1 2000ms")
    assertThat(listener.events("reconnecting")).last().isEqualTo("reconnecting 3 2000ms");
  }

  @Test
  void queuesWhileNotOpenAndFlushesInOrderBeforeOnOpen() {
    StickyWebSocket ws = connect();
    assertThat(ws.send("a")).isTrue();
    assertThat(ws.send(ByteBuffer.wrap(new byte[] {1, 2}))).isTrue();
    assertThat(ws.send("c")).isTrue();
    assertThat(ws.queuedMessages()).isEqualTo(3);

    transport.last().open();

    assertThat(transport.last().sent).hasSize(3);
    assertThat(transport.last().sent.get(0)).isEqualTo("a");
    assertThat(transport.last().sent.get(1)).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
    assertThat(transport.last().sent.get(2)).isEqualTo("c");
    assertThat(ws.queuedMessages()).isZero();
  }

  @Test
  void queuesAcrossAReconnectAndFlushesInOrder() {
    StickyWebSocket ws = connect();
    transport.last().open();
    ws.send("1");
    transport.last().drop();
    ws.send("2");
    ws.send("3");
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open();
    ws.send("4");

    assertThat(transport.last().sentTexts()).containsExactly("2", "3", "4");
  }

  @Test
  void reportsMessagesNoPongConfirmedWhenTheConnectionDrops() {
    StickyWebSocket ws = connect();
    transport.last().open();
    ws.send("a");
    ws.send("b");
    transport.last().drop();

    assertThat(listener.events()).contains("unconfirmed [a, b]");
  }

  @Test
  void aPongConfirmsEverythingSentBeforeItsPing() {
    StickyWebSocket ws = connect();
    FakeConnection c = transport.last().open();
    ws.send("a");
    scheduler.advance(Duration.ofMillis(200));
    assertThat(c.pings).hasSize(1);
    ws.send("b");
    c.pongLatest();
    c.drop();

    assertThat(listener.events()).contains("unconfirmed [b]");
  }

  @Test
  void reportsNothingWhenEveryMessageWasConfirmed() {
    StickyWebSocket ws = connect();
    FakeConnection c = transport.last().open();
    ws.send("a");
    scheduler.advance(Duration.ofMillis(200));
    c.pongLatest();
    c.drop();

    assertThat(listener.events("unconfirmed")).isEmpty();
  }

  @Test
  void resendsUnconfirmedMessagesFirstWhenAskedTo() {
    StickyWebSocket ws = connect(sessionBuilder().resendUnconfirmed(true));
    transport.last().open();
    ws.send("a");
    ws.send("b");
    transport.last().drop();
    ws.send("c");
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open();

    assertThat(transport.last().sentTexts()).containsExactly("a", "b", "c");
    assertThat(listener.events("unconfirmed")).isEmpty();
  }

  @Test
  void reportsResentMessagesAsDroppedWhenThePolicyGivesUp() {
    StickyWebSocket ws = connect(sessionBuilder().resendUnconfirmed(true));
    transport.last().open();
    ws.send("a");
    transport.last().serverClose(1008, "policy");

    assertThat(listener.events()).containsSubsequence("dropped a", "gaveUp 1");
  }

  @Test
  void reportsNothingUnconfirmedAfterTheApplicationCloses() {
    StickyWebSocket ws = connect();
    FakeConnection c = transport.last().open();
    ws.send("a");
    ws.close();
    c.closeCompleted();

    assertThat(listener.events()).containsExactly("open 1 UNKNOWN", "closed 1000");
  }

  @Test
  void rejectsWhenTheQueueIsFull() {
    StickyWebSocket ws = connect(sessionBuilder().outboundQueue(2, 1000, OverflowPolicy.REJECT));
    assertThat(ws.send("a")).isTrue();
    assertThat(ws.send("b")).isTrue();
    assertThat(ws.send("c")).isFalse();

    transport.last().open();
    assertThat(transport.last().sentTexts()).containsExactly("a", "b");
  }

  @Test
  void rejectsByBytes() {
    StickyWebSocket ws = connect(sessionBuilder().outboundQueue(100, 5, OverflowPolicy.REJECT));
    assertThat(ws.send("abc")).isTrue();
    assertThat(ws.send("def")).isFalse();
    assertThat(ws.send("\u00e9\u00e9\u00e9")).isFalse();
    assertThat(ws.send("de")).isTrue();
  }

  @Test
  void dropsTheOldestAndReportsIt() {
    StickyWebSocket ws = connect(sessionBuilder().outboundQueue(2, 1000, OverflowPolicy.DROP_OLDEST));
    ws.send("a");
    ws.send("b");
    assertThat(ws.send("c")).isTrue();
    scheduler.runDue();

    assertThat(listener.events()).containsExactly("dropped a");
    transport.last().open();
    assertThat(transport.last().sentTexts()).containsExactly("b", "c");
  }

  @Test
  void heartbeatTimeoutAbortsAndReconnects() {
    StickyWebSocket ws =
        connect(sessionBuilder().heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    FakeConnection first = transport.last().open();

    scheduler.advance(Duration.ofSeconds(2));
    assertThat(first.pings).hasSize(1);
    first.pong();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(first.pings).hasSize(2);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.OPEN);

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(first.aborted).isTrue();
    assertThat(listener.lastDetail("disconnected"))
        .isInstanceOfSatisfying(ConnectionTimeoutException.class,
            e -> assertThat(e.kind()).isEqualTo(ConnectionTimeoutException.Kind.PONG));
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(transport.attempts()).isEqualTo(2);
  }

  @Test
  void passesTheHeartbeatToTransportsThatCannotPing() {
    FakeTransport noPing = new FakeTransport(false);
    session = sessionBuilder().heartbeat(Duration.ofSeconds(3), Duration.ofSeconds(1)).build();
    session.close();
    session = StickySession.builder(noPing).scheduler(scheduler).clock(scheduler.clock())
        .heartbeat(Duration.ofSeconds(3), Duration.ofSeconds(1)).build();
    session.connect(URI_WS, listener);
    scheduler.runDue();
    noPing.last().open();
    scheduler.advance(Duration.ofSeconds(10));

    assertThat(noPing.last().request.heartbeatInterval()).contains(Duration.ofSeconds(3));
    assertThat(noPing.last().pings).isEmpty();
  }

  @Test
  void aTransportThatOnlyConfirmsGetsTheConfirmingPingsButNoHeartbeat() {
    FakeTransport confirmsOnly = new FakeTransport(false, true);
    RecordingObserver observer = new RecordingObserver();
    session = StickySession.builder(confirmsOnly).scheduler(scheduler).clock(scheduler.clock())
        .heartbeat(Duration.ofSeconds(3), Duration.ofSeconds(1)).observer(observer).build();
    StickyWebSocket ws = session.connect(URI_WS, listener);
    scheduler.runDue();
    FakeConnection c = confirmsOnly.last().open();
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(c.pings).as("no heartbeat ping: the library pings itself").isEmpty();

    ws.send("a");
    scheduler.advance(Duration.ofMillis(200));
    assertThat(c.pings).hasSize(1);
    c.pongLatest();
    ws.send("b");
    scheduler.advance(Duration.ofSeconds(10)); // no answer yet: still no pong timeout
    assertThat(c.pings).hasSize(2);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.OPEN);
    c.drop();

    assertThat(listener.events()).contains("unconfirmed [b]");
    assertThat(observer.events()).noneMatch(e -> e instanceof SessionEvent.Heartbeat);
  }

  @Test
  void aTransportThatNeitherPingsNorConfirmsKeepsEveryMessageUnconfirmed() {
    FakeTransport neither = new FakeTransport(false, false);
    session = StickySession.builder(neither).scheduler(scheduler).clock(scheduler.clock()).build();
    StickyWebSocket ws = session.connect(URI_WS, listener);
    scheduler.runDue();
    FakeConnection c = neither.last().open();
    ws.send("a");
    scheduler.advance(Duration.ofSeconds(1));
    c.drop();

    assertThat(c.pings).isEmpty();
    assertThat(listener.events()).contains("unconfirmed [a]");
  }

  @Test
  void handshakeTimeoutCountsAsAFailedAttempt() {
    connect(sessionBuilder().handshakeTimeout(Duration.ofSeconds(5)));
    FakeConnection first = transport.last();
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(first.aborted).isTrue();
    assertThat(listener.lastDetail("disconnected")).isInstanceOf(ConnectionTimeoutException.class);
    first.drop();
    assertThat(listener.events("disconnected")).hasSize(1);
  }

  @Test
  void closeDuringBackoffStopsEverything() {
    StickyWebSocket ws = connect();
    transport.last().drop();
    ws.close();
    scheduler.advance(Duration.ofMinutes(10));

    assertThat(transport.attempts()).isEqualTo(1);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).endsWith("closed 1000");
    assertThat(scheduler.pendingDelays()).isEmpty();
  }

  @Test
  void closeWhileOpenSendsACloseFrameAndReportsClosedOnce() {
    StickyWebSocket ws = connect();
    FakeConnection c = transport.last().open();
    ws.close(1000, "bye");
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSING);
    assertThat(c.closeCode).isEqualTo(1000);
    assertThat(ws.send("late")).isFalse();

    c.closeCompleted();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).containsExactly("open 1 UNKNOWN", "closed 1000");
    assertThat(transport.attempts()).isEqualTo(1);
  }

  @Test
  void closeDropsTheConnectionWhenTheServerNeverAnswers() {
    StickyWebSocket ws = connect(sessionBuilder().closeTimeout(Duration.ofSeconds(3)));
    FakeConnection c = transport.last().open();
    ws.close();
    scheduler.advance(Duration.ofSeconds(3));

    assertThat(c.aborted).isTrue();
    assertThat(listener.events()).endsWith("closed 1000");
  }

  @Test
  void closeDuringTheHandshakeAbortsIt() {
    StickyWebSocket ws = connect();
    FakeConnection c = transport.last();
    ws.close();

    assertThat(c.aborted).isTrue();
    c.open();
    assertThat(listener.events()).isEmpty(); // callbacks never run inside close()
    scheduler.runDue();
    assertThat(listener.events()).containsExactly("closed 1000");
  }

  @Test
  void reportsQueuedMessagesAsDroppedOnClose() {
    StickyWebSocket ws = connect();
    ws.send("unsent");
    ws.close();
    scheduler.runDue();

    assertThat(listener.events()).containsExactly("dropped unsent", "closed 1000");
  }

  @Test
  void listenerExceptionsAreLoggedAndDoNotStopTheEngine() {
    ListAppender<ILoggingEvent> logs = captureLogs();
    RecordingListener throwing = new RecordingListener() {
      @Override
      public void onText(StickyWebSocket ws, String text) {
        super.onText(ws, text);
        throw new IllegalStateException("boom");
      }
    };
    session = sessionBuilder().build();
    StickyWebSocket ws = session.connect(URI_WS, throwing);
    scheduler.runDue();
    transport.last().open();
    transport.last().receive("x");
    transport.last().receive("y");
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(throwing.events()).contains("text x", "text y", "reconnecting 1 1000ms");
    assertThat(transport.attempts()).isEqualTo(2);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CONNECTING);
    assertThat(logs.list).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("threw");
    });
  }

  @Test
  void aReconnectDueAtOnceStartsOnTheThreadThatReportedTheEnd() {
    policy = ReconnectPolicy.builder().initialDelay(Duration.ofNanos(1))
        .maxDelay(Duration.ofNanos(1)).jitter(ReconnectPolicy.Jitter.NONE).build();
    connect();
    transport.last().open().drop(); // the test thread plays the library's reader thread

    assertThat(transport.attempts()).isEqualTo(2); // no scheduler task ran
    assertThat(listener.events()).contains("disconnected 1006 retry 0ms", "reconnecting 1 0ms");
  }

  @Test
  void anAttemptDueAtOnceThatFailsAtOnceWaitsForTheScheduler() {
    policy = ReconnectPolicy.builder().initialDelay(Duration.ofNanos(1))
        .maxDelay(Duration.ofNanos(1)).jitter(ReconnectPolicy.Jitter.NONE).build();
    Transport failing = new Transport() {
      @Override
      public TransportConnection open(HandshakeRequest request, TransportListener events) {
        TransportConnection connection = transport.open(request, events);
        if (transport.attempts() > 1) {
          events.onFailure(new java.io.IOException("refused"), null); // before open returns
        }
        return connection;
      }

      @Override
      public String name() {
        return "failing";
      }
    };
    session = StickySession.builder(failing).reconnectPolicy(policy).scheduler(scheduler)
        .clock(scheduler.clock()).noHeartbeat().build();
    session.connect(URI_WS, listener);
    scheduler.runDue();
    transport.last().open().drop();

    // at once, then no recursion: the next one waits for the scheduler
    assertThat(transport.attempts()).isEqualTo(2);
    assertThat(scheduler.pendingDelays()).contains(Duration.ZERO);
  }

  @Test
  void toleratesATransportThatReportsTwoTerminalEvents() {
    ListAppender<ILoggingEvent> logs = captureLogs();
    connect();
    FakeConnection c = transport.last().open();
    c.drop();
    c.serverClose(1000, "again");
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(listener.events("disconnected")).hasSize(1);
    assertThat(transport.attempts()).isEqualTo(2);
    assertThat(logs.list).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("second terminal event");
    });
  }

  @Test
  void sendsTheApplicationHeadersAndItsCookieBeforeTheJars() {
    jar.saveFromResponse(URI_WS, List.of(Cookie.parse(URI_WS, "a=1", scheduler.clock().instant())
        .orElseThrow()));
    session = sessionBuilder().build();
    session.connect(URI_WS, Map.of("Authorization", List.of("Bearer t"),
        "Cookie", List.of("app=x")), listener);
    scheduler.runDue();

    assertThat(transport.last().request.headers("Authorization")).containsExactly("Bearer t");
    assertThat(transport.last().cookieHeader()).isEqualTo("app=x; a=1");
  }

  @Test
  void neverSendsASecureCookieOverWs() {
    URI wss = URI.create("wss://app.example.com/ws");
    jar.saveFromResponse(wss, List.of(
        Cookie.parse(wss, "SERVERID=s1; Secure", scheduler.clock().instant()).orElseThrow()));
    connect();

    assertThat(transport.last().cookieHeader()).isNull();
  }

  @Test
  void logsNoCookieValues() {
    ListAppender<ILoggingEvent> logs = captureLogs();
    ((Logger) LoggerFactory.getLogger(StickyWebSocket.class)).setLevel(Level.TRACE);
    connect();
    transport.last().open("Set-Cookie", "SERVERID=secretvalue123; path=/");
    transport.last().serverClose(1012, "restart");
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open("Set-Cookie", "SERVERID=othersecret456; path=/");

    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).noneSatisfy(e ->
        assertThat(e.getFormattedMessage()).containsAnyOf("secretvalue123", "othersecret456"));
  }

  @Test
  void givesUpWhenTheTransportCannotExpressTheRequest() {
    Transport refusing = new Transport() {
      @Override
      public TransportConnection open(HandshakeRequest request, TransportListener events) {
        throw new IllegalArgumentException("header name (bad name) is not a token");
      }

      @Override
      public String name() {
        return "refusing";
      }
    };
    session = StickySession.builder(refusing).scheduler(scheduler).clock(scheduler.clock()).build();
    StickyWebSocket ws = session.connect(URI_WS, listener);
    scheduler.runDue();
    scheduler.advance(Duration.ofMinutes(1));

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CLOSED);
    assertThat(listener.events()).containsExactly("disconnected 1006 final", "gaveUp 1");
  }

  @Test
  void rejectsANonWebSocketUri() {
    session = sessionBuilder().build();
    assertThatThrownBy(() -> session.connect(URI.create("http://app.example.com/x?token=s"), listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri (http://app.example.com/x)")
        .hasMessageNotContaining("token");
  }

  @Test
  void rejectsAnInvalidCloseCode() {
    StickyWebSocket ws = connect();
    assertThatThrownBy(() -> ws.close(1006, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("close code (1006)");
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    Logger logger = (Logger) LoggerFactory.getLogger(StickyWebSocket.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    return appender;
  }

  /** A jar that can pretend to have been cleared. */
  private final class CountingJar implements io.stickyws.cookie.CookieJar {
    volatile boolean cleared;

    @Override
    public void saveFromResponse(URI uri, List<Cookie> cookies) {
      jar.saveFromResponse(uri, cookies);
    }

    @Override
    public List<Cookie> loadForRequest(URI uri) {
      return cleared ? List.of() : jar.loadForRequest(uri);
    }
  }
}
