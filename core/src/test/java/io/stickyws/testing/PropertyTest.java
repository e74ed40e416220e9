package io.stickyws.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain-JUnit property runner: seeds, replay, minimization, report. */
class PropertyTest {
  @Test
  void sameSeedSameValues() {
    Gen a = new Gen(42);
    Gen b = new Gen(42);
    for (int i = 0; i < 1000; i++) {
      assertThat(CookieGen.setCookie(a)).isEqualTo(CookieGen.setCookie(b));
    }
  }

  @Test
  void runsEveryTryWhenThePropertyHolds() {
    List<Long> seeds = new ArrayList<>();
    Property.forAll("holds", 7, 50, Gen::seed, Property::noShrinking, seeds::add);

    assertThat(seeds).hasSize(50).doesNotHaveDuplicates().startsWith(7L);
  }

  @Test
  void aFailureReportsItsSeedAndTheMinimizedInput() {
    String input = "abc;DEL\u007Fxyz";
    assertThatThrownBy(() -> Property.forAll("noDel", 1, 10, g -> input, Property::dropCharacters,
        s -> assertThat(s).doesNotContain("\u007F")))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("noDel failed on try 0, seed 1 (replay: -Dstickyws.seed=1)")
        .hasMessageContaining("input:     \"abc;DEL\\u007Fxyz\"")
        .hasMessageContaining("minimized: \"\\u007F\"");
  }

  @Test
  void theReportedSeedReplaysTheFailingInputFirst() {
    List<Long> failingSeeds = new ArrayList<>();
    try {
      Property.forAll("third", 100, 10, Gen::seed, Property::noShrinking, seed -> {
        if (seed != 100 && seed != 100 + 0x9E3779B97F4A7C15L) {
          failingSeeds.add(seed);
          throw new AssertionError("seed " + seed);
        }
      });
    } catch (AssertionError expected) {
      assertThat(expected).hasMessageContaining("failed on try 2, seed " + failingSeeds.get(0));
    }
    long replay = failingSeeds.get(0);
    assertThat(new Gen(replay).seed()).isEqualTo(replay);
    assertThatThrownBy(() -> Property.forAll("third", replay, 1, Gen::seed,
        Property::noShrinking, seed -> {
          throw new AssertionError("seed " + seed);
        })).hasMessageStartingWith("third failed on try 0, seed " + replay);
  }

  @Test
  void minimizationDropsCharactersWhileItStillFails() {
    String minimized = Property.minimize("xxhello worldyy", Property::dropCharacters,
        s -> s.contains("o w"));

    assertThat(minimized).isEqualTo("o w");
  }

  @Test
  void quoteEscapesControlsAndNonAscii() {
    assertThat(Property.quote("a\"\\\t\u00e9\uD800")).isEqualTo("\"a\\\"\\\\\\u0009\\u00E9\\uD800\"");
  }
}
