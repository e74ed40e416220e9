package io.stickyws.cookie;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The cookie-date algorithm of RFC 6265 §5.1.1: any weekday, two-digit years, odd separators.
 *
 * <p>Stateless and thread-safe.
 */
final class CookieDates {
  private static final String[] MONTHS = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
  };

  private CookieDates() {}

  /** Parses a cookie-date; {@code null} when the algorithm fails. */
  static Instant parse(String s) {
    boolean foundTime = false;
    boolean foundDay = false;
    boolean foundMonth = false;
    boolean foundYear = false;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int day = 0;
    int month = 0;
    int year = 0;
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isDelimiter(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isDelimiter(s.charAt(i))) {
        i++;
      }
      if (start == i) {
        continue;
      }
      String token = s.substring(start, i);
      int[] time;
      if (!foundTime && (time = parseTime(token)) != null) {
        foundTime = true;
        hour = time[0];
        minute = time[1];
        second = time[2];
      } else if (!foundDay && digitsPrefix(token, 1, 2) >= 0) {
        foundDay = true;
        day = digitsPrefix(token, 1, 2);
      } else if (!foundMonth && monthOf(token) > 0) {
        foundMonth = true;
        month = monthOf(token);
      } else if (!foundYear && digitsPrefix(token, 2, 4) >= 0) {
        foundYear = true;
        year = digitsPrefix(token, 2, 4);
      }
    }
    if (!(foundTime && foundDay && foundMonth && foundYear)) {
      return null;
    }
    if (year >= 70 && year <= 99) {
      year += 1900;
    } else if (year >= 0 && year <= 69) {
      year += 2000;
    }
    if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // e.g. 30 February
    }
  }

  static boolean isDelimiter(char c) {
    return c == 0x09
        || (c >= 0x20 && c <= 0x2F)
        || (c >= 0x3B && c <= 0x40)
        || (c >= 0x5B && c <= 0x60)
        || (c >= 0x7B && c <= 0x7E);
  }

  /**
   * {@code min*max DIGIT ( non-digit *OCTET )}: the number, or -1 when the token does not match.
   */
  private static int digitsPrefix(String token, int min, int max) {
    int k = 0;
    while (k < token.length() && isDigit(token.charAt(k))) {
      k++;
    }
    if (k < min || k > max) {
      return -1;
    }
    return Integer.parseInt(token.substring(0, k));
  }

  /** {@code hms-time ( non-digit *OCTET )}, hms-time = 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT. */
  private static int[] parseTime(String token) {
    int[] result = new int[3];
    int pos = 0;
    for (int field = 0; field < 3; field++) {
      int start = pos;
      while (pos < token.length() && isDigit(token.charAt(pos))) {
        pos++;
      }
      int len = pos - start;
      if (len < 1 || len > 2) {
        return null;
      }
      result[field] = Integer.parseInt(token.substring(start, pos));
      if (field < 2) {
        if (pos >= token.length() || token.charAt(pos) != ':') {
          return null;
        }
        pos++;
      }
    }
    // the remainder, if any, starts with a non-digit (guaranteed: digits were consumed)
    return result;
  }

  private static int monthOf(String token) {
    if (token.length() < 3) {
      return 0;
    }
    String prefix = token.substring(0, 3);
    for (int m = 0; m < MONTHS.length; m++) {
      if (MONTHS[m].equalsIgnoreCase(prefix)) {
        return m + 1;
      }
    }
    return 0;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
