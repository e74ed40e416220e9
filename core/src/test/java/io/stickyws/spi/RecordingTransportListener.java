package io.stickyws.spi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records the events a transport reports for one attempt, for adapter tests. Waits are bounded.
 *
 * <p>Thread-safe.
 */
public final class RecordingTransportListener implements TransportListener {
  /** One recorded event. */
  public static final class Event {
    public final String type;
    public final HandshakeResponse response;
    public final String text;
    public final ByteBuffer data;
    public final int code;
    public final String reason;
    public final boolean remote;
    public final Throwable cause;

    Event(String type, HandshakeResponse response, String text, ByteBuffer data, int code,
        String reason, boolean remote, Throwable cause) {
      this.type = type;
      this.response = response;
      this.text = text;
      this.data = data;
      this.code = code;
      this.reason = reason;
      this.remote = remote;
      this.cause = cause;
    }

    @Override
    public String toString() {
      return type + (code != 0 ? "(" + code + " " + reason + ")" : "")
          + (cause != null ? "(" + cause + ")" : "")
          + (response != null ? "(" + response + ")" : "")
          + (text != null ? "(" + text + ")" : "");
    }
  }

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<Event> all = new ArrayList<>();

  @Override
  public void onOpen(HandshakeResponse response) {
    add(new Event("open", response, null, null, 0, null, false, null));
  }

  @Override
  public void onText(String text) {
    add(new Event("text", null, text, null, 0, null, false, null));
  }

  @Override
  public void onBinary(ByteBuffer data) {
    add(new Event("binary", null, null, data, 0, null, false, null));
  }

  @Override
  public void onPong(ByteBuffer payload) {
    add(new Event("pong", null, null, payload, 0, null, false, null));
  }

  @Override
  public void onClosed(int code, String reason, boolean remote) {
    add(new Event("closed", null, null, null, code, reason, remote, null));
  }

  @Override
  public void onFailure(Throwable cause, HandshakeResponse response) {
    add(new Event("failure", response, null, null, 0, null, false, cause));
  }

  private void add(Event event) {
    synchronized (all) {
      all.add(event);
    }
    events.add(event);
  }

  /**
   * Takes the next event, failing after {@code timeout}.
   *
   * @param timeout how long to wait
   * @return the event
   */
  public Event take(Duration timeout) {
    try {
      Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("no event within " + timeout + "; so far: " + all());
      }
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Takes events until one of {@code type} arrives, failing after {@code timeout}.
   *
   * @param type the event type: open, text, binary, pong, closed, failure
   * @param timeout how long to wait in all
   * @return the event
   */
  public Event takeUntil(String type, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no " + type + " within " + timeout + "; so far: " + all());
      }
      Event event = take(Duration.ofNanos(left));
      if (event.type.equals(type)) {
        return event;
      }
    }
  }

  /** @return every event recorded so far, in order */
  public List<Event> all() {
    synchronized (all) {
      return new ArrayList<>(all);
    }
  }

  /** @return the number of terminal events (closed or failure) recorded so far */
  public long terminalCount() {
    return all().stream().filter(e -> e.type.equals("closed") || e.type.equals("failure")).count();
  }

  /**
   * Decodes a binary payload as UTF-8, for assertions.
   *
   * @param data the payload
   * @return the text
   */
  public static String utf8(ByteBuffer data) {
    return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
  }
}
