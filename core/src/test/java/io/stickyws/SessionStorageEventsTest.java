package io.stickyws;

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
 * The session tells the application when its {@link io.stickyws.cookie.FileCookieJar} cannot
 * persist, once, on the session's scheduler, with no logging binding on the class path (a child
 * JVM: core, its tests and slf4j-api only); {@link StickySession#closeAndWait} returns after the
 * terminal callback (issue 13).
 */
class SessionStorageEventsTest {
  @TempDir Path tmp;
  private boolean root;

  @BeforeEach
  void setUp() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("unix"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = Integer.valueOf(0).equals(Files.getAttribute(tmp, "unix:uid"));
  }

  @Test
  void aJarOnAMissingDirectoryIsReportedOnceToTheConnection() throws Exception {
    List<String> out = ChildJvm.run(tmp, false, SessionStorageChild.class,
        tmp.resolve("missing").resolve("cookies.txt").toString());
    assertThat(out).containsExactly("health DEGRADED",
        "events [storage DEGRADED java.nio.file.NoSuchFileException on stickyws-scheduler-N,"
            + " closed 1001]",
        "closed true CLOSED");
  }

  @Test
  void aJarInAReadOnlyDirectoryIsReportedOnceToTheConnection() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("jar"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    List<String> out = ChildJvm.run(tmp, root, SessionStorageChild.class,
        dir.resolve("cookies.txt").toString());
    assertThat(out).containsExactly("health DEGRADED",
        "events [storage DEGRADED java.nio.file.AccessDeniedException on stickyws-scheduler-N,"
            + " closed 1001]",
        "closed true CLOSED");
  }
}
