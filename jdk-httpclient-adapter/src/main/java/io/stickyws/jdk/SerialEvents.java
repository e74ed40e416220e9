package io.stickyws.jdk;

import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.TransportListener;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the events of one attempt to the engine's listener one at a time, in the order they were
 * reported, with exactly one terminal event and nothing after it. The JDK calls its listener
 * sequentially, but the adapter also reports events of its own (an abort, a failed handshake) from
 * other threads; those are queued and delivered by whichever thread is delivering already (no lock
 * held, no thread of our own).
 *
 * <p>Thread-safe.
 */
final class SerialEvents {
  private static final Logger log = LoggerFactory.getLogger(SerialEvents.class);

  private final TransportListener listener;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean terminal = new AtomicBoolean();

  SerialEvents(TransportListener listener) {
    this.listener = listener;
  }

  /** @return {@code true} once a terminal event was reported */
  boolean terminated() {
    return terminal.get();
  }

  void open(HandshakeResponse response) {
    event(() -> listener.onOpen(response));
  }

  void text(String text) {
    event(() -> listener.onText(text));
  }

  void binary(ByteBuffer data) {
    event(() -> listener.onBinary(data));
  }

  void pong(ByteBuffer payload) {
    event(() -> listener.onPong(payload));
  }

  /** @return {@code true} if this was the terminal event */
  boolean closed(int code, String reason, boolean remote) {
    return terminal(() -> listener.onClosed(code, reason, remote));
  }

  /** @return {@code true} if this was the terminal event */
  boolean failure(Throwable cause, HandshakeResponse response) {
    return terminal(() -> listener.onFailure(cause, response));
  }

  private void event(Runnable call) {
    if (!terminal.get()) {
      enqueue(call);
    }
  }

  private boolean terminal(Runnable call) {
    if (!terminal.compareAndSet(false, true)) {
      return false;
    }
    enqueue(call);
    return true;
  }

  private void enqueue(Runnable call) {
    queue.add(call);
    if (pending.getAndIncrement() != 0) {
      return; // the thread delivering now delivers this one too
    }
    do {
      Runnable next = queue.poll();
      try {
        next.run();
      } catch (Throwable t) {
        log.warn("transport listener threw; ignored", t);
      }
    } while (pending.decrementAndGet() != 0);
  }
}
