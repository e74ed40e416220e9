package io.stickyws.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The random source of a property test: a {@link SplittableRandom} with a known seed, and the
 * few primitive generators the cookie generators ({@link CookieGen}) are made of. The same seed
 * gives the same values in the same order. Not thread-safe: one instance per try.
 */
public final class Gen {
  private final SplittableRandom random;
  private final long seed;

  /** A source seeded with {@code seed}. */
  public Gen(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
  }

  /** The seed this source started from. */
  public long seed() {
    return seed;
  }

  /** An int in {@code [min, max]}. */
  public int between(int min, int max) {
    return min == max ? min : random.nextInt(min, max + 1);
  }

  /** A long in {@code [min, max]}. */
  public long between(long min, long max) {
    return min == max ? min : random.nextLong(min, max + 1);
  }

  /** true or false, evenly. */
  public boolean bool() {
    return random.nextBoolean();
  }

  /** One of {@code values}, evenly. */
  @SafeVarargs
  public final <T> T oneOf(T... values) {
    return values[random.nextInt(values.length)];
  }

  /** One of {@code values}, evenly. */
  public <T> T oneOf(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** An index into {@code weights}, each drawn in proportion to its weight. */
  public int weighted(int... weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int r = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return i;
      }
    }
    throw new AssertionError("unreachable");
  }

  /** A char in {@code [min, max]}. */
  public char charIn(char min, char max) {
    return (char) between((int) min, (int) max);
  }

  /** A string of {@code min} to {@code max} chars, each any UTF-16 unit (lone surrogates too). */
  public String string(int min, int max) {
    return string(min, max, () -> (char) random.nextInt(0x10000));
  }

  /** A string of {@code min} to {@code max} chars, each one of {@code alphabet}. */
  public String string(String alphabet, int min, int max) {
    return string(min, max, () -> alphabet.charAt(random.nextInt(alphabet.length())));
  }

  /** {@code c} repeated {@code min} to {@code max} times. */
  public String repeat(char c, int min, int max) {
    return String.valueOf(c).repeat(between(min, max));
  }

  private String string(int min, int max, Supplier<Character> next) {
    int length = between(min, max);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(next.get().charValue());
    }
    return sb.toString();
  }

  /** A list of {@code min} to {@code max} elements from {@code element}. */
  public <T> List<T> list(int min, int max, Supplier<T> element) {
    int size = between(min, max);
    List<T> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(element.get());
    }
    return list;
  }
}
