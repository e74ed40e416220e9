package io.stickyws.cookie;

import java.net.URI;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child process of {@link FileCookieJarOtherUserTest}, run as an unprivileged user with only
 * stickyws-core and slf4j-api on the class path (no logging binding). Opens the jar at
 * {@code args[0]}, subscribes a listener, stores and flushes three cookies, and prints:
 * {@code health <STATUS> <failure type>}, {@code failed <n> recovered <n>}, {@code cookies <names>}.
 */
public final class StorageProbeChild {
  private StorageProbeChild() {}

  public static void main(String[] args) {
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger recovered = new AtomicInteger();
    URI uri = URI.create("ws://lb.example.com/ws");
    try (FileCookieJar jar = FileCookieJar.open(Paths.get(args[0]))) {
      jar.addStorageListener(new CookieStorageListener() {
        @Override
        public void onStorageFailed(CookieStorageHealth health) {
          failed.incrementAndGet();
        }

        @Override
        public void onStorageRecovered(CookieStorageHealth health) {
          recovered.incrementAndGet();
        }
      });
      for (int i = 0; i < 3; i++) {
        jar.receive(uri, List.of("new" + i + "=v; Path=/"));
        jar.flush();
      }
      System.out.println("health " + jar.health().status() + " "
          + jar.health().failureType().orElse("-"));
      System.out.println("failed " + failed.get() + " recovered " + recovered.get());
      StringBuilder names = new StringBuilder();
      for (Cookie c : jar.loadForRequest(uri)) {
        names.append(names.length() == 0 ? "" : ",").append(c.name());
      }
      System.out.println("cookies " + names);
    }
  }
}
