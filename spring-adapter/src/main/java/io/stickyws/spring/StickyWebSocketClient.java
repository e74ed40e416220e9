package io.stickyws.spring;

import io.stickyws.StickySession;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * A Spring {@link WebSocketClient} whose connections run on a {@link StickySession}: the cookie
 * jar, the backend-affinity token and the reconnect policy apply to every handshake, so
 * {@code WebSocketConnectionManager} and {@code WebSocketStompClient} users get them by changing
 * one constructor argument.
 *
 * <pre>{@code
 * WebSocketClient client = StickyWebSocketClient.create(stickySession);
 * WebSocketStompClient stomp = new WebSocketStompClient(
 *     StickyWebSocketClient.builder(stickySession).reconnect(false).build());
 * }</pre>
 *
 * <p>Spring's contract is one {@link WebSocketSession} per connection: after a reconnect the same
 * {@link WebSocketHandler} sees {@code handleTransportError} (when there was a cause) and
 * {@code afterConnectionClosed} for the old session, then {@code afterConnectionEstablished} with
 * a new one. Each session's attributes say how it landed: {@link #SAME_BACKEND} ({@code SAME},
 * {@code CHANGED} or {@code UNKNOWN}), {@link #AFFINITY} (the token, when one is known) and
 * {@link #ATTEMPT}. Closing a session closes the sticky connection for good.
 *
 * <p>With {@code reconnect(false)} a connection that ends is not retried: the application (a STOMP
 * layer that reconnects itself) calls {@code execute} again, and the new handshake still goes
 * through the session's jar and lands on the same backend. The returned future completes with the
 * first session, or fails when the connection ends (gives up, or with reconnection off, fails)
 * before its first open.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class StickyWebSocketClient implements WebSocketClient {
  /** Session attribute: the {@code io.stickyws.affinity.SameBackend} outcome of this open. */
  public static final String SAME_BACKEND = "io.stickyws.sameBackend";
  /** Session attribute: the {@code io.stickyws.affinity.AffinityToken} held, absent if none. */
  public static final String AFFINITY = "io.stickyws.affinity";
  /** Session attribute: which attempt of the outage opened this session (an {@link Integer}). */
  public static final String ATTEMPT = "io.stickyws.attempt";

  private final StickySession session;
  private final boolean reconnect;

  private StickyWebSocketClient(Builder builder) {
    this.session = builder.session;
    this.reconnect = builder.reconnect;
  }

  /**
   * A client on {@code session} that reconnects with its policy.
   *
   * @param session the sticky session; the application closes it
   * @return the client
   */
  public static StickyWebSocketClient create(StickySession session) {
    return builder(session).build();
  }

  /**
   * A builder on {@code session}.
   *
   * @param session the sticky session; the application closes it
   * @return a new builder
   */
  public static Builder builder(StickySession session) {
    return new Builder(session);
  }

  /**
   * Connects to a URI template expanded with {@code uriVariables} and encoded, as Spring's clients do.
   *
   * @param handler receives the sessions of this connection
   * @param uriTemplate a {@code ws://} or {@code wss://} URI template
   * @param uriVariables the template's variables
   * @return completes with the first session
   */
  @Override
  public CompletableFuture<WebSocketSession> execute(
      WebSocketHandler handler, String uriTemplate, Object... uriVariables) {
    Objects.requireNonNull(uriTemplate, "uriTemplate == null");
    URI uri = UriComponentsBuilder.fromUriString(uriTemplate).buildAndExpand(uriVariables)
        .encode().toUri();
    return execute(handler, null, uri);
  }

  /**
   * Connects to {@code uri}, sending {@code headers} on every handshake of this connection.
   *
   * @param handler receives the sessions of this connection
   * @param headers extra handshake headers ({@code Sec-WebSocket-Protocol}, {@code Authorization}),
   *     or {@code null}
   * @param uri a {@code ws://} or {@code wss://} URI
   * @return completes with the first session, or fails if the connection ends before it opened
   * @throws IllegalArgumentException if the URI is not a ws or wss URI with a host
   * @throws IllegalStateException if the sticky session is closed
   */
  @Override
  public CompletableFuture<WebSocketSession> execute(
      WebSocketHandler handler, WebSocketHttpHeaders headers, URI uri) {
    Objects.requireNonNull(handler, "handler == null");
    Objects.requireNonNull(uri, "uri == null");
    Map<String, List<String>> sent = new LinkedHashMap<>();
    if (headers != null) {
      headers.forEach((name, values) -> sent.put(name, List.copyOf(values)));
    }
    SessionBridge bridge = new SessionBridge(handler, uri, sent, reconnect);
    bridge.start(session.connect(uri, sent, bridge));
    return bridge.firstSession();
  }

  /**
   * The sticky session the connections run on.
   *
   * @return the session
   */
  public StickySession session() {
    return session;
  }

  /**
   * Whether a connection that ends is retried with the session's reconnect policy.
   *
   * @return {@code true} by default
   */
  public boolean reconnect() {
    return reconnect;
  }

  @Override
  public String toString() {
    return "StickyWebSocketClient{" + session.transport().name() + ", reconnect=" + reconnect + "}";
  }

  /**
   * Builds a {@link StickyWebSocketClient}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final StickySession session;
    private boolean reconnect = true;

    private Builder(StickySession session) {
      this.session = Objects.requireNonNull(session, "session == null");
    }

    /**
     * Whether to retry a connection that ends (default {@code true}). Off for a STOMP client that
     * reconnects itself: each of its {@code connectAsync} calls is then one attempt.
     *
     * @param reconnect {@code false} to end a connection at its first disconnect
     * @return this builder
     */
    public Builder reconnect(boolean reconnect) {
      this.reconnect = reconnect;
      return this;
    }

    /**
     * Builds the client.
     *
     * @return the client
     */
    public StickyWebSocketClient build() {
      return new StickyWebSocketClient(this);
    }
  }
}
