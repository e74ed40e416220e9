package io.stickyws;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.internal.affinity.AffinityTracker;
import io.stickyws.internal.reconnect.Ending;
import io.stickyws.internal.reconnect.Failure;
import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composes each handshake of a connection and takes in what it answered: the affinity URI and
 * headers, the jar's cookies plus the held affinity cookie going out; {@code Set-Cookie} into the
 * jar coming back, and the jar's copy of a dropped affinity cookie deleted.
 *
 * <p>It owns the connection's {@link AffinityTracker}, used under the connection's lock; the jar is
 * application code and is called outside it ({@link #load}, {@link #store}, {@link #delete}).
 *
 * <p>Thread-safe: the tracker is guarded by the connection's lock.
 */
final class HandshakeComposer {
  private static final Logger log = LoggerFactory.getLogger(StickyWebSocket.class);

  private final URI uri;
  private final Map<String, List<String>> headers;
  private final HeaderSource headerSource; // null when none
  private final CookieJar jar;
  private final Clock clock;
  private final String logName;
  private final AffinityTracker tracker; // guarded by the connection's lock
  private final EngineObserver observer;
  private boolean askedAgain; // guarded by the connection's lock: a 401 asked the source again

  HandshakeComposer(URI uri, Map<String, List<String>> headers, HeaderSource headerSource,
      CookieJar jar, Clock clock, AffinityTracker tracker, EngineObserver observer,
      String logName) {
    this.tracker = tracker;
    this.observer = observer;
    this.uri = uri;
    this.headers = headers;
    this.headerSource = headerSource;
    this.jar = jar;
    this.clock = clock;
    this.logName = logName;
  }

  /** One handshake being composed. */
  static final class Draft {
    final URI requestUri;
    final Map<String, List<String>> headers;
    List<Cookie> sent = List.of();

    private Draft(URI requestUri, Map<String, List<String>> headers) {
      this.requestUri = requestUri;
      this.headers = headers;
    }
  }

  /**
   * Whether the jar may block (it is not one of ours, which only touch memory when called): its
   * calls then run off the session's scheduler.
   */
  boolean jarMayBlock() {
    return !(jar == CookieJar.NO_COOKIES || jar instanceof MemoryCookieJar
        || jar instanceof FileCookieJar);
  }

  /** Whether composing a handshake calls code that may block: the jar, or a header source. */
  boolean mayBlock() {
    return headerSource != null || jarMayBlock();
  }

  /**
   * Not under lock: the header source's headers for the next handshake; none when there is no
   * source or it fails (logged without its message, which may hold a secret).
   */
  Map<String, List<String>> askHeaderSource() {
    if (headerSource == null) {
      return Map.of();
    }
    try {
      Map<String, List<String>> fromSource = headerSource.headers();
      return fromSource == null ? Map.of() : fromSource;
    } catch (RuntimeException e) {
      log.warn("{}: header source {} threw {}; this handshake goes without its headers",
          logName, headerSource.getClass().getName(), e.getClass().getName());
      return Map.of();
    }
  }

  /**
   * Under lock: whether this ending is a 401 the header source should answer once more before the
   * policy gives up (only when the policy would give up on 401, and once per open).
   */
  boolean asksAgain(Ending ending, ReconnectPolicy policy) {
    Failure failure = ending.failure();
    if (headerSource == null || askedAgain || failure.kind() != Failure.Kind.HANDSHAKE
        || failure.status() != 401 || policy.retriesStatus(401)) {
      return false;
    }
    askedAgain = true;
    return true;
  }

  /** Under lock: forgets the held token (and the fixed header or parameter steering to it). */
  void forget() {
    tracker.drop();
  }

  /** Not under lock: expires the jar's affinity cookies for the connection's URI. */
  void forgetInJar() {
    List<Cookie> expired = new ArrayList<>();
    for (Cookie cookie : tracker.affinityCookies(load(uri))) { // reads the rules only
      expired.add(cookie.newBuilder().expiresAt(Instant.EPOCH).build());
    }
    if (!expired.isEmpty()) {
      save(uri, expired, "forget " + expired.size() + " affinity cookies");
    }
  }

  /**
   * Not under lock: makes the jar calls an ending asked for, then {@code then}: on this thread, or
   * on a jar thread when the jar may block (never on the shared scheduler).
   */
  void callJar(List<Runnable> jarWork, Supplier<Executor> jarCalls, Timers timers,
      Runnable then) {
    Runnable all = () -> {
      Timers.run(jarWork);
      then.run();
    };
    if (!jarWork.isEmpty() && jarMayBlock()) {
      timers.execute(jarCalls.get(), all);
    } else {
      all.run();
    }
  }

  /**
   * Under lock: the URI and headers: the fixed ones, the header source's (replacing those of the
   * same names, ignoring case), then what the tracker steers by.
   */
  Draft draft(Map<String, List<String>> fromSource) {
    Map<String, List<String>> requestHeaders = new LinkedHashMap<>(headers);
    fromSource.forEach((name, values) -> {
      if (name != null && values != null) {
        requestHeaders.keySet().removeIf(name::equalsIgnoreCase);
        requestHeaders.put(name, List.copyOf(values));
      }
    });
    tracker.applyToHeaders(requestHeaders);
    return new Draft(tracker.applyToUri(uri), requestHeaders);
  }

  /** Not under lock: the jar's cookies for the handshake; none if the jar fails. */
  List<Cookie> load(URI requestUri) {
    try {
      List<Cookie> cookies = jar.loadForRequest(requestUri);
      observer.storage(SessionEvent.StorageOperation.LOAD, jar.getClass(), null);
      return cookies;
    } catch (RuntimeException e) {
      observer.storage(SessionEvent.StorageOperation.LOAD, jar.getClass(), e);
      log.warn("{}: cookie jar {} failed to load cookies ({}); sending none from it",
          logName, jar.getClass().getSimpleName(), e.getClass().getName());
      return List.of();
    }
  }

  /** Under lock: adds the held affinity cookie, drops expired ones, sets the Cookie header. */
  HandshakeRequest finish(Draft draft, List<Cookie> fromJar, Duration heartbeat) {
    List<Cookie> cookies = new ArrayList<>(tracker.applyToCookies(fromJar));
    Instant now = clock.instant();
    cookies.removeIf(cookie -> cookie.expiredAt(now)); // a held token's cookie may have expired
    if (!cookies.isEmpty()) {
      addCookieHeader(draft.headers, Cookie.header(cookies));
    }
    draft.sent = cookies;
    return HandshakeRequest.of(draft.requestUri, draft.headers, heartbeat);
  }

  /** Under lock: what the completed handshake showed about affinity, and the token now held. */
  AffinityTracker.Opened opened(HandshakeResponse response, List<Cookie> received,
      List<Cookie> sent) {
    askedAgain = false;
    return tracker.onOpen(response, received, sent);
  }

  /** Under lock: the token now held. */
  Optional<AffinityToken> token() {
    return tracker.token();
  }

  /**
   * Under lock: an attempt or a connection ended. Adds to {@code jarWork} what to tell the jar
   * (the cookies of a refused handshake; the deletion of an affinity cookie the tracker dropped).
   * Returns the token the tracker dropped because of this ending, or {@code null}.
   */
  AffinityToken ended(Attempt attempt, Ending ending, HandshakeResponse response,
      List<Runnable> jarWork) {
    URI requestUri = attempt.requestUri;
    boolean wasOpen = attempt.opened;
    if (response != null && !wasOpen) {
      jarWork.add(() -> store(requestUri, response));
    }
    AffinityToken held = tracker.token().orElse(null);
    boolean drop = wasOpen
        ? ending.cause() == null && tracker.onConnectionClosed(ending.code())
        : ending.backendSuspect() && tracker.onAttemptFailed(attempt.sent);
    if (drop) {
      log.debug("{}: affinity dropped after {}", logName, ending);
      tracker.takeDroppedCookie().ifPresent(
          cookie -> jarWork.add(() -> delete(requestUri, cookie)));
      return held;
    }
    return null;
  }

  /** Not under lock: saves the response's cookies in the jar; returns them parsed. */
  List<Cookie> store(URI requestUri, HandshakeResponse response) {
    List<String> setCookies = response.headers("Set-Cookie");
    if (setCookies.isEmpty()) {
      return List.of();
    }
    List<Cookie> parsed = Cookie.parseAll(requestUri, setCookies, clock.instant());
    save(requestUri, parsed, "save " + parsed.size() + " cookies");
    return parsed;
  }

  /** Not under lock: deletes the jar's copy of a dropped affinity cookie. */
  void delete(URI requestUri, Cookie dropped) {
    String name = dropped.name();
    List<Cookie> expired = new ArrayList<>();
    for (Cookie cookie : load(requestUri)) {
      if (cookie.name().equals(name)) {
        expired.add(cookie.newBuilder().expiresAt(Instant.EPOCH).build());
      }
    }
    if (!expired.isEmpty()) {
      save(requestUri, expired, "delete the affinity cookie " + name);
    }
  }

  private void save(URI requestUri, List<Cookie> cookies, String what) {
    try {
      jar.saveFromResponse(requestUri, cookies);
      observer.storage(SessionEvent.StorageOperation.SAVE, jar.getClass(), null);
    } catch (RuntimeException e) {
      observer.storage(SessionEvent.StorageOperation.SAVE, jar.getClass(), e);
      log.warn("{}: cookie jar {} failed to {} ({})",
          logName, jar.getClass().getSimpleName(), what, e.getClass().getName());
    }
  }

  private static void addCookieHeader(Map<String, List<String>> requestHeaders, String value) {
    for (Map.Entry<String, List<String>> entry : requestHeaders.entrySet()) {
      if (entry.getKey().equalsIgnoreCase("Cookie") && !entry.getValue().isEmpty()) {
        entry.setValue(List.of(String.join("; ", entry.getValue()) + "; " + value));
        return;
      }
    }
    requestHeaders.put("Cookie", List.of(value));
  }
}
