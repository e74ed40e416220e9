package io.stickyws.cookie;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Child process of {@link FileCookieJarPermissionsTest}, started with umask 000 so that a file
 * created without an explicit mode would be {@code rw-rw-rw-}.
 *
 * <p>Protocol on stdout/stdin: prints {@code probe <perms>} for a file created with no attribute;
 * creates {@code control-wide} the racy way (default mode, then chmod) and waits for a line on
 * stdin before narrowing it; creates {@code control-<i>} files the same way with a 1 ms window;
 * then for {@code rounds} rounds creates a {@link FileCookieJar} on a new {@code cookies.txt}
 * (writes: lock file, temp file, file; every tenth round a corrupt file first, so that a
 * {@code .corrupt} copy is made), and prints {@code done}.
 */
public final class PermissionProbeChild {
  private PermissionProbeChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Path dir = Paths.get(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int controls = Integer.parseInt(args[2]);

    Path probe = Files.createFile(dir.resolve("control-probe"));
    out.println("probe " + PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)));
    Files.delete(probe);

    Path wide = Files.createFile(dir.resolve("control-wide"));
    out.println("control-wide");
    in.readLine(); // the watcher saw it
    Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rw-------"));
    for (int i = 0; i < controls; i++) {
      Path c = Files.createFile(dir.resolve("control-" + i));
      LockSupport.parkNanos(1_000_000);
      Files.setPosixFilePermissions(c, PosixFilePermissions.fromString("rw-------"));
    }

    URI uri = URI.create("wss://lb.example.com/ws");
    Path file = dir.resolve("cookies.txt");
    Path lock = dir.resolve("cookies.txt.lock");
    for (int r = 0; r < rounds; r++) {
      Files.deleteIfExists(file);
      Files.deleteIfExists(lock);
      if (r % 10 == 9) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, "not\ta\tcookie\n");
      }
      try (FileCookieJar jar = FileCookieJar.builder(file).build()) {
        jar.receive(uri, List.of("SERVERID=s" + r + "; Path=/"));
        jar.flush();
        jar.receive(uri, List.of("other=o" + r + "; Path=/; Max-Age=60"));
        jar.flush();
      }
    }
    out.println("done");
  }
}
