package io.stickyws.cookie;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;

/**
 * Child process of {@link FileCookieJarTwoProcessTest}: opens the jar, prints {@code ready}, waits
 * for a line on stdin, stores {@code count} cookies named {@code <prefix><i>} with a write after
 * each, closes the jar and prints {@code done}.
 */
public final class CookieWriterChild {
  private CookieWriterChild() {}

  public static void main(String[] args) throws Exception {
    String file = args[0];
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    try (FileCookieJar jar = FileCookieJar.builder(Paths.get(file)).maxCookiesPerDomain(1000).build()) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      in.readLine();
      addCookies(jar, prefix, count);
    }
    System.out.println("done");
    System.out.flush();
  }

  static void addCookies(FileCookieJar jar, String prefix, int count) {
    URI uri = URI.create("http://lb.example.com/");
    for (int i = 0; i < count; i++) {
      jar.receive(uri, List.of(prefix + i + "=v" + i + "; Path=/; Max-Age=3600"));
      jar.flush();
    }
  }
}
