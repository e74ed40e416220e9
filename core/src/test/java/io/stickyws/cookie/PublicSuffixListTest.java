package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicSuffixListTest {
  private final PublicSuffixList psl = PublicSuffixList.defaultList();

  @Test
  void knowsIcannSuffixes() {
    assertThat(psl.isPublicSuffix("com")).isTrue();
    assertThat(psl.isPublicSuffix("co.uk")).isTrue();
    assertThat(psl.isPublicSuffix("CO.UK")).isTrue();
    assertThat(psl.isPublicSuffix("example.co.uk")).isFalse();
    assertThat(psl.publicSuffix("www.example.co.uk")).isEqualTo("co.uk");
  }

  @Test
  void knowsPrivateSuffixes() {
    assertThat(psl.isPublicSuffix("github.io")).isTrue();
    assertThat(psl.isPublicSuffix("octocat.github.io")).isFalse();
  }

  @Test
  void honoursWildcardsAndExceptions() {
    assertThat(psl.isPublicSuffix("anything.ck")).isTrue();
    assertThat(psl.isPublicSuffix("www.ck")).isFalse();
    assertThat(psl.publicSuffix("a.b.city.kawasaki.jp")).isEqualTo("kawasaki.jp");
  }

  @Test
  void treatsUnlistedTopLevelDomainsAsSuffixes() {
    assertThat(psl.isPublicSuffix("notarealtld")).isTrue();
    assertThat(psl.isPublicSuffix("example.notarealtld")).isFalse();
  }

  @Test
  void matchesInternationalizedEntriesInPunycode() {
    assertThat(psl.isPublicSuffix("公司.cn")).isTrue();
    assertThat(psl.isPublicSuffix("xn--55qx5d.cn")).isTrue();
  }

  @Test
  void loadsACustomList(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("list.dat");
    Files.writeString(file, "// comment\nexample\n*.wild.example\n!ok.wild.example\n",
        StandardCharsets.UTF_8);
    PublicSuffixList custom = PublicSuffixList.load(file);
    assertThat(custom.isPublicSuffix("x.wild.example")).isTrue();
    assertThat(custom.isPublicSuffix("ok.wild.example")).isFalse();
    assertThat(custom.isPublicSuffix("co.uk")).isFalse(); // not in this list: only "uk" is
  }
}
