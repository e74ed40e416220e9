package io.stickyws.testing;

import io.stickyws.Message;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.CookieStorageHealth;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Records every listener call as a readable line ({@code open 1 SAME}, {@code text hello},
 * {@code disconnected 1006 retry 500ms}...), with bounded waits for tests that run on real threads.
 *
 * <p>Thread-safe.
 */
public class RecordingListener implements StickyWebSocketListener {
  private final List<String> events = new ArrayList<>();
  private final List<Object> details = new ArrayList<>();

  @Override
  public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend same) {
    add("open " + attempt + " " + same, affinity);
  }

  @Override
  public void onText(StickyWebSocket ws, String text) {
    add("text " + text, text);
  }

  @Override
  public void onBinary(StickyWebSocket ws, ByteBuffer data) {
    add("binary " + data.remaining(), data);
  }

  @Override
  public void onDisconnected(StickyWebSocket ws, int code, String reason, Throwable cause,
      boolean willRetry, Duration nextDelay) {
    add("disconnected " + code + (willRetry ? " retry " + nextDelay.toMillis() + "ms" : " final"),
        cause);
  }

  @Override
  public void onReconnecting(StickyWebSocket ws, int attempt, Duration delay) {
    add("reconnecting " + attempt + " " + delay.toMillis() + "ms", delay);
  }

  @Override
  public void onAffinityChanged(StickyWebSocket ws, AffinityToken from, AffinityToken to) {
    add("affinityChanged", new AffinityToken[] {from, to});
  }

  @Override
  public void onDropped(StickyWebSocket ws, Message message) {
    add("dropped " + payload(message), payload(message));
  }

  @Override
  public void onReturned(StickyWebSocket ws, List<Message> messages) {
    List<Object> payloads = new ArrayList<>();
    for (Message message : messages) {
      payloads.add(payload(message));
    }
    add("returned " + payloads, payloads);
  }

  @Override
  public void onCookieStorage(StickyWebSocket ws, CookieStorageHealth health) {
    add("storage " + health.status(), health);
  }

  @Override
  public void onUnconfirmed(StickyWebSocket ws, List<Message> messages) {
    List<Object> payloads = new ArrayList<>();
    for (Message message : messages) {
      payloads.add(payload(message));
    }
    add("unconfirmed " + payloads, payloads);
  }

  /** The text of a text message, the (read-only) bytes of a binary one. */
  public static Object payload(Message message) {
    return message.isText() ? message.text() : message.binary();
  }

  @Override
  public void onGaveUp(StickyWebSocket ws, Throwable cause, int attempts, Duration elapsed) {
    add("gaveUp " + attempts, cause);
  }

  @Override
  public void onClosed(StickyWebSocket ws, int code, String reason) {
    add("closed " + code, reason);
  }

  private synchronized void add(String event, Object detail) {
    events.add(event);
    details.add(detail);
    notifyAll();
  }

  /** @return every event so far */
  public synchronized List<String> events() {
    return new ArrayList<>(events);
  }

  /** @return the detail object recorded with the last event starting with {@code prefix} */
  public synchronized Object lastDetail(String prefix) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).startsWith(prefix)) {
        return details.get(i);
      }
    }
    return null;
  }

  /** @return the events starting with {@code prefix} */
  public synchronized List<String> events(String prefix) {
    List<String> matching = new ArrayList<>();
    for (String event : events) {
      if (event.startsWith(prefix)) {
        matching.add(event);
      }
    }
    return matching;
  }

  /** @return the details recorded with the events starting with {@code prefix}, in order */
  public synchronized List<Object> details(String prefix) {
    List<Object> matching = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith(prefix)) {
        matching.add(details.get(i));
      }
    }
    return matching;
  }

  /** Forgets the events so far. */
  public synchronized void clear() {
    events.clear();
    details.clear();
  }

  /**
   * Waits until {@code count} events match, failing after {@code timeout}.
   *
   * @return the matching events
   */
  public synchronized List<String> await(Predicate<String> match, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> matching = new ArrayList<>();
      for (String event : events) {
        if (match.test(event)) {
          matching.add(event);
        }
      }
      if (matching.size() >= count) {
        return matching;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + timeout + " for " + count + " matching events; got "
            + events);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Waits for one event starting with {@code prefix}. */
  public String await(String prefix, Duration timeout) {
    return await(e -> e.startsWith(prefix), 1, timeout).get(0);
  }
}
