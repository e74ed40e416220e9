package io.stickyws.cookie;

import java.net.URI;
import java.nio.file.Paths;
import java.util.List;

/**
 * Child process of {@link FileCookieJarShutdownTest}: what a README quick start does. Opens the
 * jar, stores a cookie and returns from {@code main} without closing the jar, while the write is
 * still waiting out the coalesce delay.
 */
public final class UnclosedJarChild {
  private UnclosedJarChild() {}

  public static void main(String[] args) {
    FileCookieJar jar = FileCookieJar.open(Paths.get(args[0]));
    jar.receive(URI.create("ws://lb.example.com/ws"), List.of("SERVERID=s3; Path=/"));
  }
}
