package io.stickyws.samples.examples;

import io.stickyws.StickySession;
import io.stickyws.affinity.SameBackend;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.jakarta.JakartaTransport;
import io.stickyws.spring.StickyWebSocketClient;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * Quick start for Spring's STOMP client: a {@link WebSocketStompClient} on {@link StickyWebSocketClient} with
 * stickyws's own reconnection switched off ({@code reconnect(false)}), a {@code StompSessionHandler} that reconnects
 * itself and subscribes again after every connect, as Spring users write it, and the affinity outcome (SAME /
 * CHANGED) read from the attributes of each new {@link WebSocketSession}. Every {@code connectAsync} goes through the
 * session's cookie jar, so it lands on the backend of the affinity cookie while that backend lives. The STOMP proof
 * (integration-tests' {@code StompStickinessIT}) runs this very client and handler against three Spring STOMP
 * backends behind HAProxy.
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class StompQuickStart {
  private StompQuickStart() {}

  /**
   * Connects to the STOMP endpoint {@code args[0]} ({@code ws://host/stomp}), subscribes to {@code args[1]} (default
   * {@code /topic/ticks}), prints the landing and the first message, and closes.
   */
  public static void main(String[] args) throws InterruptedException {
    WsWebSocketContainer container = new WsWebSocketContainer();  // Tomcat's Jakarta WebSocket client
    StickySession session = StickySession.builder(JakartaTransport.create(container))
        .cookieJar(FileCookieJar.open(Path.of("cookies.txt")))  // sticky across restarts too
        .build();
    WebSocketStompClient stomp = new WebSocketStompClient(
        stickyClient(session, same -> System.out.println("landed, backend " + same)));
    stomp.setMessageConverter(new StringMessageConverter());
    LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    String destination = args.length > 1 ? args[1] : "/topic/ticks";
    try (ReconnectingStompHandler handler = new ReconnectingStompHandler(stomp, URI.create(args[0]), destination,
        messages::add)) {
      handler.connect();
      System.out.println("first message: " + messages.poll(10, TimeUnit.SECONDS));
    } finally {
      session.close();
      container.destroy();
    }
  }

  /**
   * The Spring {@link WebSocketClient} for a STOMP client: {@link StickyWebSocketClient} on {@code session} with
   * reconnection off (the STOMP layer reconnects itself, see {@link ReconnectingStompHandler}), telling
   * {@code onLanding} where each new connection landed: {@link SameBackend#SAME} or {@link SameBackend#CHANGED}
   * against the affinity cookie it sent, {@link SameBackend#UNKNOWN} without one.
   *
   * @param session the session whose cookie jar and affinity token every connection uses
   * @param onLanding called on each new {@link WebSocketSession}, before the STOMP layer sees it
   * @return the client to give to {@link WebSocketStompClient}
   */
  public static WebSocketClient stickyClient(StickySession session, Consumer<SameBackend> onLanding) {
    StickyWebSocketClient sticky = StickyWebSocketClient.builder(session).reconnect(false).build();
    return new WebSocketClient() {
      @Override
      public CompletableFuture<WebSocketSession> execute(WebSocketHandler handler, String uriTemplate,
          Object... uriVariables) {
        return sticky.execute(reportingLanding(handler), uriTemplate, uriVariables);
      }

      @Override
      public CompletableFuture<WebSocketSession> execute(WebSocketHandler handler, WebSocketHttpHeaders headers,
          URI uri) {
        return sticky.execute(reportingLanding(handler), headers, uri);
      }

      private WebSocketHandler reportingLanding(WebSocketHandler handler) {
        return new WebSocketHandlerDecorator(handler) {
          @Override
          public void afterConnectionEstablished(WebSocketSession webSocketSession) throws Exception {
            onLanding.accept((SameBackend) webSocketSession.getAttributes().get(StickyWebSocketClient.SAME_BACKEND));
            super.afterConnectionEstablished(webSocketSession);
          }
        };
      }
    };
  }

  /**
   * A subscription's frame handler that reads each payload as a string (with {@link StringMessageConverter}).
   *
   * @param onMessage receives each payload
   * @return the handler to give to {@link StompSession#subscribe}
   */
  public static StompFrameHandler strings(Consumer<String> onMessage) {
    return new StompFrameHandler() {
      @Override
      public Type getPayloadType(StompHeaders headers) {
        return String.class;
      }

      @Override
      public void handleFrame(StompHeaders headers, Object payload) {
        onMessage.accept((String) payload);
      }
    };
  }

  /**
   * A {@code StompSessionHandler} as Spring users write it: connects, subscribes to one destination on every
   * connect, and after a lost connection (or a failed connect) connects again 200 ms later, until closed.
   *
   * <p>Thread-safe.
   */
  public static final class ReconnectingStompHandler extends StompSessionHandlerAdapter implements AutoCloseable {
    private final WebSocketStompClient stomp;
    private final URI uri;
    private final String destination;
    private final Consumer<String> onMessage;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "stomp-reconnect");
      thread.setDaemon(true);
      return thread;
    });
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private volatile boolean closed;
    private volatile StompSession current;

    /**
     * A handler that is not connected yet.
     *
     * @param stomp the STOMP client (on {@link #stickyClient})
     * @param uri the STOMP endpoint
     * @param destination what to subscribe to on every connect
     * @param onMessage receives each message's payload as a string
     */
    public ReconnectingStompHandler(WebSocketStompClient stomp, URI uri, String destination,
        Consumer<String> onMessage) {
      this.stomp = stomp;
      this.uri = uri;
      this.destination = destination;
      this.onMessage = onMessage;
    }

    /** Connects (again): a new {@code connectAsync}, retried after 200 ms if it fails; nothing once closed. */
    public void connect() {
      if (!closed) {
        stomp.connectAsync(uri.toString(), this).whenComplete((s, failure) -> {
          if (failure != null) {
            retryLater();
          }
        });
      }
    }

    private void retryLater() {
      if (!closed && retryScheduled.compareAndSet(false, true)) {
        retries.schedule(() -> {
          retryScheduled.set(false);
          connect();
        }, 200, TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void afterConnected(StompSession stompSession, StompHeaders connectedHeaders) {
      current = stompSession;
      stompSession.subscribe(destination, strings(onMessage));
      subscriptions.incrementAndGet();
    }

    @Override
    public void handleTransportError(StompSession stompSession, Throwable exception) {
      if (!stompSession.isConnected()) {
        retryLater();
      }
    }

    /**
     * How many times this handler subscribed: once per connect.
     *
     * @return the number of subscriptions so far
     */
    public int subscriptions() {
      return subscriptions.get();
    }

    /** Stops reconnecting and disconnects the current STOMP session. */
    @Override
    public void close() {
      closed = true;
      retries.shutdownNow();
      StompSession s = current;
      if (s != null && s.isConnected()) {
        s.disconnect();
      }
    }
  }
}
