package io.stickyws.it.matrix;

import io.stickyws.HandshakeException;
import io.stickyws.Message;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Records every event of one sticky connection with its time, and the backend each open landed on (from the
 * backend's greeting {@code {"server":"<id>"}}); other texts are the echoes. Waits are bounded.
 *
 * <p>Thread-safe.
 */
class MatrixListener implements StickyWebSocketListener {
  /** One recorded event: its kind ({@code open}, {@code text}, ...), time since creation, and details. */
  static final class Event {
    final String kind;
    final long atMillis;
    final String text;
    final Object detail;

    Event(String kind, long atMillis, String text, Object detail) {
      this.kind = kind;
      this.atMillis = atMillis;
      this.text = text;
      this.detail = detail;
    }

    @Override
    public String toString() {
      return atMillis + "ms " + kind + (text.isEmpty() ? "" : " " + text);
    }
  }

  private final long t0 = System.nanoTime();
  private final List<Event> events = new ArrayList<>();
  private final List<String> servers = new ArrayList<>();
  private final List<String> echoes = new ArrayList<>();
  private volatile Consumer<StickyWebSocket> onFirstDisconnect;
  private boolean disconnectedOnce;

  /** Runs {@code action} (on the event thread) when the first disconnect is reported. */
  void onFirstDisconnect(Consumer<StickyWebSocket> action) {
    this.onFirstDisconnect = action;
  }

  long now() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  @Override
  public void onOpen(StickyWebSocket ws, int attempt, AffinityToken affinity, SameBackend same) {
    add("open", attempt + " " + same + (affinity == null ? " no-token" : " " + affinity.name()), same);
  }

  @Override
  public void onText(StickyWebSocket ws, String text) {
    if (text.startsWith("{\"server\":\"")) {
      String id = text.substring("{\"server\":\"".length(), text.indexOf('"', "{\"server\":\"".length()));
      synchronized (this) {
        servers.add(id);
      }
      add("greeting", id, id);
    } else {
      synchronized (this) {
        echoes.add(text);
      }
      add("echo", text, text);
    }
  }

  @Override
  public void onDisconnected(StickyWebSocket ws, int code, String reason, Throwable cause, boolean willRetry,
      Duration nextDelay) {
    int status = cause instanceof HandshakeException ? ((HandshakeException) cause).status() : 0;
    add("disconnected", code + (status == 0 ? "" : " status " + status)
        + (cause == null ? "" : " " + cause.getClass().getSimpleName())
        + (willRetry ? " retry " + nextDelay.toMillis() + "ms" : " final"), status);
    Consumer<StickyWebSocket> action = onFirstDisconnect;
    boolean first;
    synchronized (this) {
      first = !disconnectedOnce;
      disconnectedOnce = true;
    }
    if (first && action != null) {
      action.accept(ws);
    }
  }

  @Override
  public void onReconnecting(StickyWebSocket ws, int attempt, Duration delay) {
    add("reconnecting", attempt + " in " + delay.toMillis() + "ms", delay);
  }

  @Override
  public void onAffinityChanged(StickyWebSocket ws, AffinityToken from, AffinityToken to) {
    add("affinityChanged", from.name() + " " + from.fingerprint() + " -> " + to.fingerprint(), to);
  }

  @Override
  public void onDropped(StickyWebSocket ws, Message message) {
    Object payload = message.isText() ? message.text() : message.binary();
    add("dropped", String.valueOf(payload), payload);
  }

  @Override
  public void onGaveUp(StickyWebSocket ws, Throwable cause, int attempts, Duration elapsed) {
    add("gaveUp", attempts + " attempts " + cause, cause);
  }

  @Override
  public void onClosed(StickyWebSocket ws, int code, String reason) {
    add("closed", String.valueOf(code), reason);
  }

  private synchronized void add(String kind, String text, Object detail) {
    events.add(new Event(kind, now(), text, detail));
    notifyAll();
  }

  synchronized List<Event> events() {
    return new ArrayList<>(events);
  }

  synchronized List<Event> events(String kind) {
    List<Event> matching = new ArrayList<>();
    for (Event e : events) {
      if (e.kind.equals(kind)) {
        matching.add(e);
      }
    }
    return matching;
  }

  int count(String kind) {
    return events(kind).size();
  }

  /** The backend of every open so far, in order. */
  synchronized List<String> servers() {
    return new ArrayList<>(servers);
  }

  synchronized String lastServer() {
    return servers.isEmpty() ? null : servers.get(servers.size() - 1);
  }

  synchronized List<String> echoes() {
    return new ArrayList<>(echoes);
  }

  /** Every event, one per line, for failure messages. */
  synchronized String log() {
    StringBuilder s = new StringBuilder();
    for (Event e : events) {
      s.append("\n  ").append(e);
    }
    return s.toString();
  }

  /** Waits until at least {@code n} events of {@code kind} were recorded; returns the n-th. */
  Event await(String kind, int n, Duration timeout) {
    List<Event> matching = awaitMatching(e -> e.kind.equals(kind), n, timeout, n + " x " + kind);
    return matching.get(n - 1);
  }

  /** Waits until {@code n} greetings arrived; returns the n-th backend id. */
  String awaitServer(int n, Duration timeout) {
    return (String) await("greeting", n, timeout).detail;
  }

  /** Waits until {@code n} echoes arrived. */
  List<String> awaitEchoes(int n, Duration timeout) {
    awaitMatching(e -> e.kind.equals("echo"), n, timeout, n + " echoes");
    return echoes();
  }

  /** Waits up to {@code duration} for an event of {@code kind}: {@code true} if one came (a bounded negative check). */
  synchronized boolean happensWithin(String kind, Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    int before = count(kind);
    while (true) {
      if (count(kind) > before) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private synchronized List<Event> awaitMatching(Predicate<Event> match, int n, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Event> matching = new ArrayList<>();
      for (Event e : events) {
        if (match.test(e)) {
          matching.add(e);
        }
      }
      if (matching.size() >= n) {
        return matching;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("waited " + timeout + " for " + what + "; events:" + log());
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
