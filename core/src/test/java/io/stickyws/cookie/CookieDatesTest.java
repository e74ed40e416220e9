package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CookieDatesTest {
  @Test
  void parsesRfc1123DateIgnoringTheWeekday() {
    assertThat(CookieDates.parse("Fri, 07 Aug 2019 08:04:19 GMT"))
        .isEqualTo(Instant.parse("2019-08-07T08:04:19Z"));
    assertThat(CookieDates.parse("Mon, 07 Aug 2019 08:04:19 GMT"))
        .isEqualTo(Instant.parse("2019-08-07T08:04:19Z"));
  }

  @Test
  void mapsTwoDigitYears() {
    assertThat(CookieDates.parse("Wed, 09-Jun-21 10:18:14 GMT"))
        .isEqualTo(Instant.parse("2021-06-09T10:18:14Z"));
    assertThat(CookieDates.parse("09-Jun-69 10:18:14")).isEqualTo(Instant.parse("2069-06-09T10:18:14Z"));
    assertThat(CookieDates.parse("09-Jun-70 10:18:14")).isEqualTo(Instant.parse("1970-06-09T10:18:14Z"));
    assertThat(CookieDates.parse("09-Jun-99 10:18:14")).isEqualTo(Instant.parse("1999-06-09T10:18:14Z"));
  }

  @Test
  void acceptsOddSeparatorsAndOrders() {
    assertThat(CookieDates.parse("Sun Nov  6 08:49:37 1994"))
        .isEqualTo(Instant.parse("1994-11-06T08:49:37Z"));
    assertThat(CookieDates.parse("2020/January/3;1:2:3"))
        .isEqualTo(Instant.parse("2020-01-03T01:02:03Z"));
    assertThat(CookieDates.parse("  3 jAnUaRy 2020 ,, 23:59:59xyz "))
        .isEqualTo(Instant.parse("2020-01-03T23:59:59Z"));
  }

  @Test
  void rejectsImpossibleOrIncompleteDates() {
    assertThat(CookieDates.parse("30 Feb 2020 00:00:00")).isNull();
    assertThat(CookieDates.parse("1 Jan 1600 00:00:00")).isNull();
    assertThat(CookieDates.parse("1 Jan 2020 24:00:00")).isNull();
    assertThat(CookieDates.parse("1 Jan 2020 00:60:00")).isNull();
    assertThat(CookieDates.parse("32 Jan 2020 00:00:00")).isNull();
    assertThat(CookieDates.parse("1 Jan 2020")).isNull();
    assertThat(CookieDates.parse("Jan 2020 00:00:00")).isNull();
    assertThat(CookieDates.parse("1 Foo 2020 00:00:00")).isNull();
    assertThat(CookieDates.parse("")).isNull();
  }
}
