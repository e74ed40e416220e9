package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.MemoryCookieJarTest.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile cookie files (issue 19, items 5 to 7, symbolic links, non-ASCII values): the
 * jar reads a bounded amount, only from regular files, never blocks, summarizes bad lines in one
 * WARN, and applies the rules of a {@code Set-Cookie} to every line it loads.
 */
class FileCookieJarHostileFileTest {
  private static final URI WSS = URI.create("wss://lb.example.com/ws");
  private static final long GIB = 1L << 30;

  @TempDir Path dir;
  private Path file;
  private final MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
  @RegisterExtension final JarWarnings jarWarnings = new JarWarnings();

  @BeforeEach
  void setUp() {
    file = dir.resolve("cookies.txt");
  }

  private FileCookieJar.Builder builder() {
    return FileCookieJar.builder(file).clock(clock);
  }

  private List<String> warnings() {
    return jarWarnings.list();
  }

  private List<String> siblings(String infix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.contains(infix))
          .collect(Collectors.toList());
    }
  }

  // item 5

  @Test
  void aHugeSparseFileIsRefusedAndQuarantinedWithOneWarning() throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(3 * GIB);
    }
    try (FileCookieJar jar = CompletableFuture.supplyAsync(() -> builder().build())
        .get(60, TimeUnit.SECONDS)) {
      assertThat(jar.cookies()).isEmpty();
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    }
    assertThat(warnings()).hasSize(1);
    assertThat(warnings().get(0)).contains(file.toString()).contains("3221225472 bytes")
        .contains("moved to");
    List<String> quarantined = siblings(".too-large-");
    assertThat(quarantined).hasSize(1);
    assertThat(Files.size(dir.resolve(quarantined.get(0)))).isEqualTo(3 * GIB);
    assertThat(Files.size(file)).isLessThan(1024);
  }

  @Test
  void aFifoNeverBlocksStartUpAndIsLeftAlone() throws Exception {
    Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).redirectErrorStream(true).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mkfifo.exitValue()).isZero();
    CompletableFuture<FileCookieJar> opening = CompletableFuture.supplyAsync(() -> builder().build());
    FileCookieJar jar = null;
    try {
      jar = opening.get(20, TimeUnit.SECONDS);
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    } catch (TimeoutException e) {
      throw new AssertionError("open() of a FIFO still blocked after 20 s", e);
    } finally {
      if (!opening.isDone()) {
        // unblock the reader stuck in open(2) so that no thread is left behind
        try (OutputStream unblock = Files.newOutputStream(file)) {
          unblock.flush();
        }
        opening.get(10, TimeUnit.SECONDS).close();
      }
      if (jar != null) {
        jar.close();
      }
    }
    assertThat(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).as("the FIFO replaced").isFalse();
    assertThat(Files.exists(file, LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(warnings()).hasSize(1).first().asString().contains("not a regular file");
  }

  @Test
  void fiftyMegabytesOfGarbageGiveOneSummarizingWarning() throws IOException {
    long lines = writeGarbage(file, 50L << 20);
    try (FileCookieJar jar = builder().maxFileSize(64L << 20).build()) {
      assertThat(jar.cookies()).isEmpty();
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
    }
    assertThat(warnings()).hasSize(1);
    String warning = warnings().get(0);
    assertThat(warning).contains(lines + " of " + lines + " lines skipped").contains("kept as")
        .contains("line 1:");
    System.out.printf("FileCookieJarHostileFileTest: 50 MiB of garbage, %d lines, %d WARN: %s%n",
        lines, warnings().size(), warning);
  }

  @Test
  void fiftyMegabytesOfGarbageOverTheDefaultLimitAreQuarantinedWithOneWarning() throws IOException {
    writeGarbage(file, 50L << 20);
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookies()).isEmpty();
    }
    assertThat(warnings()).hasSize(1).first().asString().contains("moved to");
    assertThat(siblings(".too-large-")).hasSize(1);
  }

  /** Writes seeded random lines (printable bytes, TABs, invalid UTF-8) until {@code size}. */
  private static long writeGarbage(Path target, long size) throws IOException {
    Random random = new Random(19);
    byte[] buffer = new byte[(int) size];
    long lines = 0;
    int i = 0;
    while (i < buffer.length) {
      int len = Math.min(20 + random.nextInt(400), buffer.length - i);
      for (int j = 0; j < len - 1; j++) {
        int r = random.nextInt(100);
        buffer[i + j] = r < 5 ? (byte) '\t' : r < 7 ? (byte) (0x80 + random.nextInt(0x80))
            : (byte) (0x21 + random.nextInt(0x5E));
      }
      buffer[i] = (byte) 'x'; // never a comment line
      buffer[i + len - 1] = '\n';
      i += len;
      lines++;
    }
    Files.write(target, buffer);
    return lines;
  }

  // item 6

  @Test
  void aCookieTheFileCannotHoldStaysInMemoryAcrossLaterWrites() throws IOException {
    try (FileCookieJar jar = builder().build()) {
      jar.receive(WSS, List.of("tab=x\ty; Path=/"));
      jar.flush();
      clock.advance(Duration.ofSeconds(1));
      jar.receive(WSS, List.of("other=1; Path=/"));
      jar.flush();
      clock.advance(Duration.ofSeconds(1));
      jar.receive(WSS, List.of("third=3; Path=/"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("tab=x\ty; other=1; third=3");
    }
    assertThat(Files.readString(file)).doesNotContain("tab").contains("other\t1");
  }

  // item 7

  @Test
  void aFileLineOverTheSizeLimitIsRefused() throws IOException {
    Files.writeString(file, "lb.example.com\tFALSE\t/\tTRUE\t0\tbig\t" + "v".repeat(100 * 1024)
        + "\nlb.example.com\tFALSE\t/\tTRUE\t0\tok\t1\n");
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("ok=1");
    }
    assertThat(warnings()).hasSize(1).first().asString().contains("line 1:")
        .contains("4096").doesNotContain("vvvv");
  }

  @Test
  void aFileLineForAPublicSuffixIsNeverSent() throws IOException {
    Files.writeString(file, ".com\tTRUE\t/\tFALSE\t0\tstolen\tsecretvalue\n"
        + ".co.uk\tTRUE\t/\tFALSE\t0\tstolen2\tsecretvalue\n"
        + "bank.com\tFALSE\t/\tFALSE\t0\tmine\t1\n");
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(URI.create("ws://bank.com/"))).isEqualTo("mine=1");
      assertThat(jar.cookieHeader(URI.create("ws://shop.co.uk/"))).isEmpty();
    }
    assertThat(warnings()).hasSize(1).first().asString().contains("public suffix")
        .doesNotContain("secretvalue");
  }

  // symbolic link

  @Test
  void aSymbolicLinkIsNeitherFollowedNorReplaced() throws IOException {
    Path target = dir.resolve("target.txt");
    String content = "lb.example.com\tFALSE\t/\tFALSE\t0\told\t1\n";
    Files.writeString(target, content);
    Files.createSymbolicLink(file, target);
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookies()).isEmpty();
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    }
    assertThat(Files.isSymbolicLink(file)).isTrue();
    assertThat(Files.readString(target)).isEqualTo(content);
    assertThat(warnings()).hasSize(1).first().asString().contains("symbolic link")
        .contains(target.toString());
  }

  // item 2, the jar file's part

  @Test
  void aNonAsciiValueKeepsItsUtf8BytesInTheFileAndReadsBack() throws IOException {
    try (FileCookieJar jar = builder().build()) {
      jar.receive(WSS, List.of("eur=€; Path=/"));
    }
    byte[] bytes = Files.readAllBytes(file);
    assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
        .contains("\teur\t\u00e2\u0082\u00ac\n"); // E2 82 AC, the UTF-8 of €
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("eur=€");
    }
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aValueUtf8CannotEncodeIsNeverWrittenChanged() throws IOException {
    try (FileCookieJar jar = builder().build()) {
      jar.receive(WSS, List.of("lone=a\uD800b; Path=/", "ok=1; Path=/"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("lone=a\uD800b; ok=1");
    }
    assertThat(Files.readString(file)).doesNotContain("lone").contains("ok\t1");
    try (FileCookieJar jar = builder().build()) {
      assertThat(jar.cookieHeader(WSS)).isEqualTo("ok=1");
    }
  }

  @Test
  void aDirectoryInPlaceOfTheFileIsLeftAlone() throws IOException {
    Files.createDirectory(file);
    try (FileCookieJar jar = builder().build()) {
      jar.receive(WSS, List.of("a=1"));
      jar.flush();
      assertThat(jar.cookieHeader(WSS)).isEqualTo("a=1");
    }
    assertThat(Files.isDirectory(file)).isTrue();
    assertThat(warnings()).hasSize(1).first().asString().contains("not a regular file");
  }
}
