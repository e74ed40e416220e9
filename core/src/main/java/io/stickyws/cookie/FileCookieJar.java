package io.stickyws.cookie;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 *       write. {@link #close()} and {@link #flush()} write at once.
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
 *   <li>A file that cannot be read or has malformed lines never prevents start-up: bad lines are
 *       skipped with a WARN naming the file and line number, the original is kept as
 *       {@code <file>.corrupt-<timestamp>}, and the jar keeps working. A failed write leaves the
 *       jar working in memory with a WARN, and is retried on the next change.
 *   <li>Cookies whose name or value hold a TAB, CR or LF cannot be written in this format and stay
 *       in memory only.
 * </ul>
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
  /** The name of the writer thread the jar starts when no scheduler is supplied. */
  public static final String WRITER_THREAD_NAME = "stickyws-cookie-writer";

  private static final Logger log = LoggerFactory.getLogger(FileCookieJar.class);
  private static final Duration TOUCH_WRITE_INTERVAL = Duration.ofMinutes(1);
  private static final DateTimeFormatter CORRUPT_SUFFIX =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  /** One monitor per file for jars of this JVM, since a FileLock is held per JVM. */
  private static final Map<Path, Object> FILE_MONITORS = new ConcurrentHashMap<>();

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private final Duration coalesceDelay;
  private final Duration sessionCookieMaxIdle;
  private final int maxCookiesPerDomain;
  private final int maxCookies;
  private final PublicSuffixList publicSuffixes;
  private final ScheduledExecutorService scheduler;
  private final ScheduledThreadPoolExecutor ownScheduler;
  private final AtomicReference<Thread> writerThread = new AtomicReference<>();
  private final Object fileMonitor;
  /** Serializes writes of this jar; taken before {@link #lock}, never inside it. */
  private final Object syncLock = new Object();

  /** Guards the fields below. No I/O under it. */
  private final Object lock = new Object();
  private CookieStore store;
  /** Changes since the last successful write: a cookie to store, or null to delete. */
  private LinkedHashMap<CookieStore.Key, Cookie> pending = new LinkedHashMap<>();
  private LinkedHashMap<CookieStore.Key, Instant> pendingTouches = new LinkedHashMap<>();
  private ScheduledFuture<?> scheduledWrite;
  private boolean closed;
  private Instant lastTouchWrite = Instant.MIN;

  // touched only under syncLock
  private boolean failing;
  private int handledCorruptHash;
  private boolean handledCorrupt;
  private boolean staleTempFilesRemoved;

  private FileCookieJar(Builder b) {
    this.file = b.file.toAbsolutePath().normalize();
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.clock = b.clock;
    this.coalesceDelay = b.coalesceDelay;
    this.sessionCookieMaxIdle = b.sessionCookieMaxIdle;
    this.maxCookiesPerDomain = b.maxCookiesPerDomain;
    this.maxCookies = b.maxCookies;
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
    this.store = newStore();
    synchronized (syncLock) {
      CookieStore loaded = newStore();
      Instant now = clock.instant();
      try {
        synchronized (fileMonitor) {
          for (Cookie c : readFile(now)) {
            loaded.put(c, now);
          }
        }
      } catch (IOException e) {
        log.warn("Cookie file {} cannot be read ({}); starting with no cookies, kept in memory",
            file, describe(e));
      }
      this.store = loaded;
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
   * Writes pending changes now, in the calling thread (merging with the file as a scheduled write
   * does). Failures are logged, not thrown.
   */
  public void flush() {
    sync();
  }

  /**
   * Writes pending changes, then stops the writer thread if the jar started one. Idempotent.
   * After this call no thread of the jar is left running.
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

  @Override
  public String toString() {
    int size;
    synchronized (lock) {
      size = store.size();
    }
    return "FileCookieJar{file=" + file + ", cookies=" + size + "}";
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
    synchronized (syncLock) {
      LinkedHashMap<CookieStore.Key, Cookie> changes;
      LinkedHashMap<CookieStore.Key, Instant> touches;
      synchronized (lock) {
        if (pending.isEmpty() && pendingTouches.isEmpty()) {
          return;
        }
        changes = pending;
        touches = pendingTouches;
        pending = new LinkedHashMap<>();
        pendingTouches = new LinkedHashMap<>();
      }
      CookieStore merged = newStore();
      Instant now = clock.instant();
      try {
        synchronized (fileMonitor) {
          ensureParentExists();
          try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE), ownerOnly())) {
            FileLock fileLock = channel.lock();
            try {
              for (Cookie c : readFile(now)) {
                merged.put(c, now);
              }
              apply(merged, changes, touches, now);
              removeStaleTempFiles();
              writeAtomically(NetscapeCookieFile.format(merged.all(now)));
            } finally {
              fileLock.release();
            }
          }
        }
        if (failing) {
          failing = false;
          log.debug("Cookie file {} written again", file);
        }
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
        }
        if (!failing) {
          failing = true;
          log.warn("Cookie file {} cannot be written ({}); cookies are kept in memory and the"
              + " write is retried on the next change", file, describe(e));
        } else {
          log.debug("Cookie file {} still cannot be written ({})", file, describe(e));
        }
        return;
      }
      synchronized (lock) {
        // changes made while writing go on top of what the file now holds
        apply(merged, pending, pendingTouches, clock.instant());
        store = merged;
      }
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
   * Reads the file (empty when missing). Malformed lines are skipped with a WARN, and the original
   * is copied to {@code <file>.corrupt-<timestamp>} once per distinct content.
   */
  private List<Cookie> readFile(Instant now) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    NetscapeCookieFile.ReadResult result = NetscapeCookieFile.parse(bytes, now);
    if (!result.problems.isEmpty()) {
      int hash = Arrays.hashCode(bytes);
      if (handledCorrupt && hash == handledCorruptHash) {
        log.debug("Cookie file {} still has {} malformed lines", file, result.problems.size());
      } else {
        handledCorrupt = true;
        handledCorruptHash = hash;
        for (String problem : result.problems) {
          log.warn("Cookie file {} {}; line skipped", file, problem);
        }
        Path copy = file.resolveSibling(
            file.getFileName() + ".corrupt-" + CORRUPT_SUFFIX.format(clock.instant()));
        try {
          Files.write(Files.createFile(copy, ownerOnly()), bytes);
          log.warn("Cookie file {} had malformed lines; the original is kept as {}", file, copy);
        } catch (IOException e) {
          log.warn("Cookie file {} had malformed lines; the original could not be kept as {} ({})",
              file, copy, describe(e));
        }
      }
    }
    // least recently used first, as the store expects
    List<Cookie> cookies = new ArrayList<>(result.cookies);
    cookies.sort(Comparator.comparing(Cookie::lastAccessTime));
    return cookies;
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
     * Builds the jar and reads the file. A missing, unreadable or corrupt file is not an error.
     *
     * @return the jar
     * @throws IllegalArgumentException if a limit is below 1, the coalesce delay is negative or
     *     the session cap is not positive
     */
    public FileCookieJar build() {
      Limits.check(maxCookiesPerDomain, maxCookies);
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
