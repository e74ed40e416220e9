package io.stickyws.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.stickyws.ObservedConnection;
import io.stickyws.SessionEvent;
import io.stickyws.SessionObserver;
import io.stickyws.StickyWebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters for every connection of the {@link io.stickyws.StickySession}s it observes:
 * how often clients connect and reconnect, how long they stay down and up, how often the balancer
 * moved them, how full their queues get. One line binds it:
 *
 * <pre>{@code
 * StickySession session = StickySession.builder(transport)
 *     .observer(StickyWebSocketMetrics.of(meterRegistry))
 *     .build();
 * }</pre>
 *
 * <p>The meters (their names and tags are a contract):
 *
 * <ul>
 *   <li>{@value #CONNECT_ATTEMPTS}: counter; {@code kind=initial|reconnect},
 *       {@code outcome=open|failed}, {@code error.type} (see
 *       {@link SessionEvent.Failure#errorType()}; {@code none} when it opened);
 *   <li>{@value #RECONNECT_DURATION}: timer, from a drop to the reopen;
 *   <li>{@value #CONNECTION_DURATION}: timer, from an open to its end; {@code close.code};
 *   <li>{@value #CONNECTIONS}: gauge of the connections in each
 *       {@code state=connecting|open|reconnecting|closing};
 *   <li>{@value #AFFINITY_OPENS}: counter; {@code same=same|changed|unknown}, {@code balancer}
 *       (the balancer convention of the token, {@code none} without one);
 *   <li>{@value #AFFINITY_DROPPED}: counter; {@code reason=failures|drain|application};
 *   <li>{@value #QUEUE_SIZE}: gauge of the messages waiting in outbound queues;
 *   <li>{@value #QUEUE_OVERFLOW}: counter of messages refused or discarded;
 *       {@code policy=reject|drop_oldest};
 *   <li>{@value #MESSAGES_UNCONFIRMED}: counter of messages a failed connection had not
 *       confirmed;
 *   <li>{@value #HEARTBEAT_RTT}: timer, from a ping the engine sent (heartbeat or delivery
 *       confirmation) to its pong;
 *   <li>{@value #GIVEUPS}: counter;
 *       {@code reason=status|close_code|max_attempts|max_elapsed_time|request_refused}.
 * </ul>
 *
 * <p>Every meter has the tags {@code server.address} and {@code server.port} (the host and port of
 * the URI the connection was opened with), the application's own tags from {@link Builder#tag},
 * and {@code url.path} only if {@link Builder#pathTag(boolean)} asks for it. No tag carries a
 * query, a cookie or affinity value, or anything else that grows without bound.
 *
 * <p>One instance may observe several sessions and be bound to several registries; events that
 * arrive before it is bound to a registry are not counted there. Gauges read the connections
 * when the registry asks.
 *
 * <p>Instances are thread-safe.
 */
public final class StickyWebSocketMetrics implements MeterBinder, SessionObserver {
  /** Counter of handshake attempts, by kind, outcome and error type. */
  public static final String CONNECT_ATTEMPTS = "stickyws.connect.attempts";
  /** Timer from a drop to the reopen. */
  public static final String RECONNECT_DURATION = "stickyws.reconnect.duration";
  /** Timer from an open to the end of that connection, by close code. */
  public static final String CONNECTION_DURATION = "stickyws.connection.duration";
  /** Gauge of connections by state. */
  public static final String CONNECTIONS = "stickyws.connections";
  /** Counter of opens by same-backend verdict and balancer convention. */
  public static final String AFFINITY_OPENS = "stickyws.affinity.opens";
  /** Counter of dropped affinity tokens, by reason. */
  public static final String AFFINITY_DROPPED = "stickyws.affinity.dropped";
  /** Gauge of queued outbound messages. */
  public static final String QUEUE_SIZE = "stickyws.queue.size";
  /** Counter of messages refused or discarded by a full queue, by overflow policy. */
  public static final String QUEUE_OVERFLOW = "stickyws.queue.overflow";
  /** Counter of messages a failed connection had not confirmed. */
  public static final String MESSAGES_UNCONFIRMED = "stickyws.messages.unconfirmed";
  /** Timer of heartbeat round trips. */
  public static final String HEARTBEAT_RTT = "stickyws.heartbeat.rtt";
  /** Counter of connections the reconnect policy gave up on, by reason. */
  public static final String GIVEUPS = "stickyws.giveups";

  private static final String SERVER_ADDRESS = "server.address";
  private static final String SERVER_PORT = "server.port";
  private static final String URL_PATH = "url.path";
  private static final Set<String> RESERVED = Set.of(SERVER_ADDRESS, SERVER_PORT, URL_PATH,
      "kind", "outcome", "error.type", "close.code", "state", "same", "balancer", "reason",
      "policy");
  private static final List<StickyWebSocket.State> GAUGED_STATES = List.of(
      StickyWebSocket.State.CONNECTING, StickyWebSocket.State.OPEN,
      StickyWebSocket.State.RECONNECTING, StickyWebSocket.State.CLOSING);

  private final Tags tags;
  private final boolean pathTag;
  private final Object lock = new Object();
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  /** Endpoints (host, port, maybe path) seen so far; each has its gauges in every registry. */
  private final Map<Endpoint, Endpoint> endpoints = new ConcurrentHashMap<>();
  /** Connections between their first event and their terminal one, by id. */
  private final Map<Long, Tracked> live = new ConcurrentHashMap<>();

  private StickyWebSocketMetrics(Builder b) {
    this.tags = Tags.of(b.tags);
    this.pathTag = b.pathTag;
  }

  /**
   * Metrics with no tags of the application's own, bound to {@code registry}.
   *
   * @param registry the registry
   * @return the metrics, to register with {@link
   *     io.stickyws.StickySession.Builder#observer(SessionObserver)}
   * @throws NullPointerException if {@code registry} is null
   */
  public static StickyWebSocketMetrics of(MeterRegistry registry) {
    StickyWebSocketMetrics metrics = builder().build();
    metrics.bindTo(registry);
    return metrics;
  }

  /**
   * A builder for metrics with tags of the application's own, or the {@code url.path} tag.
   *
   * @return a builder with no extra tags
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers the meters in {@code registry} too. Binding the same registry twice has no effect.
   *
   * @param registry the registry
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry == null");
    synchronized (lock) {
      for (MeterRegistry bound : registries) {
        if (bound == registry) {
          return;
        }
      }
      registries.add(registry);
      for (Endpoint endpoint : endpoints.values()) {
        registerGauges(endpoint, registry);
      }
    }
  }

  // ---------------------------------------------------------------- events

  @Override
  public void onAttemptStarted(SessionEvent.AttemptStarted event) {
    track(event.connection());
  }

  @Override
  public void onAttemptFailed(SessionEvent.AttemptFailed event) {
    Endpoint endpoint = track(event.connection());
    count(CONNECT_ATTEMPTS, endpoint, 1, "kind", lower(event.kind()), "outcome", "failed",
        "error.type", event.failure().errorType());
  }

  @Override
  public void onOpened(SessionEvent.Opened event) {
    Endpoint endpoint = track(event.connection());
    count(CONNECT_ATTEMPTS, endpoint, 1, "kind", lower(event.kind()), "outcome", "open",
        "error.type", "none");
    count(AFFINITY_OPENS, endpoint, 1, "same", lower(event.sameBackend()),
        "balancer", event.balancer().orElse("none"));
    event.sinceDrop().ifPresent(down -> time(RECONNECT_DURATION, endpoint, down));
  }

  @Override
  public void onDisconnected(SessionEvent.Disconnected event) {
    Endpoint endpoint = track(event.connection());
    time(CONNECTION_DURATION, endpoint, event.connectedFor(),
        "close.code", Integer.toString(event.closeCode()));
  }

  @Override
  public void onAffinityDropped(SessionEvent.AffinityDropped event) {
    count(AFFINITY_DROPPED, track(event.connection()), 1, "reason", lower(event.reason()));
  }

  @Override
  public void onGaveUp(SessionEvent.GaveUp event) {
    Endpoint endpoint = untrack(event.connection());
    count(GIVEUPS, endpoint, 1, "reason", lower(event.reason()));
  }

  @Override
  public void onClosed(SessionEvent.Closed event) {
    Endpoint endpoint = untrack(event.connection());
    event.connectedFor().ifPresent(open -> time(CONNECTION_DURATION, endpoint, open,
        "close.code", Integer.toString(event.code())));
  }

  @Override
  public void onQueueOverflow(SessionEvent.QueueOverflow event) {
    count(QUEUE_OVERFLOW, track(event.connection()), event.messages(),
        "policy", lower(event.policy()));
  }

  @Override
  public void onUnconfirmed(SessionEvent.Unconfirmed event) {
    count(MESSAGES_UNCONFIRMED, track(event.connection()), event.messages());
  }

  @Override
  public void onHeartbeat(SessionEvent.Heartbeat event) {
    time(HEARTBEAT_RTT, track(event.connection()), event.roundTrip());
  }

  // ---------------------------------------------------------------- meters

  private void count(String name, Endpoint endpoint, double amount, String... keyValues) {
    for (MeterRegistry registry : registries) {
      Counter.builder(name)
          .description(description(name))
          .tags(endpoint.tags)
          .tags(keyValues)
          .register(registry)
          .increment(amount);
    }
  }

  private void time(String name, Endpoint endpoint, Duration duration, String... keyValues) {
    for (MeterRegistry registry : registries) {
      Timer.builder(name)
          .description(description(name))
          .tags(endpoint.tags)
          .tags(keyValues)
          .register(registry)
          .record(duration);
    }
  }

  /** Under lock. */
  private void registerGauges(Endpoint endpoint, MeterRegistry registry) {
    for (StickyWebSocket.State state : GAUGED_STATES) {
      Gauge.builder(CONNECTIONS, endpoint, e -> connections(e, state))
          .description(description(CONNECTIONS))
          .tags(endpoint.tags)
          .tag("state", lower(state))
          .register(registry);
    }
    Gauge.builder(QUEUE_SIZE, endpoint, this::queued)
        .description(description(QUEUE_SIZE))
        .baseUnit("messages")
        .tags(endpoint.tags)
        .register(registry);
  }

  private double connections(Endpoint endpoint, StickyWebSocket.State state) {
    int n = 0;
    for (Tracked tracked : live.values()) {
      if (tracked.endpoint == endpoint && tracked.connection.state() == state) {
        n++;
      }
    }
    return n;
  }

  private double queued(Endpoint endpoint) {
    long n = 0;
    for (Tracked tracked : live.values()) {
      if (tracked.endpoint == endpoint) {
        n += tracked.connection.queuedMessages();
      }
    }
    return n;
  }

  private static String description(String name) {
    switch (name) {
      case CONNECT_ATTEMPTS:
        return "WebSocket handshake attempts, by kind, outcome and error type";
      case RECONNECT_DURATION:
        return "Time from a dropped connection to the reopen";
      case CONNECTION_DURATION:
        return "Time a connection stayed open, by close code";
      case CONNECTIONS:
        return "Sticky connections by state";
      case AFFINITY_OPENS:
        return "Opens by same-backend verdict and balancer convention";
      case AFFINITY_DROPPED:
        return "Affinity tokens dropped, by reason";
      case QUEUE_SIZE:
        return "Messages waiting in outbound queues";
      case QUEUE_OVERFLOW:
        return "Messages refused or discarded by a full outbound queue, by policy";
      case MESSAGES_UNCONFIRMED:
        return "Messages a failed connection had not confirmed";
      case HEARTBEAT_RTT:
        return "Time from a ping the engine sent (heartbeat or delivery confirmation) to its pong";
      default:
        return "Connections the reconnect policy gave up on, by reason";
    }
  }

  // ---------------------------------------------------------------- connections

  private Endpoint track(ObservedConnection connection) {
    Tracked tracked = live.get(connection.id());
    if (tracked != null) {
      return tracked.endpoint;
    }
    Endpoint endpoint = endpoint(connection);
    live.putIfAbsent(connection.id(), new Tracked(connection, endpoint));
    return endpoint;
  }

  private Endpoint untrack(ObservedConnection connection) {
    Tracked tracked = live.remove(connection.id());
    return tracked != null ? tracked.endpoint : endpoint(connection);
  }

  private Endpoint endpoint(ObservedConnection connection) {
    Endpoint key = new Endpoint(connection, pathTag ? connection.path() : null, tags);
    Endpoint known = endpoints.get(key);
    if (known != null) {
      return known;
    }
    synchronized (lock) {
      known = endpoints.putIfAbsent(key, key);
      if (known != null) {
        return known;
      }
      for (MeterRegistry registry : registries) {
        registerGauges(key, registry);
      }
      return key;
    }
  }

  private static String lower(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "StickyWebSocketMetrics{tags=" + tags + (pathTag ? ", url.path" : "")
        + ", connections=" + live.size() + "}";
  }

  /** A connection between its first event and its terminal one. */
  private static final class Tracked {
    final ObservedConnection connection;
    final Endpoint endpoint;

    Tracked(ObservedConnection connection, Endpoint endpoint) {
      this.connection = connection;
      this.endpoint = endpoint;
    }
  }

  /** What the common tags of a connection say: host, port, maybe path; with their tags. */
  private static final class Endpoint {
    final String host;
    final int port;
    final String path;
    final Tags tags;

    Endpoint(ObservedConnection connection, String path, Tags userTags) {
      this.host = connection.host();
      this.port = connection.port();
      this.path = path;
      Tags common = Tags.of(SERVER_ADDRESS, host, SERVER_PORT, Integer.toString(port));
      this.tags = (path == null ? common : common.and(URL_PATH, path)).and(userTags);
    }

    @Override
    public boolean equals(Object other) {
      if (!(other instanceof Endpoint)) {
        return false;
      }
      Endpoint that = (Endpoint) other;
      return port == that.port && host.equals(that.host) && Objects.equals(path, that.path);
    }

    @Override
    public int hashCode() {
      return Objects.hash(host, port, path);
    }
  }

  /**
   * Builds {@link StickyWebSocketMetrics} with tags of the application's own.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final List<Tag> tags = new ArrayList<>();
    private boolean pathTag;

    private Builder() {}

    /**
     * Adds a tag to every meter, for example the name of the service or of the feature the
     * session serves. Keep its values few: one per session, not one per user or request.
     *
     * @param key the tag key; not one of the keys stickyws sets
     * @param value the tag value
     * @return this
     */
    public Builder tag(String key, String value) {
      Objects.requireNonNull(key, "tag key == null");
      Objects.requireNonNull(value, "tag value == null");
      tags.add(Tag.of(key, value));
      return this;
    }

    /**
     * Adds tags to every meter (see {@link #tag(String, String)}).
     *
     * @param tags the tags
     * @return this
     */
    public Builder tags(Iterable<Tag> tags) {
      Objects.requireNonNull(tags, "tags == null");
      for (Tag tag : tags) {
        Objects.requireNonNull(tag, "tag == null");
        tag(tag.getKey(), tag.getValue());
      }
      return this;
    }

    /**
     * Adds the tag {@code url.path}, the path of the URI without its query, to every meter. Off by
     * default: turn it on only when the paths are few and fixed (no ids in them).
     *
     * @param include whether to tag meters with the path
     * @return this
     */
    public Builder pathTag(boolean include) {
      this.pathTag = include;
      return this;
    }

    /**
     * Validates the tags and builds the metrics.
     *
     * @return the metrics, not yet bound to a registry
     * @throws IllegalArgumentException if a tag key is one stickyws sets, naming it
     */
    public StickyWebSocketMetrics build() {
      for (Tag tag : tags) {
        if (RESERVED.contains(tag.getKey())) {
          throw new IllegalArgumentException(
              "tag key (" + tag.getKey() + ") is set by stickyws; choose another");
        }
      }
      return new StickyWebSocketMetrics(this);
    }
  }
}
