package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.testing.FakeTransport;
import io.stickyws.testing.FakeTransport.FakeConnection;
import io.stickyws.testing.ManualScheduler;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.Threads;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the application sees and controls across a reconnect (issue 13), on the fake transport
 * with a manual scheduler and clock: SAME/CHANGED against the cookie sent, state first on a changed
 * backend, the header source, the failure taxonomy, and observe-and-steer.
 */
class StickyWebSocketSteeringTest {
  private static final URI URI_WS = URI.create("ws://app.example.com:8080/ws?token=s3cr3t");
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final ManualScheduler scheduler = new ManualScheduler();
  private final FakeTransport transport = new FakeTransport();
  private final MemoryCookieJar jar = MemoryCookieJar.builder().clock(scheduler.clock()).build();
  private final ReconnectPolicy policy = ReconnectPolicy.builder()
      .initialDelay(Duration.ofSeconds(1))
      .maxDelay(Duration.ofSeconds(8))
      .jitter(ReconnectPolicy.Jitter.NONE)
      .build();
  private StickySession session;
  private StickyWebSocket lastWs;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
  }

  private StickySession.Builder builder() {
    return StickySession.builder(transport)
        .cookieJar(jar)
        .reconnectPolicy(policy)
        .scheduler(scheduler)
        .clock(scheduler.clock())
        .random(new SplittableRandom(7))
        .noHeartbeat();
  }

  private StickyWebSocket connect(StickySession.Builder builder, StickyWebSocketListener l) {
    session = builder.build();
    StickyWebSocket ws = session.connect(URI_WS, l);
    lastWs = ws;
    scheduler.runDue();
    return ws;
  }

  // ------------------------------------------------------------ SAME against what was sent

  @Test
  void aNewProcessWhoseJarPinnedADeadBackendSeesChangedOnItsFirstOpen() {
    jar.saveFromResponse(URI_WS, List.of(Cookie.parse(URI_WS, "SERVERID=s3; Path=/",
        scheduler.clock().instant()).orElseThrow()));
    RecordingListener listener = new RecordingListener();
    connect(builder(), listener);
    assertThat(transport.last().cookieHeader()).isEqualTo("SERVERID=s3");

    transport.last().open("Set-Cookie", "SERVERID=s1; Path=/");

    assertThat(listener.events()).containsExactly("open 1 CHANGED", "affinityChanged");
    AffinityToken[] change = (AffinityToken[]) listener.lastDetail("affinityChanged");
    assertThat(change[0].backendId()).isEqualTo("s3");
    assertThat(change[1].backendId()).isEqualTo("s1");
  }

  @Test
  void aNewProcessWhoseJarPinnedALiveBackendSeesSameOnItsFirstOpen() {
    jar.saveFromResponse(URI_WS, List.of(Cookie.parse(URI_WS, "SERVERID=s3; Path=/",
        scheduler.clock().instant()).orElseThrow()));
    RecordingListener listener = new RecordingListener();
    connect(builder(), listener);
    transport.last().open();
    assertThat(listener.events()).containsExactly("open 1 SAME");
  }

  // ------------------------------------------------------------ state first, then the queue

  /** Sends {@code auth} from onAffinityChanged, as an application re-authenticating would. */
  private static final class Reauthenticating extends RecordingListener {
    @Override
    public void onAffinityChanged(StickyWebSocket ws, AffinityToken from, AffinityToken to) {
      super.onAffinityChanged(ws, from, to);
      ws.send("auth");
    }
  }

  private FakeConnection movedWithThreeQueued(StickySession.Builder builder,
      RecordingListener listener) {
    StickyWebSocket ws = connect(builder, listener);
    transport.last().open("Set-Cookie", "SERVERID=s1; Path=/");
    transport.last().drop();
    assertThat(ws.send("a")).isTrue();
    assertThat(ws.send("b")).isTrue();
    assertThat(ws.send("c")).isTrue();
    scheduler.advance(Duration.ofSeconds(1));
    return transport.last().open("Set-Cookie", "SERVERID=s2; Path=/");
  }

  @Test
  void onAChangedBackendWhatTheCallbacksSendGoesBeforeTheQueue() {
    RecordingListener listener = new Reauthenticating();
    FakeConnection moved = movedWithThreeQueued(builder(), listener);
    assertThat(moved.sentTexts()).containsExactly("auth", "a", "b", "c");
  }

  @Test
  void onTheSameBackendTheQueueStillGoesFirst() {
    RecordingListener listener = new Reauthenticating();
    StickyWebSocket ws = connect(builder(), listener);
    transport.last().open("Set-Cookie", "SERVERID=s1; Path=/");
    transport.last().drop();
    ws.send("a");
    scheduler.advance(Duration.ofSeconds(1));
    FakeConnection again = transport.last().open();
    ws.send("after");
    assertThat(again.sentTexts()).containsExactly("a", "after");
  }

  @Test
  void handBackReportsTheQueuedMessagesAndNeverSendsThem() {
    RecordingListener listener = new Reauthenticating();
    FakeConnection moved = movedWithThreeQueued(
        builder().queuedOnBackendChange(QueuedOnBackendChange.HAND_BACK), listener);
    assertThat(moved.sentTexts()).containsExactly("auth");
    assertThat(listener.events()).containsSubsequence(
        "open 1 CHANGED", "affinityChanged", "returned [a, b, c]");
    assertThat(listener.events()).noneMatch(e -> e.startsWith("dropped"));
  }

  @Test
  void holdKeepsTheQueuedMessagesUntilTheApplicationTakesThem() {
    RecordingListener listener = new Reauthenticating();
    FakeConnection moved = movedWithThreeQueued(
        builder().queuedOnBackendChange(QueuedOnBackendChange.HOLD), listener);
    StickyWebSocket ws = lastWs;
    assertThat(moved.sentTexts()).containsExactly("auth");
    assertThat(ws.queuedMessages()).isEqualTo(3);
    assertThat(ws.takeHeldMessages()).extracting(Message::text).containsExactly("a", "b", "c");
    assertThat(ws.takeHeldMessages()).isEmpty();
    assertThat(ws.queuedMessages()).isZero();
    assertThat(moved.sentTexts()).containsExactly("auth");
  }

  @Test
  void heldMessagesAreReportedAsDroppedWhenTheConnectionCloses() {
    RecordingListener listener = new RecordingListener();
    movedWithThreeQueued(builder().queuedOnBackendChange(QueuedOnBackendChange.HOLD), listener);
    lastWs.close();
    transport.last().closeCompleted();
    assertThat(listener.events("dropped")).containsExactly("dropped a", "dropped b", "dropped c");
  }

  @Test
  void applicationSendsFirstOnEveryOpenWhenAsked() {
    RecordingListener listener = new RecordingListener() {
      @Override
      public void onOpen(StickyWebSocket ws, int attempt, AffinityToken a,
          io.stickyws.affinity.SameBackend same) {
        super.onOpen(ws, attempt, a, same);
        ws.send("hello " + attempt);
      }
    };
    StickyWebSocket ws = connect(builder().applicationSendsFirst(true), listener);
    ws.send("queued");
    FakeConnection c = transport.last().open();
    assertThat(c.sentTexts()).containsExactly("hello 1", "queued");
  }

  // ------------------------------------------------------------ headers per attempt

  @Test
  void theHeaderSourceIsAskedBeforeEveryAttemptAndOnceMoreOn401() {
    AtomicInteger calls = new AtomicInteger();
    HeaderSource source = () -> Map.of("Authorization",
        List.of("Bearer t" + calls.incrementAndGet()));
    RecordingListener listener = new RecordingListener();
    session = builder().build();
    session.connect(URI_WS, Map.of("Authorization", List.of("Bearer fixed")), source, listener);
    scheduler.runDue();
    Threads.awaitCondition(() -> transport.attempts() == 1, WAIT); // on a stickyws-jar thread
    assertThat(transport.last().request.headers("Authorization")).containsExactly("Bearer t1");

    transport.last().refuse(401); // expired: asked once more at once, not given up
    scheduler.runDue();
    Threads.awaitCondition(() -> transport.attempts() == 2, WAIT);
    assertThat(transport.last().request.headers("Authorization")).containsExactly("Bearer t2");
    transport.last().open();
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    Threads.awaitCondition(() -> transport.attempts() == 3, WAIT);
    assertThat(transport.last().request.headers("Authorization")).containsExactly("Bearer t3");

    transport.last().refuse(401);
    scheduler.runDue();
    Threads.awaitCondition(() -> transport.attempts() == 4, WAIT);
    transport.last().refuse(401); // twice in a row: gives up
    listener.await("gaveUp", WAIT);
    assertThat(transport.attempts()).isEqualTo(4);
    assertThat(listener.events()).last().isEqualTo("gaveUp 2"); // the drop and the last 401
  }

  @Test
  void withoutAHeaderSourceA401GivesUpAtOnce() {
    RecordingListener listener = new RecordingListener();
    connect(builder(), listener);
    transport.last().refuse(401);
    assertThat(listener.events()).containsExactly("disconnected 1006 final", "gaveUp 1");
  }

  // ------------------------------------------------------------ failure taxonomy

  @Test
  void aHandshakeAnswered200GivesUpAsNotAWebSocketEndpointNamingTheUriWithoutItsQuery() {
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = connect(builder(), listener);
    transport.last().refuse(200);

    assertThat(listener.events()).containsExactly("disconnected 1006 final", "gaveUp 1");
    Throwable cause = (Throwable) listener.lastDetail("gaveUp");
    assertThat(cause).isInstanceOf(HandshakeException.class).hasMessage(
        "handshake answered with HTTP 200 by ws://app.example.com:8080/ws: "
            + "not a WebSocket endpoint");
    assertThat(ws.lastFailure()).hasValueSatisfying(f -> {
      assertThat(f.type()).isEqualTo(HandshakeException.class.getName());
      assertThat(f.message()).isEqualTo(
          "ws://app.example.com:8080/ws: handshake status 200 (not a WebSocket endpoint)");
    });
  }

  @Test
  void everyGiveUpMessageNamesTheUriWithoutItsQuery() {
    RecordingListener listener = new RecordingListener();
    session = builder().reconnectPolicy(policy.newBuilder().maxAttempts(1).build()).build();
    session.connect(URI_WS, listener);
    scheduler.runDue();
    transport.last().drop();
    Throwable cause = (Throwable) listener.lastDetail("gaveUp");
    assertThat(cause.getMessage()).contains("ws://app.example.com:8080/ws")
        .doesNotContain("s3cr3t");
    assertThat(cause).hasRootCauseMessage("connection reset");
  }

  @Test
  void attemptNumbersAndDelaysTellOneStory() {
    RecordingListener listener = new RecordingListener();
    connect(builder(), listener);
    transport.last().drop(); // the first connect failed: its first retry is attempt 2
    assertThat(listener.events("reconnecting")).containsExactly("reconnecting 2 1000ms");
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open();
    scheduler.advance(policy.resetAfter()); // stable: a drop starts a new outage
    transport.last().drop();
    assertThat(listener.events("reconnecting")).last().isEqualTo("reconnecting 1 1000ms");
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().drop();
    assertThat(listener.events("reconnecting")).last().isEqualTo("reconnecting 2 2000ms");
    scheduler.advance(Duration.ofSeconds(2));
    transport.last().open();
    scheduler.advance(Duration.ofSeconds(9)); // shorter than resetAfter: the outage goes on
    transport.last().drop();
    assertThat(listener.events("reconnecting")).last().isEqualTo("reconnecting 3 4000ms");
  }

  // ------------------------------------------------------------ observe and steer

  @Test
  void reportsWhenItOpenedHowOftenItReconnectedAndWhatFailedLast() {
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = connect(builder(), listener);
    assertThat(ws.openedAt()).isEmpty();
    assertThat(ws.lastFailure()).isEmpty();
    transport.last().open();
    assertThat(ws.openedAt()).contains(scheduler.clock().instant());
    assertThat(ws.reconnects()).isZero();
    transport.last().serverClose(1011, "secret reason");
    assertThat(ws.openedAt()).isEmpty();
    assertThat(ws.lastFailure()).hasValueSatisfying(f -> {
      assertThat(f.type()).isEqualTo("close frame");
      assertThat(f.message()).isEqualTo("ws://app.example.com:8080/ws: close code 1011 (remote)");
      assertThat(f.toString()).doesNotContain("secret").doesNotContain("s3cr3t");
    });
    scheduler.advance(Duration.ofSeconds(1));
    transport.last().open();
    assertThat(ws.reconnects()).isEqualTo(1);
  }

  @Test
  void reconnectNowSkipsTheBackoffWait() {
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = connect(builder(), listener);
    assertThat(ws.reconnectNow()).isFalse(); // connecting: nothing to skip
    transport.last().drop();
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.RECONNECTING);
    assertThat(ws.reconnectNow()).isTrue();
    scheduler.runDue(); // no time passes
    assertThat(transport.attempts()).isEqualTo(2);
    assertThat(ws.state()).isEqualTo(StickyWebSocket.State.CONNECTING);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(transport.attempts()).isEqualTo(2); // the cancelled timer does not fire
  }

  @Test
  void forgetAffinityDropsTheTokenAndItsCookie() {
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = connect(builder(), listener);
    transport.last().open("Set-Cookie", "SERVERID=s1; Path=/", "Set-Cookie", "theme=dark; Path=/");
    assertThat(ws.affinity()).isPresent();

    ws.forgetAffinity();

    assertThat(ws.affinity()).isEmpty();
    assertThat(jar.loadForRequest(URI_WS)).extracting(Cookie::name).containsExactly("theme");
    transport.last().drop();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(transport.last().cookieHeader()).isEqualTo("theme=dark");
  }

  @Test
  void aHostThatIsNotAValidHostNameIsRefusedShowingTheAuthorityAsWritten() {
    session = builder().build();
    assertThatThrownBy(() -> session.connect(
        URI.create("ws://under_score:8080/ws?token=s3cr3t"), new RecordingListener()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ws://under_score:8080/ws")
        .hasMessageContaining("'under_score:8080' is not a valid host name")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> session.connect(
        URI.create("ws://user:pw@under_score:8080/ws"), new RecordingListener()))
        .hasMessageNotContaining("pw");
  }

  @Test
  void awaitOpenWaitsForTheFirstOpenWithATimeout() throws InterruptedException {
    RecordingListener listener = new RecordingListener();
    StickyWebSocket ws = connect(builder(), listener);
    assertThat(ws.awaitOpen(Duration.ofMillis(20))).isFalse();
    transport.last().open();
    assertThat(ws.awaitOpen(Duration.ZERO)).isTrue();
  }

  @Test
  void awaitOpenReturnsFalseAtOnceWhenTheConnectionEndsFirst() throws InterruptedException {
    StickyWebSocket ws = connect(builder(), new RecordingListener());
    transport.last().refuse(404);
    assertThat(ws.awaitOpen(Duration.ofMinutes(1))).isFalse();
  }

  @Test
  void closeAndWaitReturnsAfterTheTerminalCallbackAndFlushesTheFileJar(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("cookies.txt");
    try (FileCookieJar fileJar = FileCookieJar.builder(file).coalesceDelay(Duration.ofHours(1))
        .build()) {
      RecordingListener listener = new RecordingListener();
      StickySession real = StickySession.builder(transport).cookieJar(fileJar).noHeartbeat()
          .closeTimeout(Duration.ofMillis(100)).build();
      real.connect(URI_WS, listener);
      Threads.awaitCondition(() -> transport.attempts() == 1, WAIT);
      transport.last().open("Set-Cookie", "SERVERID=s1; Path=/");
      listener.await("open", WAIT);
      assertThat(Files.exists(file)).as("the write is still pending").isFalse();

      assertThat(real.closeAndWait(WAIT)).isTrue();

      assertThat(listener.events()).last().isEqualTo("closed 1001"); // no waiting: delivered
      assertThat(Files.readString(file)).contains("SERVERID");
      assertThat(real.isClosed()).isTrue();
    }
  }
}
