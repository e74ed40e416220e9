package io.stickyws;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded queue of messages waiting for the next open, with the session's overflow policy.
 *
 * <p>Not thread-safe: guarded by the connection's lock.
 */
final class OutboundQueue {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  private final String logName;
  private final int maxMessages;
  private final long maxBytes;
  private final OverflowPolicy overflow;
  private final ArrayDeque<Message> queue = new ArrayDeque<>(4);
  private long bytes;

  OutboundQueue(String logName, int maxMessages, long maxBytes, OverflowPolicy overflow) {
    this.logName = logName;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.overflow = overflow;
  }

  /**
   * Queues a message, applying the overflow policy.
   *
   * @param dropped receives the messages pushed out under {@link OverflowPolicy#DROP_OLDEST}
   * @return {@code false} if the message was refused
   */
  boolean offer(Message message, List<Message> dropped) {
    long size = message.size();
    if (size > maxBytes || maxMessages == 0) {
      log.debug("{}: message of {} bytes refused: queue capacity is {} messages, {} bytes",
          logName, size, maxMessages, maxBytes);
      return false;
    }
    boolean full = queue.size() >= maxMessages || bytes + size > maxBytes;
    if (full && overflow == OverflowPolicy.REJECT) {
      log.debug("{}: queue full ({} messages, {} bytes); message refused",
          logName, queue.size(), bytes);
      return false;
    }
    while (queue.size() >= maxMessages || bytes + size > maxBytes) {
      Message oldest = queue.pollFirst();
      bytes -= oldest.size();
      dropped.add(oldest);
    }
    queue.addLast(message);
    bytes += size;
    return true;
  }

  /** Puts messages back at the head, in their order, whatever the capacity. */
  void pushFront(List<Message> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      queue.addFirst(messages.get(i));
      bytes += messages.get(i).size();
    }
  }

  /** Empties the queue. */
  List<Message> takeAll() {
    List<Message> all = new ArrayList<>(queue);
    queue.clear();
    bytes = 0;
    return all;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queue.size();
  }
}
