package io.stickyws.cookie;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RFC 6265 cookie jar persisted to a file in curl's Netscape {@code cookies.txt} format, so
 * that stickiness survives process restarts and {@code curl -b FILE} / {@code curl -c FILE} can
 * share the file.
 *
 * <p>Behaviour:
 * <ul>
 *   <li>The file is read once when the jar is built; every change is written back after
 *       {@link Builder#coalesceDelay(Duration)} (default 100 ms), so a burst of changes costs one
 *       write. {@link #close()} and {@link #flush()} write at once, and so does the JVM's shutdown
 *       (a shutdown hook, removed by {@code close()}; see {@link Builder#flushAtShutdown(boolean)}),
 *       so a {@code main} that returns without closing the jar loses nothing.
 *   <li>Writes are atomic: a temporary file in the same directory, created owner-only
 *       ({@code rw-------}), is written, forced to disk and moved over the file.
 *       A temporary file left by a writer that died mid-write is removed by the next jar's first
 *       write.
 *   <li>Several processes may share the file: each write takes an exclusive lock on the sibling
 *       file {@code <file>.lock}, re-reads the file and merges it with this jar's changes since its
 *       last write. Cookies this jar stored or deleted win for those cookies; the others come from
 *       the file.
 *   <li>Session cookies are persisted too (expiry {@code 0}, as curl does), because balancers'
 *       affinity cookies usually are session cookies. A session cookie not used for
 *       {@link Builder#sessionCookieMaxIdle(Duration)} (default 24 h) is dropped. The creation and
 *       last-use times are kept on a {@code #stickyws created=… last-use=…} comment line before
 *       each cookie, which curl ignores.
 *   <li>Every cookie read from the file passes the rules of a cookie received from a server: the
 *       4096-byte limit, no control characters, the {@code __Secure-}/{@code __Host-} name
 *       prefixes, no {@code Domain} that is a public suffix, the per-domain and total limits.
 *   <li>A damaged file never prevents start-up. Lines that are malformed or break those rules are
 *       skipped with one WARN per file content that counts them by reason and names the first few
 *       line numbers (never a value); the original is kept as {@code <file>.corrupt-<timestamp>}.
 *       At most {@link Builder#maxFileSize(long)} bytes (default 32 MiB) are read: a larger file
 *       is not read but moved aside to {@code <file>.too-large-<timestamp>}, with one WARN.
 *   <li>Cookie values are written as the UTF-8 bytes of their {@link Cookie#value()} and read
 *       back the same way, so a value such as {@code €} round-trips byte for byte. Cookies whose
 *       name or value hold a TAB, CR or LF, or a lone UTF-16 surrogate, cannot be written in this
 *       format: they stay in memory only, across later writes, until replaced or expired.
 * </ul>
 *
 * <p>Storage trouble degrades the jar to memory, never fails a connection, and is reported by
 * {@link #health()} and to {@link #addStorageListener(CookieStorageListener) storage listeners}
 * (once per transition, with no logging binding needed) as well as by one WARN. The jar is
 * degraded when the file's directory is missing or not writable, when the file cannot be read,
 * is not a regular file (a FIFO or a directory is never opened, so start-up never blocks), or is
 * a symbolic link (the jar neither follows nor replaces a link: open it on the link's target),
 * and when the file is one the current user could not write in place: owned by another user, or
 * without the owner's write permission. That last check reads the file's owner and mode, so root
 * does not replace a read-only or another user's file either. Such a file is never replaced; the
 * jar retries on each later change and reports the recovery once when a write succeeds.
 *
 * <p>Writes run on the {@link Builder#scheduler(ScheduledExecutorService) supplied scheduler}
 * (never shut down by the jar) or else on one daemon thread named {@code stickyws-cookie-writer},
 * which {@link #close()} stops. After {@code close()} the jar still answers in memory but writes
 * nothing more.
 *
 * <p>Instances are thread-safe.
 */
public final class FileCookieJar implements CookieJar, AutoCloseable {
  /** Default delay that coalesces a burst of changes into one write. */
  public static final Duration DEFAULT_COALESCE_DELAY = Duration.ofMillis(100);
  /** Default time a persisted session cookie stays valid after its last use. */
  public static final Duration DEFAULT_SESSION_COOKIE_MAX_IDLE = Duration.ofHours(24);
  /**
   * Default limit of the file's size, 32 MiB: 3000 cookies of the largest size with their
   * attributes take about 15 MiB.
   */
  public static final long DEFAULT_MAX_FILE_SIZE = 32L << 20;
  /** The name of the writer thread the jar starts when no scheduler is supplied. */
  public static final String WRITER_THREAD_NAME = "stickyws-cookie-writer";
  /** The name of the shutdown hook thread that flushes a jar not closed when the JVM exits. */
  public static final String SHUTDOWN_THREAD_NAME = "stickyws-cookie-shutdown";

  private static final Logger log = LoggerFactory.getLogger(FileCookieJar.class);
  private static final Duration TOUCH_WRITE_INTERVAL = Duration.ofMinutes(1);
  private static final DateTimeFormatter FILE_SUFFIX =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  /** The largest {@link Builder#maxFileSize(long)}: the file is read into one array. */
  private static final long MAX_FILE_SIZE_LIMIT = Integer.MAX_VALUE - 16;
  /** One monitor per file for jars of this JVM, since a FileLock is held per JVM. */
  private static final Map<Path, Object> FILE_MONITORS = new ConcurrentHashMap<>();

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private final Duration coalesceDelay;
  private final Duration sessionCookieMaxIdle;
  private final int maxCookiesPerDomain;
  private final int maxCookies;
  private final long maxFileSize;
  private final PublicSuffixList publicSuffixes;
  private final ScheduledExecutorService scheduler;
  private final ScheduledThreadPoolExecutor ownScheduler;
  private final AtomicReference<Thread> writerThread = new AtomicReference<>();
  private final Thread shutdownHook;
  private final Object fileMonitor;
  /** Serializes reads and writes of this jar; taken before {@link #lock}, never inside it. */
  private final Object syncLock = new Object();

  /** Guards the fields below. No I/O under it. */
  private final Object lock = new Object();
  private CookieStore store;
  /** Changes since the last successful write: a cookie to store, or null to delete. */
  private LinkedHashMap<CookieStore.Key, Cookie> pending = new LinkedHashMap<>();
  private LinkedHashMap<CookieStore.Key, Instant> pendingTouches = new LinkedHashMap<>();
  /** {@link #clear()} was called since the last successful write: the file's cookies go too. */
  private boolean clearPending;
  private ScheduledFuture<?> scheduledWrite;
  private boolean closed;
  private Instant lastTouchWrite = Instant.MIN;

  /** Guards the listeners, the event queue and {@link #health}. Never held while calling out. */
  private final Object listenerLock = new Object();
  private final List<CookieStorageListener> listeners = new ArrayList<>();
  private final ArrayDeque<Runnable> events = new ArrayDeque<>();
  private boolean delivering;
  private volatile CookieStorageHealth health;

  // touched only under syncLock
  private int handledCorruptHash;
  private boolean handledCorrupt;
  private boolean staleTempFilesRemoved;
  /** Who owns the files this process creates; null until known. */
  private UserPrincipal currentUser;

  private FileCookieJar(Builder b) {
    this.file = b.file.toAbsolutePath().normalize();
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.clock = b.clock;
    this.coalesceDelay = b.coalesceDelay;
    this.sessionCookieMaxIdle = b.sessionCookieMaxIdle;
    this.maxCookiesPerDomain = b.maxCookiesPerDomain;
    this.maxCookies = b.maxCookies;
    this.maxFileSize = b.maxFileSize;
    this.publicSuffixes = b.publicSuffixes;
    this.fileMonitor = FILE_MONITORS.computeIfAbsent(file, p -> new Object());
    if (b.scheduler != null) {
      this.scheduler = b.scheduler;
      this.ownScheduler = null;
    } else {
      this.ownScheduler = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, WRITER_THREAD_NAME);
        t.setDaemon(true);
        writerThread.set(t);
        return t;
      });
      ownScheduler.setRemoveOnCancelPolicy(true);
      ownScheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      this.scheduler = ownScheduler;
    }
    Instant now = clock.instant();
    this.store = newStore();
    this.health = CookieStorageHealth.writable(file, now);
    synchronized (syncLock) {
      currentUser = processUser();
      CookieStore loaded = newStore();
      IOException failure = null;
      try {
        synchronized (fileMonitor) {
          for (Cookie c : readFile(now)) {
            loaded.put(c, now);
          }
        }
      } catch (IOException e) {
        failure = e;
      }
      if (failure == null) {
        failure = checkWritable();
      }
      if (failure == null) {
        try {
          failure = notReplaceable();
        } catch (IOException e) {
          failure = e;
        }
      }
      if (failure != null) {
        recordFailure(failure, now);
      }
      this.store = loaded;
    }
    if (b.flushAtShutdown) {
      this.shutdownHook = new Thread(this::sync, SHUTDOWN_THREAD_NAME);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      this.shutdownHook = null;
    }
  }

  /**
   * Opens (or creates on first write) the jar file with the defaults of {@link #builder(Path)}.
   *
   * @param file the {@code cookies.txt} file
   * @return the jar; close it to flush and stop its writer thread
   */
  public static FileCookieJar open(Path file) {
    return builder(file).build();
  }

  /**
   * A builder for a jar persisted to {@code file}.
   *
   * @param file the {@code cookies.txt} file; its directory must exist to persist
   * @return a new builder
   */
  public static Builder builder(Path file) {
    return new Builder(Objects.requireNonNull(file, "file == null"));
  }

  /** @return the file this jar persists to */
  public Path file() {
    return file;
  }

  /**
   * Whether the jar can persist its cookies now, and the last failure. Known from the moment the
   * jar is built (the directory, the file's type, owner and mode were checked and the file read),
   * then updated by every write.
   *
   * @return the current health
   */
  public CookieStorageHealth health() {
    return health;
  }

  /**
   * Subscribes to storage failures and recoveries, each reported once per transition. If the jar
   * is degraded at this moment (for example its directory was missing when it was built),
   * {@link CookieStorageListener#onStorageFailed(CookieStorageHealth)} is called at once with the
   * current health, so that no failure is missed by subscribing late: on the calling thread before
   * this method returns, or, if another event is being delivered at that moment, right after it
   * on that event's thread.
   *
   * @param listener the listener; adding the same one twice makes it called twice
   */
  public void addStorageListener(CookieStorageListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (listenerLock) {
      listeners.add(listener);
      CookieStorageHealth current = health;
      if (!current.writable()) {
        events.add(() -> notify(listener, current));
      }
    }
    deliverEvents();
  }

  /**
   * Unsubscribes a listener added with {@link #addStorageListener(CookieStorageListener)}. An
   * event already under way may still reach it.
   *
   * @param listener the listener
   * @return {@code true} if it was subscribed
   */
  public boolean removeStorageListener(CookieStorageListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (listenerLock) {
      return listeners.remove(listener);
    }
  }

  /**
   * Parses the {@code Set-Cookie} header values of a response to {@code uri} at this jar's clock
   * and Public Suffix List, and stores the cookies.
   *
   * @param uri the request URI the response answered
   * @param setCookieHeaders the header values in the order received
   */
  public void receive(URI uri, List<String> setCookieHeaders) {
    saveFromResponse(uri, Cookie.parseAll(uri, setCookieHeaders, clock.instant(), publicSuffixes));
  }

  /**
   * The {@code Cookie} header value for a request to {@code uri}.
   *
   * @param uri the request URI
   * @return the header value, empty when no cookie matches
   */
  public String cookieHeader(URI uri) {
    return Cookie.header(loadForRequest(uri));
  }

  @Override
  public void saveFromResponse(URI uri, List<Cookie> cookies) {
    Objects.requireNonNull(uri, "uri == null");
    Objects.requireNonNull(cookies, "cookies == null");
    Instant now = clock.instant();
    boolean changed = false;
    synchronized (lock) {
      for (Cookie c : cookies) {
        if (!c.storableFrom(uri, publicSuffixes)) {
          continue;
        }
        Cookie stored = store.put(c, now);
        pending.put(CookieStore.Key.of(c), stored);
        changed = true;
      }
      if (changed) {
        scheduleWriteLocked();
      }
    }
  }

  @Override
  public List<Cookie> loadForRequest(URI uri) {
    Objects.requireNonNull(uri, "uri == null");
    Instant now = clock.instant();
    synchronized (lock) {
      List<Cookie> result = store.forRequest(uri, now);
      if (!result.isEmpty()) {
        for (Cookie c : result) {
          pendingTouches.put(CookieStore.Key.of(c), now);
        }
        if (!lastTouchWrite.plus(TOUCH_WRITE_INTERVAL).isAfter(now)) {
          lastTouchWrite = now;
          scheduleWriteLocked();
        }
      }
      return result;
    }
  }

  /**
   * Every cookie stored and not expired, least recently used first.
   *
   * @return a snapshot
   */
  public List<Cookie> cookies() {
    Instant now = clock.instant();
    synchronized (lock) {
      return List.copyOf(store.all(now));
    }
  }

  /**
   * Removes every cookie, from memory at once and from the file on the next write (after the
   * coalesce delay, or at once with {@link #flush()}): the file then holds only cookies stored
   * after this call, also those another process had added to it meanwhile are gone.
   */
  public void clear() {
    synchronized (lock) {
      store.clear();
      pending.clear();
      pendingTouches.clear();
      clearPending = true;
      scheduleWriteLocked();
    }
  }

  /**
   * Writes pending changes now, in the calling thread (merging with the file as a scheduled write
   * does). Failures are logged and reported by {@link #health()}, not thrown.
   */
  public void flush() {
    sync();
  }

  /**
   * Writes pending changes, then stops the writer thread if the jar started one and removes the
   * shutdown hook. Idempotent. After this call no thread of the jar is left running.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (scheduledWrite != null) {
        scheduledWrite.cancel(false);
        scheduledWrite = null;
      }
    }
    sync();
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs or ran, and finds nothing left to write
      }
    }
    if (ownScheduler != null) {
      ownScheduler.shutdown(); // cancels the delayed write; lets a running one finish
      try {
        ownScheduler.awaitTermination(10, TimeUnit.SECONDS);
        Thread t = writerThread.get();
        if (t != null && t != Thread.currentThread()) {
          t.join(10_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The registered shutdown hook, or null; for tests. */
  Thread shutdownHook() {
    return shutdownHook;
  }

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = store.size();
    }
    return "FileCookieJar{file=" + file + ", cookies=" + size + ", " + health.status() + "}";
  }

  private CookieStore newStore() {
    return new CookieStore(maxCookiesPerDomain, maxCookies, sessionCookieMaxIdle);
  }

  private void scheduleWriteLocked() {
    if (closed || scheduledWrite != null) {
      return;
    }
    try {
      scheduledWrite =
          scheduler.schedule(this::scheduledSync, coalesceDelay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.warn("Cookie file {}: the scheduler rejected a write; changes stay in memory until"
          + " flush() or close()", file);
    }
  }

  private void scheduledSync() {
    synchronized (lock) {
      scheduledWrite = null;
    }
    sync();
  }

  /** Merges this jar's pending changes with the file and writes the result. */
  private void sync() {
    try {
      syncLocked();
    } finally {
      deliverEvents();
    }
  }

  private void syncLocked() {
    synchronized (syncLock) {
      LinkedHashMap<CookieStore.Key, Cookie> changes;
      LinkedHashMap<CookieStore.Key, Instant> touches;
      boolean clearFile;
      List<Cookie> memoryOnly = new ArrayList<>();
      synchronized (lock) {
        if (pending.isEmpty() && pendingTouches.isEmpty() && !clearPending) {
          return;
        }
        changes = pending;
        touches = pendingTouches;
        clearFile = clearPending;
        pending = new LinkedHashMap<>();
        pendingTouches = new LinkedHashMap<>();
        clearPending = false;
        for (Cookie c : store.all(clock.instant())) {
          if (!NetscapeCookieFile.representable(c)) {
            memoryOnly.add(c);
          }
        }
      }
      CookieStore merged = newStore();
      Instant now = clock.instant();
      try {
        synchronized (fileMonitor) {
          ensureParentExists();
          try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ownerOnly())) {
            FileLock fileLock = channel.lock();
            try {
              List<Cookie> inFile = readFile(now); // also when clearing: never replace a bad file
              if (!clearFile) {
                for (Cookie c : inFile) {
                  merged.put(c, now);
                }
              }
              // what the file cannot hold stays in memory, unless the file has a newer cookie
              Set<CookieStore.Key> fromFile = new HashSet<>();
              for (Cookie c : merged.all(now)) {
                fromFile.add(CookieStore.Key.of(c));
              }
              for (Cookie c : memoryOnly) {
                if (!fromFile.contains(CookieStore.Key.of(c))) {
                  merged.put(c, now);
                }
              }
              apply(merged, changes, touches, now);
              removeStaleTempFiles();
              writeAtomically(NetscapeCookieFile.format(merged.all(now)));
            } finally {
              fileLock.release();
            }
          }
        }
        recordSuccess(clock.instant());
        log.trace("Cookie file {} written", file);
      } catch (IOException | RuntimeException e) {
        synchronized (lock) {
          // keep the changes for the next attempt, newer ones on top
          LinkedHashMap<CookieStore.Key, Cookie> retry = new LinkedHashMap<>(changes);
          retry.putAll(pending);
          pending = retry;
          LinkedHashMap<CookieStore.Key, Instant> retryTouches = new LinkedHashMap<>(touches);
          retryTouches.putAll(pendingTouches);
          pendingTouches = retryTouches;
          clearPending |= clearFile;
        }
        recordFailure(e, clock.instant());
        return;
      }
      synchronized (lock) {
        if (clearPending) {
          merged = newStore(); // clear() was called while writing
        }
        // changes made while writing go on top of what the file now holds
        apply(merged, pending, pendingTouches, clock.instant());
        store = merged;
      }
    }
  }

  /** Called under {@link #syncLock}: a transition to DEGRADED is logged once and reported. */
  private void recordFailure(Exception e, Instant now) {
    synchronized (listenerLock) {
      CookieStorageHealth current = health;
      if (!current.writable()) {
        health = current.withFailure(e);
        log.debug("Cookie file {} still cannot be written ({})", file, describe(e));
        return;
      }
      CookieStorageHealth degraded = CookieStorageHealth.degraded(file, now, e);
      health = degraded;
      for (CookieStorageListener l : listeners) {
        events.add(() -> notify(l, degraded));
      }
    }
    log.warn("Cookie file {} cannot be written ({}); cookies are kept in memory and the write is"
        + " retried on the next change", file, describe(e));
  }

  /** Called under {@link #syncLock}: a transition to WRITABLE is reported once. */
  private void recordSuccess(Instant now) {
    CookieStorageHealth recovered;
    synchronized (listenerLock) {
      CookieStorageHealth current = health;
      if (current.writable()) {
        return;
      }
      recovered = current.recovered(now);
      health = recovered;
      for (CookieStorageListener l : listeners) {
        events.add(() -> notify(l, recovered));
      }
    }
    log.debug("Cookie file {} written again", file);
  }

  /** Runs queued listener calls one at a time, in order, with no lock held. */
  private void deliverEvents() {
    while (true) {
      Runnable event;
      synchronized (listenerLock) {
        if (delivering || events.isEmpty()) {
          return;
        }
        event = events.poll();
        delivering = true;
      }
      try {
        event.run();
      } finally {
        synchronized (listenerLock) {
          delivering = false;
        }
      }
    }
  }

  private void notify(CookieStorageListener listener, CookieStorageHealth h) {
    try {
      if (h.writable()) {
        listener.onStorageRecovered(h);
      } else {
        listener.onStorageFailed(h);
      }
    } catch (RuntimeException e) {
      log.warn("Cookie file {}: storage listener {} threw {}", file, listener.getClass().getName(),
          e.getClass().getName(), e);
    }
  }

  private static void apply(CookieStore target, Map<CookieStore.Key, Cookie> changes,
      Map<CookieStore.Key, Instant> touches, Instant now) {
    for (Map.Entry<CookieStore.Key, Cookie> e : changes.entrySet()) {
      if (e.getValue() == null) {
        target.remove(e.getKey());
      } else {
        target.put(e.getValue(), now);
      }
    }
    for (Map.Entry<CookieStore.Key, Instant> e : touches.entrySet()) {
      target.touch(e.getKey(), e.getValue());
    }
  }

  /**
   * Reads the file (empty when missing): only a regular file, never through a symbolic link, at
   * most {@link #maxFileSize} bytes (a larger one is moved aside). Skipped lines are reported in
   * one WARN, and the original is copied to {@code <file>.corrupt-<timestamp>}, once per distinct
   * content.
   *
   * @throws IOException if the file must not be used: not regular, a link, unreadable
   */
  private List<Cookie> readFile(Instant now) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    checkUsable(attrs);
    if (attrs.size() > maxFileSize) {
      quarantineTooLarge(attrs.size());
      return List.of();
    }
    byte[] bytes;
    int length;
    // a regular file, opened without following a link: reading it cannot block
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      bytes = new byte[(int) Math.min(channel.size(), maxFileSize) + 1];
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // until full or at the end
      }
      length = buffer.position();
    } catch (NoSuchFileException e) {
      return List.of();
    }
    if (length > maxFileSize) {
      quarantineTooLarge(length); // grew since it was measured
      return List.of();
    }
    NetscapeCookieFile.ReadResult result = NetscapeCookieFile.parse(bytes, length, now,
        c -> c.problemAsStored(publicSuffixes));
    if (result.skipped > 0) {
      reportSkipped(result, bytes, length);
    }
    // least recently used first, as the store expects
    List<Cookie> cookies = new ArrayList<>(result.cookies);
    cookies.sort(Comparator.comparing(Cookie::lastAccessTime));
    return cookies;
  }

  private void reportSkipped(NetscapeCookieFile.ReadResult result, byte[] bytes, int length) {
    int hash = 1;
    for (int i = 0; i < length; i++) {
      hash = 31 * hash + bytes[i];
    }
    if (handledCorrupt && hash == handledCorruptHash) {
      log.debug("Cookie file {} still has {} skipped lines", file, result.skipped);
      return;
    }
    handledCorrupt = true;
    handledCorruptHash = hash;
    Path copy = file.resolveSibling(
        file.getFileName() + ".corrupt-" + FILE_SUFFIX.format(clock.instant()));
    String kept;
    try {
      try (FileChannel out = FileChannel.open(Files.createFile(copy, ownerOnly()),
          StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
      kept = "the original is kept as " + copy;
    } catch (IOException e) {
      kept = "the original could not be kept as " + copy + " (" + describe(e) + ")";
    }
    log.warn("Cookie file {}: {}; {}", file, result.summary(), kept);
  }

  /** Refuses a file the jar must neither read nor replace. */
  private void checkUsable(BasicFileAttributes attrs) throws IOException {
    if (attrs.isSymbolicLink()) {
      String target;
      try {
        target = String.valueOf(Files.readSymbolicLink(file));
      } catch (IOException | UnsupportedOperationException e) {
        target = "an unreadable target";
      }
      throw new FileSystemException(file.toString(), null, "is a symbolic link to " + target
          + "; the jar neither follows nor replaces a link: open the jar on the target path");
    }
    if (!attrs.isRegularFile()) {
      throw new FileSystemException(file.toString(), null, "is not a regular file ("
          + (attrs.isDirectory() ? "a directory" : "a FIFO, socket or device")
          + "); the jar neither reads nor replaces it");
    }
  }

  /**
   * Why the current user must not replace the existing file, or null: it is owned by another user
   * or lacks the owner's write permission. The owner and mode are compared, not what the kernel
   * would allow, so that root does not replace such a file either (replacing a file changes its
   * owner and mode to the writer's).
   */
  private IOException notReplaceable() throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      PosixFileAttributes posix;
      try {
        posix = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return null;
      }
      if (currentUser != null && !currentUser.equals(posix.owner())) {
        return new AccessDeniedException(file.toString(), null, "is owned by "
            + posix.owner().getName() + ", not by " + currentUser.getName()
            + "; the jar does not replace another user's file");
      }
      if (!posix.permissions().contains(PosixFilePermission.OWNER_WRITE)) {
        return new AccessDeniedException(file.toString(), null, "is read-only ("
            + PosixFilePermissions.toString(posix.permissions())
            + "); the jar does not replace a file it could not write in place");
      }
    }
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isWritable(file)) {
      return new AccessDeniedException(file.toString(), null,
          "is not writable; the jar does not replace a file it could not write in place");
    }
    return null;
  }

  /** At build time: whether a write could succeed (the file itself was checked by the read). */
  private IOException checkWritable() {
    Path dir = file.getParent();
    try {
      ensureParentExists();
    } catch (IOException e) {
      return e;
    }
    if (dir != null && !Files.isWritable(dir)) {
      return new AccessDeniedException(dir.toString(), null,
          "the directory of the cookie file is not writable");
    }
    return null;
  }

  private void quarantineTooLarge(long size) throws IOException {
    IOException notReplaceable = notReplaceable();
    if (notReplaceable != null) {
      throw new FileSystemException(file.toString(), null, "is " + size
          + " bytes, over maxFileSize (" + maxFileSize + "), and is not the jar's to move aside: "
          + notReplaceable.getMessage());
    }
    Path aside = file.resolveSibling(
        file.getFileName() + ".too-large-" + FILE_SUFFIX.format(clock.instant()));
    try {
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FileSystemException(file.toString(), null, "is " + size
          + " bytes, over maxFileSize (" + maxFileSize + "), and cannot be moved aside to "
          + aside + " (" + describe(e) + ")");
    }
    log.warn("Cookie file {} is {} bytes, over maxFileSize ({}): not read, moved to {}; the jar"
        + " starts with no cookies", file, size, maxFileSize, aside);
  }

  /** The owner of files this process creates, from the OS; null if it cannot be told. */
  private static UserPrincipal processUser() {
    try {
      String name = ProcessHandle.current().info().user().orElse(null);
      return name == null ? null
          : FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  /**
   * Deletes temporary files of writers that died between creating and moving them (a crash or
   * {@code kill -9} mid-write), once per jar. Called under the file lock: every writer holds it
   * while its temporary file exists, so any one found now is stale.
   */
  private void removeStaleTempFiles() {
    if (staleTempFilesRemoved) {
      return;
    }
    staleTempFilesRemoved = true;
    String prefix = "." + file.getFileName() + ".";
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(file.getParent(),
        p -> {
          String name = p.getFileName().toString();
          return name.startsWith(prefix) && name.endsWith(".tmp");
        })) {
      for (Path p : stale) {
        Files.deleteIfExists(p);
        log.debug("Cookie file {}: removed {} left by an interrupted write", file, p.getFileName());
      }
    } catch (IOException | DirectoryIteratorException e) {
      log.debug("Cookie file {}: cannot remove temporary files left by interrupted writes ({})",
          file, describe(e));
    }
  }

  private void writeAtomically(byte[] content) throws IOException {
    Path dir = file.getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", ownerOnly());
    boolean moved = false;
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        // the owner the file would get: never replace one of another owner
        currentUser = Files.getOwner(tmp, LinkOption.NOFOLLOW_LINKS);
        IOException notReplaceable = notReplaceable();
        if (notReplaceable != null) {
          throw notReplaceable;
        }
      }
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
    try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
      dirChannel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      log.trace("Cannot force directory {} to disk", dir);
    }
  }

  private void ensureParentExists() throws IOException {
    Path dir = file.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "directory does not exist");
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-------");
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)};
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * Configures a {@link FileCookieJar}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Path file;
    private Clock clock = Clock.systemUTC();
    private Duration coalesceDelay = DEFAULT_COALESCE_DELAY;
    private Duration sessionCookieMaxIdle = DEFAULT_SESSION_COOKIE_MAX_IDLE;
    private ScheduledExecutorService scheduler;
    private int maxCookiesPerDomain = MemoryCookieJar.DEFAULT_MAX_COOKIES_PER_DOMAIN;
    private int maxCookies = MemoryCookieJar.DEFAULT_MAX_COOKIES;
    private PublicSuffixList publicSuffixes;
    private long maxFileSize = DEFAULT_MAX_FILE_SIZE;
    private boolean flushAtShutdown = true;

    private Builder(Path file) {
      this.file = file;
    }

    /**
     * The clock for expiry, creation and last-use times; default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * How long after a change the file is written, so that a burst costs one write; default
     * 100 ms. Zero writes after every change.
     *
     * @param delay zero or positive
     * @return this
     */
    public Builder coalesceDelay(Duration delay) {
      this.coalesceDelay = Objects.requireNonNull(delay, "coalesceDelay == null");
      return this;
    }

    /**
     * How long a session cookie stays valid after its last use; default 24 hours.
     *
     * @param maxIdle positive
     * @return this
     */
    public Builder sessionCookieMaxIdle(Duration maxIdle) {
      this.sessionCookieMaxIdle = Objects.requireNonNull(maxIdle, "sessionCookieMaxIdle == null");
      return this;
    }

    /**
     * Runs the delayed writes on this scheduler, which the jar never shuts down. Default: one
     * daemon thread named {@code stickyws-cookie-writer}, stopped by {@link FileCookieJar#close()}.
     *
     * @param scheduler the scheduler
     * @return this
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * How many cookies may share one domain before the least recently used is evicted; default 50.
     *
     * @param max at least 1
     * @return this
     */
    public Builder maxCookiesPerDomain(int max) {
      this.maxCookiesPerDomain = max;
      return this;
    }

    /**
     * How many cookies the jar holds before the least recently used is evicted; default 3000.
     *
     * @param max at least 1
     * @return this
     */
    public Builder maxCookies(int max) {
      this.maxCookies = max;
      return this;
    }

    /**
     * The Public Suffix List that rejects {@code Domain} cookies for registries; default
     * {@link PublicSuffixList#defaultList()}.
     *
     * @param list the list
     * @return this
     */
    public Builder publicSuffixList(PublicSuffixList list) {
      this.publicSuffixes = Objects.requireNonNull(list, "list == null");
      return this;
    }

    /**
     * The largest file the jar reads, default {@link FileCookieJar#DEFAULT_MAX_FILE_SIZE} (32 MiB). A larger
     * file is not read but moved aside to {@code <file>.too-large-<timestamp>} with one WARN, and
     * the jar starts with no cookies.
     *
     * @param bytes at least 1, at most {@code Integer.MAX_VALUE - 16}
     * @return this
     */
    public Builder maxFileSize(long bytes) {
      this.maxFileSize = bytes;
      return this;
    }

    /**
     * Whether a JVM shutdown hook writes the changes still pending when the JVM exits without
     * {@link FileCookieJar#close()} (a {@code main} that returns, {@code System.exit}, SIGTERM);
     * default {@code true}. {@code close()} removes the hook. Until then the hook keeps the jar
     * reachable, so close every jar you no longer use.
     *
     * @param flush {@code false} to register no hook
     * @return this
     */
    public Builder flushAtShutdown(boolean flush) {
      this.flushAtShutdown = flush;
      return this;
    }

    /**
     * Builds the jar and reads the file. A missing, unreadable or corrupt file is not an error:
     * see {@link FileCookieJar#health()}.
     *
     * @return the jar
     * @throws IllegalArgumentException if a limit is below 1, the coalesce delay is negative,
     *     the session cap is not positive or the file size limit is out of range
     */
    public FileCookieJar build() {
      Limits.check(maxCookiesPerDomain, maxCookies);
      if (maxFileSize < 1 || maxFileSize > MAX_FILE_SIZE_LIMIT) {
        throw new IllegalArgumentException("maxFileSize (" + maxFileSize + ") must be between 1"
            + " and " + MAX_FILE_SIZE_LIMIT);
      }
      if (coalesceDelay.isNegative()) {
        throw new IllegalArgumentException("coalesceDelay (" + coalesceDelay + ") must be >= 0");
      }
      if (sessionCookieMaxIdle.isNegative() || sessionCookieMaxIdle.isZero()) {
        throw new IllegalArgumentException(
            "sessionCookieMaxIdle (" + sessionCookieMaxIdle + ") must be > 0");
      }
      if (publicSuffixes == null) {
        publicSuffixes = PublicSuffixList.defaultList();
      }
      return new FileCookieJar(this);
    }
  }
}
