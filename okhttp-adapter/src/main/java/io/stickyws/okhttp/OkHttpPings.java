package io.stickyws.okhttp;

import io.stickyws.spi.LateConfirmations;
import io.stickyws.spi.PongBacklog;
import io.stickyws.spi.WatchedSocketFactory;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import okhttp3.WebSocket;
import okio.ByteString;
import okio.Utf8;

/**
 * What OkHttp's own pings tell one connection, read from the ping and pong counters of its
 * WebSocket ({@code sentPingCount()}, {@code receivedPongCount()}, {@code receivedPingCount()}:
 * public methods of OkHttp's {@code RealWebSocket} in 4.12 and 5.x, found by reflection; where they
 * are missing, neither job below is done and the connection works as before).
 *
 * <ul>
 *   <li><b>Delivery confirmation</b> ({@link LateConfirmations}). OkHttp cannot ping on demand,
 *       but it pings every {@code pingInterval} and fails the socket when a pong is missing. A pong
 *       proves the peer read every byte written before its ping. So the engine's confirming ping
 *       is answered (late) once the messages sent before it have left OkHttp's queue
 *       ({@link WebSocket#queueSize()}) and OkHttp's next own ping after that got its pong. An
 *       unsolicited pong from the peer counts as an answer too (OkHttp does not tell them apart).
 *   <li><b>Ping flood</b> ({@link PongBacklog}). OkHttp queues a pong for every ping it reads,
 *       without a bound; a peer that pings and never reads fills the heap. Each read first
 *       compares the pings OkHttp read with the writes that completed on the socket (a pong is one
 *       write); when more than {@value #MAX_PENDING_PONGS} pings are ahead of the writes, the read
 *       fails, OkHttp fails the connection with that cause and closes the socket.
 * </ul>
 *
 * <p>Thread-safe: reads and writes come from OkHttp's reader and writer threads, sends and pings
 * from the engine.
 */
final class OkHttpPings implements WatchedSocketFactory.Observer, LateConfirmations.Counters {
  /** How many pings a peer may send ahead of the pongs written before the connection is dropped. */
  static final int MAX_PENDING_PONGS = 16_384;

  private static final Class<?> REAL_WEB_SOCKET = realWebSocket();
  private static final MethodHandle SENT_PINGS = counter("sentPingCount");
  private static final MethodHandle RECEIVED_PONGS = counter("receivedPongCount");
  private static final MethodHandle RECEIVED_PINGS = counter("receivedPingCount");

  private final boolean confirms;
  private final Consumer<ByteBuffer> confirmed;
  private final LateConfirmations confirmations = new LateConfirmations();
  private final PongBacklog backlog = new PongBacklog(MAX_PENDING_PONGS);
  private volatile WebSocket webSocket;

  /**
   * @param pingInterval OkHttp's ping interval on this connection in milliseconds, 0 for none
   * @param confirmed told the payload of each confirming ping once it is answered, on an OkHttp
   *     thread or the engine's
   */
  OkHttpPings(int pingInterval, Consumer<ByteBuffer> confirmed) {
    this.confirms = pingInterval > 0 && SENT_PINGS != null && RECEIVED_PONGS != null;
    this.confirmed = confirmed;
  }

  /** The connection opened on {@code ws}: counting starts (on OkHttp's own WebSocket only). */
  void opened(WebSocket ws) {
    if (REAL_WEB_SOCKET != null && REAL_WEB_SOCKET.isInstance(ws)) {
      webSocket = ws;
    }
  }

  /** Sends a text message, counting the bytes OkHttp's queue takes (its UTF-8 size). */
  boolean send(WebSocket ws, String text) {
    return confirmations.send(() -> ws.send(text), Utf8.size(text));
  }

  /** Sends a binary message, counting the bytes OkHttp's queue takes. */
  boolean send(WebSocket ws, ByteString data) {
    return confirmations.send(() -> ws.send(data), data.size());
  }

  /** Remembers a confirming ping; {@code false} when OkHttp does not ping on this connection. */
  boolean confirmLater(ByteBuffer payload) {
    if (!confirms || webSocket == null) {
      return false;
    }
    confirmations.add(payload);
    confirmations.proven(this).forEach(confirmed);
    return true;
  }

  @Override
  public void beforeRead() throws IOException {
    WebSocket ws = webSocket;
    if (ws != null && RECEIVED_PINGS != null) {
      backlog.check(count(RECEIVED_PINGS, ws));
    }
    if (confirms) {
      confirmations.proven(this).forEach(confirmed);
    }
  }

  @Override
  public void afterWrite() {
    backlog.wrote();
  }

  @Override
  public long queuedBytes() {
    return webSocket.queueSize(); // read only while a confirming ping waits: set by then
  }

  @Override
  public int sentPings() {
    return count(SENT_PINGS, webSocket);
  }

  @Override
  public int receivedPongs() {
    return count(RECEIVED_PONGS, webSocket);
  }

  private static Class<?> realWebSocket() {
    try {
      return Class.forName("okhttp3.internal.ws.RealWebSocket", false,
          WebSocket.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static MethodHandle counter(String name) {
    if (REAL_WEB_SOCKET == null) {
      return null;
    }
    try {
      return MethodHandles.publicLookup()
          .findVirtual(REAL_WEB_SOCKET, name, MethodType.methodType(int.class))
          .asType(MethodType.methodType(int.class, Object.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  private static int count(MethodHandle counter, WebSocket ws) {
    try {
      return (int) counter.invokeExact((Object) ws);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("OkHttp's ping counter failed", e);
    }
  }
}
