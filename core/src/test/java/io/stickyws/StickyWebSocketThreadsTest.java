package io.stickyws;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.testing.FakeTransport;
import io.stickyws.testing.FakeTransport.FakeConnection;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.Threads;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread runs what, on the session's own scheduler: no application code under the engine's
 * lock or on the shared scheduler, and no listener callback on the application's own stack.
 */
class StickyWebSocketThreadsTest {
  private static final URI FAST = URI.create("ws://app.example.com/fast");
  private static final URI SLOW = URI.create("ws://app.example.com/slow");
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final FakeTransport transport = new FakeTransport();
  private StickySession session;

  @AfterEach
  void closeSession() {
    if (session != null) {
      session.close();
    }
    Threads.assertNoStickywsThreads(WAIT);
  }

  @Test
  void aJarThatBlocksOneConnectionDoesNotDelayAnotherOnesSendCloseOrHeartbeat()
      throws InterruptedException {
    BlockingJar jar = new BlockingJar();
    session = StickySession.builder(transport)
        .cookieJar(jar)
        .heartbeat(Duration.ofMillis(20), Duration.ofSeconds(30))
        .build();
    ThreadRecorder fastListener = new ThreadRecorder();
    StickyWebSocket fast = session.connect(FAST, fastListener);
    Threads.awaitCondition(() -> transport.attempts() == 1, WAIT);
    FakeConnection fastConnection = transport.last().open();
    fastListener.awaitEvent("open 1 UNKNOWN", WAIT);

    session.connect(SLOW, new RecordingListener());
    assertThat(jar.slowLoadStarted.await(5, TimeUnit.SECONDS)).isTrue();

    // While the slow connection's jar call blocks (up to 2 s), the fast one works as usual.
    Threads.awaitCondition(() -> fastConnection.pings.size() >= 1, WAIT);
    fastConnection.pongLatest();
    Threads.awaitCondition(() -> fastConnection.pings.size() >= 2, WAIT); // the next heartbeat
    assertThat(fast.send("hello")).isTrue();
    assertThat(fastConnection.sentTexts()).containsExactly("hello");
    fast.close();
    assertThat(fastConnection.closeCode).isEqualTo(1000);
    fastConnection.closeCompleted();
    fastListener.awaitEvent("closed 1000", WAIT);
    assertThat(jar.slowLoadReturned.getCount()).as("the slow jar call is still blocked").isOne();
    assertThat(jar.loadThreads.get(SLOW)).startsWith("stickyws-jar-");

    jar.release.countDown();
    Threads.awaitCondition(() -> transport.attempts() == 2, WAIT);
    assertThat(transport.last().request.uri()).isEqualTo(SLOW);
  }

  @Test
  void sendAndCloseReturnBeforeTheCallbacksTheyCauseWhichRunOnTheScheduler() {
    session = StickySession.builder(transport)
        .outboundQueue(1, 1024, OverflowPolicy.DROP_OLDEST)
        .build();
    ThreadRecorder listener = new ThreadRecorder() {
      @Override
      public void onDropped(StickyWebSocket ws, Message message) {
        super.onDropped(ws, message);
        record("dropped");
      }

      @Override
      public void onClosed(StickyWebSocket ws, int code, String reason) {
        super.onClosed(ws, code, reason);
        record("closed");
      }
    };
    StickyWebSocket ws = session.connect(FAST, listener);
    Threads.awaitCondition(() -> transport.attempts() == 1, WAIT);

    String caller = Thread.currentThread().getName();
    ws.send("first");
    ws.send("second"); // pushes "first" out of the one-message queue
    ws.close();
    listener.awaitEvent("closed 1000", WAIT);

    assertThat(listener.events()).containsExactly("dropped first", "dropped second", "closed 1000");
    assertThat(listener.threads.get("dropped")).startsWith("stickyws-scheduler-").isNotEqualTo(caller);
    assertThat(listener.threads.get("closed")).startsWith("stickyws-scheduler-").isNotEqualTo(caller);
  }

  @Test
  void transportEventsAreDeliveredOnTheThreadThatReportedThem() throws InterruptedException {
    session = StickySession.builder(transport).build();
    ThreadRecorder listener = new ThreadRecorder() {
      @Override
      public void onText(StickyWebSocket ws, String text) {
        super.onText(ws, text);
        record("text");
      }
    };
    session.connect(FAST, listener);
    Threads.awaitCondition(() -> transport.attempts() == 1, WAIT);
    FakeConnection connection = transport.last().open();
    Thread reader = new Thread(() -> connection.receive("x"), "library-reader");
    reader.start();
    reader.join(WAIT.toMillis());

    listener.awaitEvent("text x", WAIT);
    assertThat(listener.threads.get("text")).isEqualTo("library-reader");
  }

  @Test
  void aListenerThatSendsFromItsCallbackGetsItsOwnCallbacksAfterItReturns() {
    session = StickySession.builder(transport)
        .outboundQueue(1, 1024, OverflowPolicy.DROP_OLDEST)
        .build();
    List<String> order = new CopyOnWriteArrayList<>();
    RecordingListener listener = new RecordingListener() {
      @Override
      public void onReconnecting(StickyWebSocket ws, int attempt, Duration delay) {
        super.onReconnecting(ws, attempt, delay);
        order.add("reconnecting: sending");
        ws.send("a");
        ws.send("b"); // drops "a": reported after this callback returned
        order.add("reconnecting: returned");
      }

      @Override
      public void onDropped(StickyWebSocket ws, Message message) {
        super.onDropped(ws, message);
        order.add("dropped " + message.text());
      }
    };
    session.connect(FAST, listener);
    Threads.awaitCondition(() -> transport.attempts() == 1, WAIT);
    transport.last().open().drop();
    Threads.awaitCondition(() -> order.contains("dropped a"), WAIT);

    assertThat(order).containsSubsequence(
        "reconnecting: sending", "reconnecting: returned", "dropped a");
  }

  /** Records listener events and the thread that delivered some of them. */
  private static class ThreadRecorder extends RecordingListener {
    final Map<String, String> threads = new ConcurrentHashMap<>();

    void record(String event) {
      threads.put(event, Thread.currentThread().getName());
    }

    void awaitEvent(String event, Duration timeout) {
      Threads.awaitCondition(() -> events().contains(event), timeout);
    }
  }

  /** A jar whose load for {@link #SLOW} blocks for up to 2 s, like a jar doing I/O. */
  private static final class BlockingJar implements CookieJar {
    final CookieJar memory = MemoryCookieJar.create();
    final CountDownLatch slowLoadStarted = new CountDownLatch(1);
    final CountDownLatch slowLoadReturned = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final Map<URI, String> loadThreads = new ConcurrentHashMap<>();

    @Override
    public List<Cookie> loadForRequest(URI uri) {
      loadThreads.put(uri, Thread.currentThread().getName());
      if (uri.equals(SLOW)) {
        slowLoadStarted.countDown();
        try {
          release.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        slowLoadReturned.countDown();
      }
      return memory.loadForRequest(uri);
    }

    @Override
    public void saveFromResponse(URI uri, List<Cookie> cookies) {
      memory.saveFromResponse(uri, cookies);
    }
  }
}
