package io.stickyws.cookie;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link FileCookieJarCrashTest}: writes to a {@link FileCookieJar} until it is
 * killed.
 *
 * <p>State {@code n} of the file is the window of cookies {@code c<k>} for
 * {@code n - WINDOW < k <= n}, {@code k >= 0}, each with the value {@link #value(long)}; state
 * {@code -1} is no cookie. On start the child loads the file, prints {@code start <n>} for the
 * state it found, then for {@code n+1, n+2, …} stores the new cookie, deletes the one leaving the
 * window, {@link FileCookieJar#flush() flushes} and prints the number: every number printed is a
 * state completely written to the file.
 */
public final class CrashingWriterChild {
  static final int WINDOW = 20;
  static final URI URI_ = URI.create("wss://lb.example.com/ws");

  private CrashingWriterChild() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    FileCookieJar jar = FileCookieJar.builder(Paths.get(args[0]))
        .maxCookiesPerDomain(1000)
        .coalesceDelay(Duration.ofHours(1)) // only the explicit flushes write
        .build();
    long n = stateOf(jar.cookies());
    out.println("start " + n);
    while (true) {
      n++;
      List<String> headers = new ArrayList<>();
      headers.add("c" + n + "=" + value(n) + "; Path=/; Max-Age=86400; Secure");
      if (n - WINDOW >= 0) {
        headers.add("c" + (n - WINDOW) + "=; Path=/; Max-Age=0");
      }
      jar.receive(URI_, headers);
      jar.flush();
      out.println(n);
    }
  }

  /** The value of cookie {@code c<k>}: about 1.5 kB, different for every k. */
  static String value(long k) {
    String unit = "v" + k + "_";
    return unit.repeat(1500 / unit.length());
  }

  /** The state the cookies represent: the highest {@code k}, or -1 for none. */
  static long stateOf(List<Cookie> cookies) {
    long max = -1;
    for (Cookie c : cookies) {
      if (c.name().startsWith("c")) {
        max = Math.max(max, Long.parseLong(c.name().substring(1)));
      }
    }
    return max;
  }
}
