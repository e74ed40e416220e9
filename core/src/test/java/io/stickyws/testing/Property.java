package io.stickyws.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A property check in plain JUnit 5: {@code tries} inputs drawn from seeded {@link Gen}s, each
 * handed to a check that throws when the property does not hold. Try {@code i} uses the seed
 * {@code base + i * 0x9E3779B97F4A7C15}, where {@code base} is {@code -Dstickyws.seed=N} when
 * given, else the test's own seed; so a failure's printed seed, passed as {@code
 * -Dstickyws.seed}, replays the failing input as the first try. A failing input is minimized
 * (the shrinker's smaller candidates, taken while the check still fails; for strings, characters
 * dropped) before it is reported with its seed. Stateless; thread-safe.
 */
public final class Property {
  /** System property replacing the seed of every property. */
  public static final String SEED_PROPERTY = "stickyws.seed";
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final int MAX_SHRINK_CHECKS = 20_000;

  private Property() {}

  /** The base seed: {@code -Dstickyws.seed} when set, else {@code defaultSeed}. */
  public static long baseSeed(long defaultSeed) {
    String value = System.getProperty(SEED_PROPERTY);
    return value == null || value.isBlank() ? defaultSeed : Long.parseLong(value.trim());
  }

  /**
   * Checks {@code check} on {@code tries} inputs from {@code generator}; on the first failure
   * throws an {@link AssertionError} naming the property, the try, its seed, the input and the
   * minimized input.
   */
  public static <T> void forAll(String name, long defaultSeed, int tries,
      Function<Gen, T> generator, Function<T, Stream<T>> shrinker, Consumer<T> check) {
    long base = baseSeed(defaultSeed);
    for (int i = 0; i < tries; i++) {
      long seed = base + i * GOLDEN;
      T input = generator.apply(new Gen(seed));
      Optional<Throwable> failure = failure(check, input);
      if (failure.isPresent()) {
        T minimized = minimize(input, shrinker, in -> failure(check, in).isPresent());
        Throwable minimalFailure = failure(check, minimized).orElse(failure.get());
        String report = name + " failed on try " + i + ", seed " + seed
            + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")"
            + "\n  input:     " + describe(input)
            + "\n  minimized: " + describe(minimized)
            + "\n  failure:   " + minimalFailure;
        System.err.println(report);
        AssertionError error = new AssertionError(report, minimalFailure);
        error.addSuppressed(failure.get());
        throw error;
      }
    }
  }

  private static <T> Optional<Throwable> failure(Consumer<T> check, T input) {
    try {
      check.accept(input);
      return Optional.empty();
    } catch (Throwable t) { // any failure counts, as a property test runner would
      return Optional.of(t);
    }
  }

  /**
   * Greedy minimization: the first smaller candidate that still fails replaces the input, until
   * none fails (or a bound of checks is reached).
   */
  public static <T> T minimize(T input, Function<T, Stream<T>> shrinker, Predicate<T> fails) {
    T current = input;
    int checks = 0;
    boolean smaller = true;
    while (smaller && checks < MAX_SHRINK_CHECKS) {
      smaller = false;
      for (T candidate : (Iterable<T>) shrinker.apply(current)::iterator) {
        if (++checks > MAX_SHRINK_CHECKS) {
          break;
        }
        if (fails.test(candidate)) {
          current = candidate;
          smaller = true;
          break;
        }
      }
    }
    return current;
  }

  /** Strings with characters dropped: halves, then quarters, ..., then single characters. */
  public static Stream<String> dropCharacters(String s) {
    List<String> candidates = new ArrayList<>();
    for (int chunk = Math.max(1, s.length() / 2); chunk >= 1; chunk = chunk == 1 ? 0 : chunk / 2) {
      for (int at = 0; at + chunk <= s.length(); at += chunk) {
        candidates.add(s.substring(0, at) + s.substring(at + chunk));
      }
    }
    return candidates.stream();
  }

  /** No smaller candidates: for inputs that are not minimized. */
  public static <T> Stream<T> noShrinking(T input) {
    return Stream.empty();
  }

  /** Lists with one element dropped, in every position. */
  public static <T> Stream<List<T>> dropElements(List<T> list) {
    List<List<T>> candidates = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      List<T> shorter = new ArrayList<>(list);
      shorter.remove(i);
      candidates.add(shorter);
    }
    return candidates.stream();
  }

  /** Lists with one element replaced by each of its smaller candidates. */
  public static <T> Stream<List<T>> shrinkElements(List<T> list, Function<T, Stream<T>> shrinker) {
    return Stream.iterate(0, i -> i < list.size(), i -> i + 1)
        .flatMap(i -> shrinker.apply(list.get(i)).map(smaller -> {
          List<T> copy = new ArrayList<>(list);
          copy.set(i, smaller);
          return copy;
        }));
  }

  /** A value as reported: strings quoted with control and non-ASCII characters escaped. */
  public static String describe(Object value) {
    if (value instanceof String) {
      return quote((String) value);
    }
    if (value instanceof List) {
      List<String> parts = new ArrayList<>();
      for (Object o : (List<?>) value) {
        parts.add(describe(o));
      }
      return parts.toString();
    }
    return String.valueOf(value);
  }

  /** {@code s} in double quotes, with {@code \}, {@code "}, controls and non-ASCII as escapes. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7F) {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04X", (int) c));
      }
    }
    return sb.append('"').toString();
  }
}
