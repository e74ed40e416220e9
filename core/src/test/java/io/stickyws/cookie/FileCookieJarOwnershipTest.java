package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar never replaces a cookie file the current user could not write in place: one without the
 * owner's write permission, or one owned by another user. The check reads the file's owner and
 * mode, so it holds for root too, which the kernel would let write anything.
 */
class FileCookieJarOwnershipTest {
  private static final URI WSS = URI.create("wss://lb.example.com/ws");
  private static final String LINE = "lb.example.com\tFALSE\t/\tFALSE\t0\told\t1\n";

  @TempDir Path dir;

  @Test
  void aReadOnlyFileInAWritableDirectoryIsNotReplaced() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, LINE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    Object owner = Files.getOwner(file);
    try (FileCookieJar jar = FileCookieJar.open(file)) {
      jar.receive(WSS, List.of("new=2; Path=/"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("old=1; new=2");
    }
    assertThat(Files.readString(file)).isEqualTo(LINE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--r--r--");
    assertThat(Files.getOwner(file)).isEqualTo(owner);
  }

  @Test
  void aFileOfAnotherUserIsNotReplaced() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("unix"));
    Path file = dir.resolve("cookies.txt");
    Files.writeString(file, LINE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
    try {
      Files.setAttribute(file, "unix:uid", 65534);
    } catch (IOException | SecurityException e) {
      assumeTrue(false, "this user cannot give a file to another user (" + e + ")");
    }
    try (FileCookieJar jar = FileCookieJar.open(file)) {
      jar.receive(WSS, List.of("new=2; Path=/"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("old=1; new=2");
    }
    assertThat(Files.readString(file)).isEqualTo(LINE);
    assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(65534);
  }
}
