package io.stickyws.okhttp;

import io.stickyws.shaded.okhttp3.Response;
import io.stickyws.shaded.okhttp3.WebSocket;
import io.stickyws.shaded.okhttp3.WebSocketListener;
import io.stickyws.shaded.okio.ByteString;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The backend in tests: echoes text and binary messages, closes with 1012 when told
 * {@code "restart"}, answers close frames, and records what it saw ("open", "closing 1000 bye",
 * "failure").
 */
final class EchoServerListener extends WebSocketListener {
  final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  /** The text messages read, in order. */
  final List<String> received = new CopyOnWriteArrayList<>();
  volatile WebSocket webSocket;

  @Override
  public void onOpen(WebSocket ws, Response response) {
    webSocket = ws;
    events.add("open");
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    received.add(text);
    if (text.equals("restart")) {
      ws.close(1012, "restart");
    } else {
      ws.send(text);
    }
  }

  @Override
  public void onMessage(WebSocket ws, ByteString bytes) {
    ws.send(bytes);
  }

  @Override
  public void onClosing(WebSocket ws, int code, String reason) {
    events.add("closing " + code + " " + reason);
    ws.close(code, reason);
  }

  @Override
  public void onClosed(WebSocket ws, int code, String reason) {
    events.add("closed " + code);
  }

  @Override
  public void onFailure(WebSocket ws, Throwable t, Response response) {
    events.add("failure");
  }

  /** The next event starting with {@code prefix}, waiting at most five seconds in all. */
  String await(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      String event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("server saw no " + prefix + " within 5s");
      }
      if (event.startsWith(prefix)) {
        return event;
      }
    }
  }
}
