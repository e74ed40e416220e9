package io.stickyws.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The balancer binaries the rig runs. A missing binary fails the test with the command that installs it: the rig never
 * skips a balancer.
 *
 * <p>Instances are not created; the class is thread-safe.
 */
public final class Binaries {
  /** HAProxy 2.6 from Debian. */
  public static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
  /** nginx 1.22 (nginx-light) from Debian. */
  public static final Path NGINX = Path.of("/usr/sbin/nginx");
  /** Caddy 2.6 from Debian. */
  public static final Path CADDY = Path.of("/usr/bin/caddy");

  private Binaries() {}

  /** Returns {@code binary} if it is executable, else fails with the apt-get command installing {@code pkg}. */
  public static Path require(Path binary, String pkg) {
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(binary + " is missing: install it with `apt-get install -y " + pkg
          + "` (the integration tests never skip a balancer)");
    }
    return binary;
  }

  /** The JDK tool {@code name} of the running JVM, e.g. {@code java} or {@code keytool}. */
  public static Path jdkTool(String name) {
    Path tool = Path.of(System.getProperty("java.home"), "bin", name);
    if (!Files.isExecutable(tool)) {
      throw new AssertionError(tool + " is missing from the running JDK");
    }
    return tool;
  }
}
