package io.stickyws.benchmarks;

import io.stickyws.cookie.FileCookieJar;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code filejar}: a steady stream of cookie updates into a {@link FileCookieJar} with its default
 * coalescing; the file's atomic replacements are counted from outside with a {@link WatchService}
 * (each replace is a rename onto the file name: one create event), nothing added to the jar. Then
 * the time of one full write ({@link FileCookieJar#flush()}: merge with the file and replace it) of
 * a jar holding 3000 cookies.
 */
final class FileJarBench implements Bench {

  @Override
  public void run(Options o) throws Exception {
    int rate = 10_000;
    long seconds = o.pick(10, 3, 1);
    Path dir = Files.createTempDirectory("stickyws-filejar");
    try {
      Path file = dir.resolve("cookies.txt");
      URI uri = URI.create("https://api.example.com/ws");
      AtomicLong writes = new AtomicLong();
      long updates = 0;
      double elapsed;
      try (WatchService watch = FileSystems.getDefault().newWatchService()) {
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY);
        Thread counter = new Thread(() -> countWrites(watch, file.getFileName(), writes),
            "filejar-watch");
        counter.setDaemon(true);
        counter.start();
        try (FileCookieJar jar = FileCookieJar.open(file)) {
          long start = System.nanoTime();
          long end = start + TimeUnit.SECONDS.toNanos(seconds);
          long perMilli = rate / 1000;
          for (long tick = start; tick < end; tick += 1_000_000) {
            for (int i = 0; i < perMilli; i++) {
              jar.receive(uri, List.of("k" + (updates % 200) + "=v" + updates + "; Max-Age=3600"));
              updates++;
            }
            long wait = tick + 1_000_000 - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
          elapsed = (System.nanoTime() - start) / 1e9;
          // events of the last scheduled write may still be in flight: give them a moment
          Thread.sleep(300);
        }
        counter.interrupt();
      }
      long written = writes.get();
      double fullWrite = fullWriteMillis(dir, o.pick(15, 5, 2));
      o.report(Json.bench("filejar")
          .put("updatesPerSec", Math.round(updates / elapsed))
          .put("writesPerSec", Stats.round(written / elapsed, 2))
          .put("fullWriteMillis", Stats.round(fullWrite, 2))
          .put("seconds", Stats.round(elapsed, 2)).put("writes", written)
          .put("coalesceDelayMillis", FileCookieJar.DEFAULT_COALESCE_DELAY.toMillis())
          .put("fullWriteCookies", 3000));
    } finally {
      StormBench.deleteTree(dir);
    }
  }

  private static void countWrites(WatchService watch, Path name, AtomicLong writes) {
    try {
      while (true) {
        WatchKey key = watch.take();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && name.equals(event.context())) {
            writes.addAndGet(event.count());
          }
        }
        key.reset();
      }
    } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
      // done
    }
  }

  /** Median time of flush() after one change, on a jar of 3000 cookies (60 sites x 50). */
  private static double fullWriteMillis(Path dir, int runs) throws Exception {
    Path file = dir.resolve("full.txt");
    try (FileCookieJar jar = FileCookieJar.builder(file).coalesceDelay(java.time.Duration.ofHours(1))
        .build()) {
      for (int site = 0; site < 60; site++) {
        URI uri = URI.create("https://www.site" + site + ".com/");
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          headers.add("c" + i + "=value-" + site + "-" + i + "-0123456789abcdef; Path=/;"
              + " Max-Age=86400; Secure; HttpOnly");
        }
        jar.receive(uri, headers);
      }
      if (jar.cookies().size() != 3000) {
        throw new IllegalStateException("jar holds " + jar.cookies().size() + " cookies");
      }
      jar.flush();
      double[] times = new double[runs];
      for (int r = 0; r < runs; r++) {
        jar.receive(URI.create("https://www.site0.com/"), List.of("c0=changed" + r + "; Max-Age=86400"));
        long start = System.nanoTime();
        jar.flush();
        times[r] = (System.nanoTime() - start) / 1e6;
      }
      return Stats.median(times);
    }
  }
}
