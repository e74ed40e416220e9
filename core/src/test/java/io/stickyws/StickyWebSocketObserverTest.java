package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.affinity.AffinityRules;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.testing.FakeTransport;
import io.stickyws.testing.FakeTransport.FakeConnection;
import io.stickyws.testing.ManualScheduler;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.RecordingObserver;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine reports every connection event to the session's observers, in order. */
class StickyWebSocketObserverTest {
  private static final URI URI_WS = URI.create("ws://app.example.com/ws?token=secret");

  private final ManualScheduler scheduler = new ManualScheduler();
  private final FakeTransport transport = new FakeTransport();
  private final RecordingListener listener = new RecordingListener();
  private final RecordingObserver observer = new RecordingObserver();
  private StickySession session;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
  }

  private StickySession.Builder builder(CookieJar jar) {
    return StickySession.builder(transport)
        .cookieJar(jar)
        .reconnectPolicy(ReconnectPolicy.builder()
            .initialDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(8))
            .jitter(ReconnectPolicy.Jitter.NONE)
            .maxAttempts(4)
            .build())
        .affinity(AffinityRules.builder().dropAfterFailures(2).build())
        .scheduler(scheduler)
        .clock(scheduler.clock())
        .random(new SplittableRandom(7))
        .noHeartbeat()
        .observer(observer);
  }

  private StickyWebSocket connect(StickySession.Builder builder) {
    session = builder.build();
    StickyWebSocket ws = session.connect(URI_WS, listener);
    scheduler.runDue();
    return ws;
  }

  @Test
  void reportsAttemptsOpensDropsAndTheGiveUpInOrder() {
    connect(builder(MemoryCookieJar.builder().clock(scheduler.clock()).build()));
    transport.last().open("Set-Cookie", "SERVERID=s1; path=/");
    scheduler.advance(Duration.ofSeconds(3));
    transport.last().drop();
    for (int i = 0; i < 3; i++) { // the drop counts as the first of the policy's 4 attempts
      scheduler.advance(Duration.ofSeconds(10));
      transport.last().refuse(503);
    }
    scheduler.runDue();

    assertThat(observer.methods()).containsExactly(
        "onAttemptStarted", "onOpened", "onDisconnected",
        "onAttemptStarted", "onAttemptFailed",
        "onAttemptStarted", "onAttemptFailed", "onAffinityDropped",
        "onAttemptStarted", "onAttemptFailed", "onGaveUp");
    List<SessionEvent> events = observer.events();
    SessionEvent.AttemptStarted first = (SessionEvent.AttemptStarted) events.get(0);
    assertThat(first.kind()).isEqualTo(SessionEvent.AttemptKind.INITIAL);
    assertThat(first.connection().toString()).doesNotContain("secret");
    SessionEvent.Opened opened = (SessionEvent.Opened) events.get(1);
    assertThat(opened.attempt()).isEqualTo(1);
    assertThat(opened.sameBackend()).isEqualTo(SameBackend.UNKNOWN);
    assertThat(opened.balancer()).isPresent();
    SessionEvent.Disconnected drop = (SessionEvent.Disconnected) events.get(2);
    assertThat(drop.willRetry()).isTrue();
    assertThat(drop.connectedFor()).isEqualTo(Duration.ofSeconds(3));
    SessionEvent.AttemptStarted reconnect = (SessionEvent.AttemptStarted) events.get(3);
    assertThat(reconnect.kind()).isEqualTo(SessionEvent.AttemptKind.RECONNECT);
    SessionEvent.AttemptFailed failed = (SessionEvent.AttemptFailed) events.get(4);
    assertThat(failed.failure().httpStatus()).isEqualTo(503);
    assertThat(failed.failure().errorType()).isEqualTo("503");
    SessionEvent.AffinityDropped dropped = (SessionEvent.AffinityDropped) events.get(7);
    assertThat(dropped.reason()).isEqualTo(SessionEvent.DropReason.FAILURES);
    SessionEvent.GaveUp gaveUp = (SessionEvent.GaveUp) events.get(10);
    assertThat(gaveUp.reason()).isEqualTo(SessionEvent.GiveUpReason.MAX_ATTEMPTS);
    assertThat(gaveUp.attempts()).isEqualTo(4);
    assertThat(events.toString()).doesNotContain("s1").doesNotContain("secret");
  }

  @Test
  void reportsAStatusGiveUpAndNoSecondTerminalEventOnClose() {
    StickyWebSocket ws = connect(builder(CookieJar.NO_COOKIES));
    transport.last().refuse(403);
    scheduler.runDue();
    ws.close();
    scheduler.runDue();

    assertThat(observer.methods())
        .containsExactly("onAttemptStarted", "onAttemptFailed", "onGaveUp");
    SessionEvent.GaveUp gaveUp = (SessionEvent.GaveUp) observer.events().get(2);
    assertThat(gaveUp.reason()).isEqualTo(SessionEvent.GiveUpReason.STATUS);
  }

  @Test
  void reportsADrainCloseCodeAndTheApplicationsClose() {
    StickyWebSocket ws = connect(builder(MemoryCookieJar.builder().clock(scheduler.clock()).build()));
    transport.last().open("Set-Cookie", "SERVERID=s1; path=/");
    transport.last().serverClose(1012, "restart");
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open("Set-Cookie", "SERVERID=s2; path=/");
    ws.close(1000, "bye");
    transport.last().serverClose(1000, "bye");
    scheduler.runDue();

    assertThat(observer.methods()).containsExactly("onAttemptStarted", "onOpened",
        "onDisconnected", "onAffinityDropped", "onAttemptStarted", "onOpened", "onClosed");
    List<SessionEvent> events = observer.events();
    assertThat(((SessionEvent.Disconnected) events.get(2)).failure().closeCode()).isEqualTo(1012);
    assertThat(((SessionEvent.AffinityDropped) events.get(3)).reason())
        .isEqualTo(SessionEvent.DropReason.DRAIN);
    assertThat(((SessionEvent.Closed) events.get(6)).code()).isEqualTo(1000);
  }

  @Test
  void reportsQueueOverflowAndUnconfirmedMessages() {
    StickyWebSocket ws = connect(builder(CookieJar.NO_COOKIES)
        .outboundQueue(2, 1 << 20, OverflowPolicy.DROP_OLDEST));
    ws.send("a");
    ws.send("b");
    ws.send("c");
    ws.send("d");
    FakeConnection c = transport.last();
    c.open();
    c.drop();
    scheduler.runDue();

    assertThat(observer.methods()).containsSubsequence(
        "onQueueOverflow", "onQueueOverflow", "onOpened", "onUnconfirmed", "onDisconnected");
    SessionEvent.QueueOverflow overflow = (SessionEvent.QueueOverflow) observer.events().get(1);
    assertThat(overflow.policy()).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(overflow.messages()).isEqualTo(1);
    SessionEvent.Unconfirmed unconfirmed = (SessionEvent.Unconfirmed) observer.events().stream()
        .filter(e -> e instanceof SessionEvent.Unconfirmed).findFirst().orElseThrow();
    assertThat(unconfirmed.messages()).isEqualTo(2);
  }

  @Test
  void reportsHeartbeatRoundTrips() {
    FakeTransport pinging = new FakeTransport(true);
    session = StickySession.builder(pinging).cookieJar(CookieJar.NO_COOKIES).scheduler(scheduler)
        .clock(scheduler.clock()).heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(2))
        .observer(observer).build();
    session.connect(URI_WS, listener);
    scheduler.runDue();
    pinging.last().open();
    scheduler.advance(Duration.ofSeconds(5));
    scheduler.advance(Duration.ofMillis(30));
    pinging.last().pongLatest();

    SessionEvent.Heartbeat beat = (SessionEvent.Heartbeat) observer.events().stream()
        .filter(e -> e instanceof SessionEvent.Heartbeat).findFirst().orElseThrow();
    assertThat(beat.roundTrip()).isEqualTo(Duration.ofMillis(30));
  }

  @Test
  void reportsACookieStorageFailureOnceAndItsRecovery() {
    AtomicBoolean broken = new AtomicBoolean(true);
    MemoryCookieJar memory = MemoryCookieJar.builder().clock(scheduler.clock()).build();
    CookieJar jar = new CookieJar() {
      @Override
      public List<Cookie> loadForRequest(URI uri) {
        if (broken.get()) {
          throw new IllegalStateException("disk gone");
        }
        return memory.loadForRequest(uri);
      }

      @Override
      public void saveFromResponse(URI uri, List<Cookie> cookies) {
        memory.saveFromResponse(uri, cookies);
      }
    };
    StickyWebSocket ws = connect(builder(jar));
    awaitAttempts(1);
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    awaitAttempts(2);
    broken.set(false);
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(2));
    awaitAttempts(3);

    assertThat(observer.methods().stream().filter(m -> m.startsWith("onCookieStorage")))
        .containsExactly("onCookieStorageFailed", "onCookieStorageRecovered");
    assertThat(observer.events().toString()).doesNotContain("disk gone");
    ws.close();
  }

  @Test
  void anObserverThatThrowsDoesNotDisturbTheConnection() {
    RecordingObserver after = new RecordingObserver();
    session = builder(CookieJar.NO_COOKIES)
        .observer(new SessionObserver() {
          @Override
          public void onOpened(SessionEvent.Opened event) {
            throw new IllegalStateException("observer bug");
          }
        })
        .observer(after)
        .build();
    StickyWebSocket ws = session.connect(URI_WS, listener);
    scheduler.runDue();
    transport.last().open();
    transport.last().receive("hello");
    assertThat(ws.send("out")).isTrue();

    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.OPEN);
    assertThat(listener.events()).containsExactly("open 1 UNKNOWN", "text hello");
    assertThat(transport.last().sentTexts()).containsExactly("out");
    assertThat(after.methods()).containsExactly("onAttemptStarted", "onOpened");
  }

  /** The application's jar is called on the session's jar thread: wait for its attempt. */
  private void awaitAttempts(int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (transport.attempts() < n && System.nanoTime() < deadline) {
      scheduler.runDue();
      Thread.onSpinWait();
    }
    assertThat(transport.attempts()).isEqualTo(n);
  }
}
