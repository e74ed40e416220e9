package io.stickyws.jdk;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * The server side of a mockwebserver WebSocket: echoes messages, answers close frames, records what
 * it saw, and lets a test act on open.
 *
 * <p>Thread-safe.
 */
final class ServerSocketRecorder extends WebSocketListener {
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
  private final Consumer<WebSocket> onOpen;

  ServerSocketRecorder() {
    this(ws -> {});
  }

  ServerSocketRecorder(Consumer<WebSocket> onOpen) {
    this.onOpen = onOpen;
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    events.add("open");
    onOpen.accept(webSocket);
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    webSocket.send(text);
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteString bytes) {
    webSocket.send(bytes);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    events.add("closing " + code + " " + reason);
    webSocket.close(code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    events.add("closed " + code + " " + reason);
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable t, Response response) {
    events.add("failure " + t.getClass().getSimpleName());
  }

  /** Waits (bounded) for the next event whose text starts with {@code prefix}. */
  String await(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      long left = deadline - System.nanoTime();
      String event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("server saw no " + prefix + " within 5s");
      }
      if (event.startsWith(prefix)) {
        return event;
      }
    }
  }
}
