package io.stickyws.spi;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Delivery confirmation through a library's own keep-alive pings, for adapters whose library cannot
 * send a ping on demand but counts the pings it sent, the pongs it received and the bytes still in
 * its outbound queue (OkHttp). A pong proves that the peer read every byte written before its
 * ping; so the engine's confirming ping is answered, late, once the messages sent before it have
 * left the library's queue and the library's next own ping after that moment got its pong. An
 * unsolicited pong from the peer counts as an answer too, when the library does not tell them
 * apart.
 *
 * <pre>{@code
 * boolean sent = confirmations.send(() -> ws.send(text), utf8Size(text)); // sendText
 * confirmations.add(payload);                                              // sendPing
 * confirmations.proven(counters).forEach(confirmed);              // before each socket read
 * }</pre>
 *
 * <p>Instances are thread-safe: sends and pings come from the engine, checks from the library's
 * reader thread.
 */
public final class LateConfirmations {
  private final ArrayDeque<Mark> marks = new ArrayDeque<>(4);
  /** Bytes the library's queue took since the connection opened. Guarded by this. */
  private long enqueued;

  /**
   * What the library counts on one connection; read under this instance's lock, so that the queue
   * size is consistent with the bytes {@link #send} counted.
   *
   * <p>Implementations are thread-safe.
   */
  public interface Counters {
    /**
     * The bytes waiting in the library's outbound queue.
     *
     * @return bytes not yet written to the socket
     */
    long queuedBytes();

    /**
     * The pings the library sent on this connection.
     *
     * @return a count that only grows
     */
    int sentPings();

    /**
     * The pongs the library received on this connection.
     *
     * @return a count that only grows
     */
    int receivedPongs();
  }

  /** Creates the bookkeeping of one connection: nothing sent, no ping waiting. */
  public LateConfirmations() {}

  /** A confirming ping waiting for the library's ping that followed its messages out. */
  private static final class Mark {
    final ByteBuffer payload;
    final long bytes;
    int pingAfter = -1;

    Mark(ByteBuffer payload, long bytes) {
      this.payload = payload;
      this.bytes = bytes;
    }
  }

  /**
   * Hands a message to the library and counts its bytes if the library's queue took it; the two
   * happen atomically with respect to {@link #add} and {@link #proven}.
   *
   * @param send hands the message to the library; {@code false} if the library refused it
   * @param bytes the size the library's queue counts for the message
   * @return what {@code send} returned
   */
  public synchronized boolean send(BooleanSupplier send, long bytes) {
    if (!send.getAsBoolean()) {
      return false;
    }
    enqueued += bytes;
    return true;
  }

  /**
   * Remembers a confirming ping: it is answered once everything counted by {@link #send} so far
   * has left the library's queue and a library ping sent after that got its pong.
   *
   * @param payload the ping's payload; copied
   */
  public void add(ByteBuffer payload) {
    ByteBuffer copy = Buffers.copy(payload);
    synchronized (this) {
      marks.addLast(new Mark(copy, enqueued));
    }
  }

  /**
   * Takes the confirming pings the counters now prove answered, oldest first. Allocates nothing
   * while none is answered, so that it can run before every socket read.
   *
   * @param counters the library's counters on this connection; not read while no ping waits
   * @return the payloads of the answered pings, removed from the waiting ones
   */
  public synchronized List<ByteBuffer> proven(Counters counters) {
    if (marks.isEmpty()) {
      return List.of();
    }
    long left = enqueued - counters.queuedBytes();
    int sent = counters.sentPings();
    int pongs = counters.receivedPongs();
    for (Mark mark : marks) { // the library's next ping after this follows the bytes that left
      if (mark.pingAfter < 0 && left >= mark.bytes) {
        mark.pingAfter = sent + 1;
      }
    }
    List<ByteBuffer> answered = List.of();
    while (!marks.isEmpty() && marks.peekFirst().pingAfter > 0
        && pongs >= marks.peekFirst().pingAfter) {
      if (answered.isEmpty()) {
        answered = new ArrayList<>(1);
      }
      answered.add(marks.pollFirst().payload);
    }
    return answered;
  }

  @Override
  public synchronized String toString() {
    return "LateConfirmations{waiting=" + marks.size() + ", enqueued=" + enqueued + "}";
  }
}
