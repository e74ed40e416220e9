package io.stickyws.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stickyws.ObservedConnection;
import io.stickyws.OverflowPolicy;
import io.stickyws.SessionEvent;
import io.stickyws.SessionEvent.AttemptKind;
import io.stickyws.SessionEvent.DropReason;
import io.stickyws.SessionEvent.Failure;
import io.stickyws.SessionEvent.GiveUpReason;
import io.stickyws.SessionEvent.StorageOperation;
import io.stickyws.StickyWebSocket.State;
import io.stickyws.affinity.SameBackend;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class StickyWebSocketMetricsTest {
  private static final String SECRET = "s3cr3t";
  private static final String[] SERVER = {"server.address", "lb.example.com", "server.port", "443"};

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StickyWebSocketMetrics metrics = StickyWebSocketMetrics.of(registry);

  /** A connection whose state and queue length the test sets. */
  static final class Conn {
    final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    final AtomicInteger queued = new AtomicInteger();
    final ObservedConnection connection;

    Conn(String uri) {
      connection = ObservedConnection.of(URI.create(uri), state::get, queued::get);
    }
  }

  private final Conn conn = new Conn("wss://lb.example.com/ws/chat?token=" + SECRET);

  @Test
  void countsAttemptsByKindOutcomeAndErrorType() {
    ObservedConnection c = conn.connection;
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(c, 1, AttemptKind.INITIAL));
    metrics.onAttemptFailed(
        SessionEvent.AttemptFailed.of(c, 1, AttemptKind.INITIAL, Failure.httpStatus(503)));
    metrics.onAttemptFailed(SessionEvent.AttemptFailed.of(c, 2, AttemptKind.INITIAL,
        Failure.io(new ConnectException(SECRET))));
    metrics.onOpened(
        SessionEvent.Opened.of(c, 3, AttemptKind.INITIAL, SameBackend.UNKNOWN, "HAProxy", null));
    metrics.onDisconnected(
        SessionEvent.Disconnected.of(c, Failure.closeFrame(1012), Duration.ofSeconds(9), true));
    metrics.onAttemptFailed(SessionEvent.AttemptFailed.of(c, 1, AttemptKind.RECONNECT,
        Failure.handshakeTimeout()));
    metrics.onOpened(SessionEvent.Opened.of(c, 2, AttemptKind.RECONNECT, SameBackend.CHANGED,
        "HAProxy", Duration.ofMillis(350)));

    assertThat(attempts("initial", "failed", "503")).isEqualTo(1);
    assertThat(attempts("initial", "failed", "java.net.ConnectException")).isEqualTo(1);
    assertThat(attempts("initial", "open", "none")).isEqualTo(1);
    assertThat(attempts("reconnect", "failed", "handshake_timeout")).isEqualTo(1);
    assertThat(attempts("reconnect", "open", "none")).isEqualTo(1);
    assertThat(registry.get(StickyWebSocketMetrics.CONNECT_ATTEMPTS).counters())
        .hasSize(5);
  }

  @Test
  void timesEachReconnectFromTheDropToTheReopen() {
    ObservedConnection c = conn.connection;
    metrics.onOpened(
        SessionEvent.Opened.of(c, 1, AttemptKind.INITIAL, SameBackend.UNKNOWN, null, null));
    assertThat(registry.find(StickyWebSocketMetrics.RECONNECT_DURATION).timer()).isNull();

    metrics.onOpened(SessionEvent.Opened.of(c, 1, AttemptKind.RECONNECT, SameBackend.SAME,
        "HAProxy", Duration.ofMillis(350)));
    metrics.onOpened(SessionEvent.Opened.of(c, 3, AttemptKind.RECONNECT, SameBackend.SAME,
        "HAProxy", Duration.ofMillis(1650)));

    Timer timer = registry.get(StickyWebSocketMetrics.RECONNECT_DURATION).tags(SERVER).timer();
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2000.0);
    assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(1650.0);
  }

  @Test
  void timesEachConnectionByItsCloseCode() {
    ObservedConnection c = conn.connection;
    metrics.onDisconnected(
        SessionEvent.Disconnected.of(c, Failure.closeFrame(1012), Duration.ofSeconds(9), true));
    metrics.onDisconnected(
        SessionEvent.Disconnected.of(c, Failure.pongTimeout(), Duration.ofSeconds(4), true));
    metrics.onClosed(SessionEvent.Closed.of(c, 1000, Duration.ofSeconds(2)));

    assertThat(connectionTimer("1012").totalTime(TimeUnit.SECONDS)).isEqualTo(9.0);
    assertThat(connectionTimer("1006").totalTime(TimeUnit.SECONDS)).isEqualTo(4.0);
    assertThat(connectionTimer("1000").count()).isEqualTo(1);
  }

  @Test
  void aCloseBeforeAnyOpenIsNoConnectionDuration() {
    metrics.onClosed(SessionEvent.Closed.of(conn.connection, 1000, null));
    assertThat(registry.find(StickyWebSocketMetrics.CONNECTION_DURATION).timer()).isNull();
  }

  @Test
  void countsOpensBySameBackendAndBalancer() {
    ObservedConnection c = conn.connection;
    metrics.onOpened(
        SessionEvent.Opened.of(c, 1, AttemptKind.INITIAL, SameBackend.UNKNOWN, null, null));
    metrics.onOpened(SessionEvent.Opened.of(c, 1, AttemptKind.RECONNECT, SameBackend.SAME,
        "HAProxy", Duration.ZERO));
    metrics.onOpened(SessionEvent.Opened.of(c, 1, AttemptKind.RECONNECT, SameBackend.CHANGED,
        "HAProxy", Duration.ZERO));
    metrics.onOpened(SessionEvent.Opened.of(c, 1, AttemptKind.RECONNECT, SameBackend.CHANGED,
        "HAProxy", Duration.ZERO));

    assertThat(opens("unknown", "none")).isEqualTo(1);
    assertThat(opens("same", "HAProxy")).isEqualTo(1);
    assertThat(opens("changed", "HAProxy")).isEqualTo(2);
  }

  @Test
  void countsAffinityDropsByReason() {
    ObservedConnection c = conn.connection;
    metrics.onAffinityDropped(SessionEvent.AffinityDropped.of(c, DropReason.FAILURES, "Caddy"));
    metrics.onAffinityDropped(SessionEvent.AffinityDropped.of(c, DropReason.DRAIN, "HAProxy"));
    metrics.onAffinityDropped(SessionEvent.AffinityDropped.of(c, DropReason.DRAIN, null));
    metrics.onAffinityDropped(SessionEvent.AffinityDropped.of(c, DropReason.APPLICATION, null));

    assertThat(counter(StickyWebSocketMetrics.AFFINITY_DROPPED, "reason", "failures"))
        .isEqualTo(1);
    assertThat(counter(StickyWebSocketMetrics.AFFINITY_DROPPED, "reason", "drain")).isEqualTo(2);
    assertThat(counter(StickyWebSocketMetrics.AFFINITY_DROPPED, "reason", "application"))
        .isEqualTo(1);
  }

  @Test
  void countsOverflowingUnconfirmedAndGivenUpAndTimesHeartbeats() {
    ObservedConnection c = conn.connection;
    metrics.onQueueOverflow(SessionEvent.QueueOverflow.of(c, OverflowPolicy.REJECT, 1));
    metrics.onQueueOverflow(SessionEvent.QueueOverflow.of(c, OverflowPolicy.DROP_OLDEST, 3));
    metrics.onQueueOverflow(SessionEvent.QueueOverflow.of(c, OverflowPolicy.DROP_OLDEST, 2));
    metrics.onUnconfirmed(SessionEvent.Unconfirmed.of(c, 4, false));
    metrics.onUnconfirmed(SessionEvent.Unconfirmed.of(c, 1, true));
    metrics.onHeartbeat(SessionEvent.Heartbeat.of(c, Duration.ofMillis(12)));
    metrics.onHeartbeat(SessionEvent.Heartbeat.of(c, Duration.ofMillis(30)));
    metrics.onGaveUp(SessionEvent.GaveUp.of(c, GiveUpReason.MAX_ELAPSED_TIME,
        Failure.httpStatus(502), 9, Duration.ofMinutes(10)));

    assertThat(counter(StickyWebSocketMetrics.QUEUE_OVERFLOW, "policy", "reject")).isEqualTo(1);
    assertThat(counter(StickyWebSocketMetrics.QUEUE_OVERFLOW, "policy", "drop_oldest"))
        .isEqualTo(5);
    assertThat(counter(StickyWebSocketMetrics.MESSAGES_UNCONFIRMED)).isEqualTo(5);
    Timer rtt = registry.get(StickyWebSocketMetrics.HEARTBEAT_RTT).tags(SERVER).timer();
    assertThat(rtt.count()).isEqualTo(2);
    assertThat(rtt.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(42.0);
    assertThat(counter(StickyWebSocketMetrics.GIVEUPS, "reason", "max_elapsed_time"))
        .isEqualTo(1);
  }

  @Test
  void gaugesCountLiveConnectionsByStateUntilTheirTerminalEvent() {
    Conn other = new Conn("wss://lb.example.com/other");
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(conn.connection, 1,
        AttemptKind.INITIAL));
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(other.connection, 1,
        AttemptKind.INITIAL));
    assertThat(connections("connecting")).isEqualTo(2);

    conn.state.set(State.OPEN);
    other.state.set(State.RECONNECTING);
    assertThat(connections("connecting")).isZero();
    assertThat(connections("open")).isEqualTo(1);
    assertThat(connections("reconnecting")).isEqualTo(1);

    other.state.set(State.CLOSED);
    metrics.onGaveUp(SessionEvent.GaveUp.of(other.connection, GiveUpReason.STATUS,
        Failure.httpStatus(401), 1, Duration.ZERO));
    conn.state.set(State.CLOSING);
    assertThat(connections("closing")).isEqualTo(1);
    conn.state.set(State.CLOSED);
    metrics.onClosed(SessionEvent.Closed.of(conn.connection, 1000, Duration.ofSeconds(1)));

    for (String state : List.of("connecting", "open", "reconnecting", "closing")) {
      assertThat(connections(state)).as(state).isZero();
    }
  }

  @Test
  void theQueueGaugeSumsTheQueuesOfLiveConnections() {
    Conn other = new Conn("wss://lb.example.com/other");
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(conn.connection, 1,
        AttemptKind.INITIAL));
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(other.connection, 1,
        AttemptKind.INITIAL));
    conn.queued.set(3);
    other.queued.set(4);
    assertThat(queueSize()).isEqualTo(7.0);

    metrics.onClosed(SessionEvent.Closed.of(other.connection, 1000, null));
    assertThat(queueSize()).isEqualTo(3.0);
  }

  @Test
  void eachBalancerAddressHasItsOwnMeters() {
    Conn elsewhere = new Conn("ws://10.1.2.3:8080/ws");
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(conn.connection, 1,
        AttemptKind.INITIAL));
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(elsewhere.connection, 1,
        AttemptKind.INITIAL));
    elsewhere.queued.set(2);
    conn.queued.set(5);

    assertThat(registry.get(StickyWebSocketMetrics.QUEUE_SIZE)
        .tags("server.address", "10.1.2.3", "server.port", "8080").gauge().value())
        .isEqualTo(2.0);
    assertThat(queueSize()).isEqualTo(5.0);
  }

  @Test
  void tagsNeverCarryAQueryAUserInfoOrAPathByDefault() {
    Conn withSecrets = new Conn("wss://user:" + SECRET + "@lb.example.com/ws/" + "42?token="
        + SECRET);
    oneOfEach(withSecrets.connection);

    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        assertThat(tag.getKey()).isNotEqualTo("url.path");
        assertThat(tag.getValue()).doesNotContain(SECRET).doesNotContain("/ws").doesNotContain("?");
      }
      assertThat(meter.getId().getTag("server.address")).isEqualTo("lb.example.com");
      assertThat(meter.getId().getTag("server.port")).isEqualTo("443");
    }
  }

  @Test
  void thePathIsATagOnlyWhenAskedFor() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    StickyWebSocketMetrics withPath = StickyWebSocketMetrics.builder().pathTag(true).build();
    withPath.bindTo(own);
    withPath.onHeartbeat(SessionEvent.Heartbeat.of(conn.connection, Duration.ofMillis(1)));

    assertThat(own.get(StickyWebSocketMetrics.HEARTBEAT_RTT).timer().getId().getTag("url.path"))
        .isEqualTo("/ws/chat");
  }

  @Test
  void applicationTagsGoOnEveryMeter() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    StickyWebSocketMetrics tagged = StickyWebSocketMetrics.builder()
        .tag("service", "quotes")
        .tags(Tags.of("region", "eu"))
        .build();
    tagged.bindTo(own);
    oneOfEach(tagged, conn.connection);

    assertThat(own.getMeters()).isNotEmpty();
    for (Meter meter : own.getMeters()) {
      assertThat(meter.getId().getTag("service")).isEqualTo("quotes");
      assertThat(meter.getId().getTag("region")).isEqualTo("eu");
    }
  }

  @Test
  void refusesTagsItSetsItself() {
    assertThatThrownBy(() -> StickyWebSocketMetrics.builder().tag("server.address", "x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tag key (server.address) is set by stickyws; choose another");
    assertThatThrownBy(() -> StickyWebSocketMetrics.builder().tag("state", "x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tag key (state) is set by stickyws; choose another");
    assertThatThrownBy(() -> StickyWebSocketMetrics.builder().tag("service", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("tag value == null");
    assertThatThrownBy(() -> StickyWebSocketMetrics.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("registry == null");
  }

  @Test
  void aRegistryBoundLaterGetsTheGaugesOfKnownConnections() {
    metrics.onAttemptStarted(SessionEvent.AttemptStarted.of(conn.connection, 1,
        AttemptKind.INITIAL));
    conn.queued.set(6);
    SimpleMeterRegistry later = new SimpleMeterRegistry();
    metrics.bindTo(later);
    metrics.bindTo(later);
    metrics.onHeartbeat(SessionEvent.Heartbeat.of(conn.connection, Duration.ofMillis(5)));

    assertThat(later.get(StickyWebSocketMetrics.QUEUE_SIZE).gauge().value()).isEqualTo(6.0);
    assertThat(later.get(StickyWebSocketMetrics.HEARTBEAT_RTT).timer().count()).isEqualTo(1);
    assertThat(registry.get(StickyWebSocketMetrics.HEARTBEAT_RTT).timer().count()).isEqualTo(1);
  }

  @Test
  void cookieStorageEventsAddNoMeter() {
    metrics.onCookieStorageFailed(SessionEvent.CookieStorageFailed.of(StorageOperation.PERSIST,
        Object.class, new IOException(SECRET)));
    metrics.onCookieStorageRecovered(
        SessionEvent.CookieStorageRecovered.of(StorageOperation.PERSIST, Object.class));
    assertThat(registry.getMeters()).isEmpty();
  }

  /**
   * The meter names and tag keys are a contract written in the module's README: the meters this
   * class registers and the README's table must say the same.
   */
  @Test
  void theReadmeListsExactlyTheMetersAndTheirTags() throws IOException {
    oneOfEach(conn.connection);
    Map<String, Set<String>> registered = new TreeMap<>();
    for (Meter meter : registry.getMeters()) {
      Set<String> keys = registered.computeIfAbsent(meter.getId().getName(), n -> new TreeSet<>());
      meter.getId().getTags().stream().map(Tag::getKey)
          .filter(k -> !k.equals("server.address") && !k.equals("server.port"))
          .forEach(keys::add);
    }

    assertThat(readmeTable()).isEqualTo(registered);
    assertThat(registered).containsOnlyKeys(StickyWebSocketMetrics.CONNECT_ATTEMPTS,
        StickyWebSocketMetrics.RECONNECT_DURATION, StickyWebSocketMetrics.CONNECTION_DURATION,
        StickyWebSocketMetrics.CONNECTIONS, StickyWebSocketMetrics.AFFINITY_OPENS,
        StickyWebSocketMetrics.AFFINITY_DROPPED, StickyWebSocketMetrics.QUEUE_SIZE,
        StickyWebSocketMetrics.QUEUE_OVERFLOW, StickyWebSocketMetrics.MESSAGES_UNCONFIRMED,
        StickyWebSocketMetrics.HEARTBEAT_RTT, StickyWebSocketMetrics.GIVEUPS);
  }

  /**
   * Rows {@code | `name` | type | `key` (values), `key` | ...} of micrometer/README.md: the
   * backticked words of the third cell are the tag keys.
   */
  private static Map<String, Set<String>> readmeTable() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    Map<String, Set<String>> table = new TreeMap<>();
    Pattern row = Pattern.compile("^\\| `(stickyws\\.[a-z.]+)` \\|[^|]*\\|([^|]*)\\|",
        Pattern.MULTILINE);
    Pattern key = Pattern.compile("`([^`]+)`");
    Matcher m = row.matcher(readme);
    while (m.find()) {
      Set<String> keys = new TreeSet<>();
      Matcher k = key.matcher(m.group(2));
      while (k.find()) {
        keys.add(k.group(1));
      }
      table.put(m.group(1), keys);
    }
    return table;
  }

  private void oneOfEach(ObservedConnection c) {
    oneOfEach(metrics, c);
  }

  private static void oneOfEach(StickyWebSocketMetrics target, ObservedConnection c) {
    target.onAttemptStarted(SessionEvent.AttemptStarted.of(c, 1, AttemptKind.INITIAL));
    target.onAttemptFailed(
        SessionEvent.AttemptFailed.of(c, 1, AttemptKind.INITIAL, Failure.httpStatus(502)));
    target.onOpened(
        SessionEvent.Opened.of(c, 2, AttemptKind.INITIAL, SameBackend.UNKNOWN, "HAProxy", null));
    target.onQueueOverflow(SessionEvent.QueueOverflow.of(c, OverflowPolicy.REJECT, 1));
    target.onHeartbeat(SessionEvent.Heartbeat.of(c, Duration.ofMillis(3)));
    target.onDisconnected(
        SessionEvent.Disconnected.of(c, Failure.closeFrame(1012), Duration.ofSeconds(1), true));
    target.onUnconfirmed(SessionEvent.Unconfirmed.of(c, 2, false));
    target.onAffinityDropped(SessionEvent.AffinityDropped.of(c, DropReason.DRAIN, "HAProxy"));
    target.onOpened(SessionEvent.Opened.of(c, 1, AttemptKind.RECONNECT, SameBackend.CHANGED,
        "HAProxy", Duration.ofMillis(200)));
    target.onGaveUp(SessionEvent.GaveUp.of(c, GiveUpReason.STATUS, Failure.httpStatus(401), 1,
        Duration.ZERO));
  }

  private double attempts(String kind, String outcome, String errorType) {
    return registry.get(StickyWebSocketMetrics.CONNECT_ATTEMPTS).tags(SERVER)
        .tags("kind", kind, "outcome", outcome, "error.type", errorType).counter().count();
  }

  private double opens(String same, String balancer) {
    return registry.get(StickyWebSocketMetrics.AFFINITY_OPENS).tags(SERVER)
        .tags("same", same, "balancer", balancer).counter().count();
  }

  private Timer connectionTimer(String closeCode) {
    return registry.get(StickyWebSocketMetrics.CONNECTION_DURATION).tags(SERVER)
        .tags("close.code", closeCode).timer();
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(SERVER).tags(tags).counter().count();
  }

  private double connections(String state) {
    return registry.get(StickyWebSocketMetrics.CONNECTIONS).tags(SERVER).tags("state", state)
        .gauge().value();
  }

  private double queueSize() {
    return registry.get(StickyWebSocketMetrics.QUEUE_SIZE).tags(SERVER).gauge().value();
  }
}
