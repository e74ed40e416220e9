package io.stickyws.internal.reconnect;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses a {@code Retry-After} header value (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date in
 * any of the three formats a recipient must accept (IMF-fixdate, RFC 850, asctime).
 *
 * <p>Stateless; thread-safe.
 */
final class RetryAfter {
  private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]+");
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.US)
          .withZone(ZoneOffset.UTC);

  private RetryAfter() {}

  /**
   * How long the server asks us to wait, measured from {@code now}.
   *
   * @param header the raw header value, may be {@code null}
   * @param now the current time, for HTTP-dates
   * @return the wait (zero for a date in the past), or empty when absent or unparseable
   */
  static Optional<Duration> parse(String header, Instant now) {
    if (header == null) {
      return Optional.empty();
    }
    String value = header.trim();
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (DELTA_SECONDS.matcher(value).matches()) {
      long seconds;
      try {
        seconds = Long.parseLong(value);
      } catch (NumberFormatException tooLong) {
        seconds = Long.MAX_VALUE;
      }
      return Optional.of(Duration.ofSeconds(seconds));
    }
    Instant date = parseDate(value, now);
    if (date == null) {
      return Optional.empty();
    }
    Duration wait = Duration.between(now, date);
    return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
  }

  private static Instant parseDate(String value, Instant now) {
    try {
      return ZonedDateTime.parse(value, IMF_FIXDATE).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the obsolete formats
    }
    try {
      // RFC 850: a two-digit year more than 50 years in the future means the past century.
      int baseYear = now.atZone(ZoneOffset.UTC).getYear() - 49;
      DateTimeFormatter rfc850 =
          new DateTimeFormatterBuilder()
              .appendPattern("EEEE, dd-MMM-")
              .appendValueReduced(ChronoField.YEAR, 2, 2, baseYear)
              .appendPattern(" HH:mm:ss 'GMT'")
              .toFormatter(Locale.US)
              .withZone(ZoneOffset.UTC);
      return ZonedDateTime.parse(value, rfc850).toInstant();
    } catch (DateTimeParseException ignored) {
      // try asctime
    }
    try {
      return ZonedDateTime.parse(value, ASCTIME).toInstant();
    } catch (DateTimeParseException ignored) {
      return null;
    }
  }
}
