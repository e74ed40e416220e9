package io.stickyws.samples.check;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations of the command line: {@code 500ms}, {@code 20s}, {@code 2m}, {@code 1h}, combinations such as
 * {@code 1m30s}, and ISO-8601 ({@code PT20S}).
 *
 * <p>Not instantiated; the class is thread-safe.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h))+");

  private Durations() {}

  /**
   * The duration {@code text} names.
   *
   * @throws IllegalArgumentException naming the text when it is not a duration, or is negative
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("duration (\"" + text + "\") is empty: use e.g. 500ms, 20s, 2m or PT20S");
    }
    String trimmed = text.trim().toLowerCase(Locale.ROOT);
    Duration result;
    if (trimmed.startsWith("p") || trimmed.startsWith("-p")) {
      try {
        result = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("duration (\"" + text + "\") is not ISO-8601: use e.g. PT20S or 20s");
      }
    } else {
      if (!WHOLE.matcher(trimmed).matches()) {
        throw new IllegalArgumentException(
            "duration (\"" + text + "\") must be a number with a unit: 500ms, 20s, 2m, 1h (or ISO-8601 PT20S)");
      }
      result = Duration.ZERO;
      Matcher part = PART.matcher(trimmed);
      try {
        while (part.find()) {
          long amount = Long.parseLong(part.group(1));
          switch (part.group(2)) {
            case "ms": result = result.plusMillis(amount); break;
            case "s": result = result.plusSeconds(amount); break;
            case "m": result = result.plusMinutes(amount); break;
            default: result = result.plusHours(amount); break;
          }
        }
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("duration (\"" + text + "\") is too large");
      }
    }
    if (result.isNegative()) {
      throw new IllegalArgumentException("duration (\"" + text + "\") must not be negative");
    }
    return result;
  }

  /** A short readable form: {@code 250ms}, {@code 1.5s}, {@code 2m}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return (millis % 1000 == 0 ? String.valueOf(millis / 1000) : String.format(Locale.ROOT, "%.1f", millis / 1000.0))
          + "s";
    }
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
