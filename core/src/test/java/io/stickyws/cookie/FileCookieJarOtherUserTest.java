package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stickyws.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage failures of issue 13 as an unprivileged user meets them: a read-only directory, an
 * unreadable file, and a file of another user (root, {@code 0444}) in a directory the user may
 * write, which the jar must not replace. The jar runs in a child JVM with only stickyws-core and
 * slf4j-api on its class path (no logging binding, as in the README), as uid 65534 through
 * {@code setpriv} when the tests run as root, else as the current user (who then owns the files
 * and cannot read or write them by mode alone). Health and the listener's counts come back on
 * stdout.
 */
class FileCookieJarOtherUserTest {
  private static final String LINE = "lb.example.com\tFALSE\t/\tFALSE\t0\told\t1\n";

  @TempDir Path tmp;
  private Path dir;
  private boolean root;

  @BeforeEach
  void setUp() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("unix"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    dir = Files.createDirectory(tmp.resolve("jar"));
    root = Integer.valueOf(0).equals(Files.getAttribute(tmp, "unix:uid"));
  }

  @Test
  void aReadOnlyDirectoryIsDegradedAndReportedOnce() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    List<String> out = runChild(dir.resolve("cookies.txt"));
    assertThat(out).containsExactly("health DEGRADED java.nio.file.AccessDeniedException",
        "failed 1 recovered 0", "cookies new0,new1,new2");
    assertThat(dir.resolve("cookies.txt")).doesNotExist();
  }

  @Test
  void anUnreadableFileIsDegradedReportedOnceAndNotReplaced() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, LINE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(root ? "rw-------" : "---------"));
    List<String> out = runChild(file);
    assertThat(out).containsExactly("health DEGRADED java.nio.file.AccessDeniedException",
        "failed 1 recovered 0", "cookies new0,new1,new2");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(file)).isEqualTo(LINE);
  }

  @Test
  void anotherUsersReadOnlyFileInAWritableDirectoryIsNotReplaced() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, LINE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    Object owner = Files.getAttribute(file, "unix:uid");
    List<String> out = runChild(file);
    assertThat(out).containsExactly("health DEGRADED java.nio.file.AccessDeniedException",
        "failed 1 recovered 0", "cookies old,new0,new1,new2");
    assertThat(Files.readString(file)).isEqualTo(LINE);
    assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(owner);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--r--r--");
  }

  private List<String> runChild(Path file) throws Exception {
    return ChildJvm.run(tmp, root, StorageProbeChild.class, file.toString());
  }
}
