package io.stickyws;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Delivery confirmation: the messages handed to the current connection that no pong has confirmed
 * yet. Every message is numbered when handed over; every ping carries its own number and remembers
 * how many messages went before it; a pong to that ping confirms them. Bounded like the queue: the
 * oldest beyond its capacity are assumed delivered.
 *
 * <p>Not thread-safe: guarded by the connection's lock.
 */
final class UnconfirmedWindow {
  private final int maxMessages;
  private final long maxBytes;
  private final ArrayDeque<Sent> sent = new ArrayDeque<>(4);
  private final Map<Long, Long> pingMarks = new HashMap<>(4);
  private long bytes;
  private long sentSeq;
  private long pings;

  UnconfirmedWindow(int maxMessages, long maxBytes) {
    this.maxMessages = Math.max(1, maxMessages);
    this.maxBytes = maxBytes;
  }

  /** A message handed to the transport, numbered in send order. */
  static final class Sent {
    final long seq;
    final Message message;

    Sent(long seq, Message message) {
      this.seq = seq;
      this.message = message;
    }
  }

  /** Remembers a message handed to the transport. */
  Sent track(Message message) {
    Sent entry = new Sent(++sentSeq, message);
    sent.addLast(entry);
    bytes += message.size();
    while (sent.size() > maxMessages || (bytes > maxBytes && sent.size() > 1)) {
      bytes -= sent.pollFirst().message.size(); // too old to keep: assumed delivered
    }
    return entry;
  }

  /** Forgets a message the transport refused after all. */
  void untrack(Sent entry) {
    if (sent.removeLastOccurrence(entry)) {
      bytes -= entry.message.size();
    }
  }

  /** The payload of the next ping, whose pong confirms every message tracked so far. */
  ByteBuffer nextPing() {
    long n = ++pings;
    pingMarks.put(n, sentSeq);
    return ByteBuffer.allocate(Long.BYTES).putLong(0, n);
  }

  /** A pong arrived: confirms the messages sent before its ping. */
  void onPong(ByteBuffer payload) {
    if (payload == null || payload.remaining() != Long.BYTES) {
      return;
    }
    long n = payload.getLong(payload.position());
    Long mark = pingMarks.remove(n);
    if (mark == null) {
      return;
    }
    pingMarks.keySet().removeIf(k -> k < n);
    while (!sent.isEmpty() && sent.peekFirst().seq <= mark) {
      bytes -= sent.pollFirst().message.size();
    }
  }

  boolean isEmpty() {
    return sent.isEmpty();
  }

  /** Empties the window (the connection ended): the messages in send order. */
  List<Message> takeAll() {
    List<Message> messages = new ArrayList<>(sent.size());
    for (Sent entry : sent) {
      messages.add(entry.message);
    }
    sent.clear();
    pingMarks.clear();
    bytes = 0;
    return messages;
  }
}
