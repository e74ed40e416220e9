package io.stickyws.internal.reconnect;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.ReconnectPolicy.Jitter;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Instant START = Instant.parse("2025-03-01T12:00:00Z"); // a Saturday
  private static final Failure REFUSED = Failure.io(new ConnectException("refused"));

  private final MutableClock clock = new MutableClock(START);
  private final SplittableRandom random = new SplittableRandom(20250301L);

  private Backoff backoff(ReconnectPolicy policy) {
    return new Backoff(policy, clock, random);
  }

  private static ReconnectPolicy.Builder policy(Jitter jitter) {
    return ReconnectPolicy.builder()
        .initialDelay(Duration.ofMillis(500))
        .multiplier(2.0)
        .maxDelay(Duration.ofSeconds(30))
        .jitter(jitter);
  }

  /** Delays of attempts 1..n of one outage, all I/O failures. */
  private List<Long> delays(Backoff backoff, int n) {
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Decision d = backoff.next(REFUSED);
      assertThat(d.retry()).as("attempt %d: %s", i + 1, d).isTrue();
      delays.add(d.delay().toMillis());
    }
    return delays;
  }

  private static double capped(int attempt) {
    return Math.min(30_000, 500 * Math.pow(2, attempt - 1));
  }

  // ---- delays ----

  @Test
  void noJitterGrowsExponentiallyUpToTheCap() {
    assertThat(delays(backoff(policy(Jitter.NONE).build()), 9))
        .containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L);
  }

  @Test
  void noJitterStaysAtTheCapWithoutOverflowAfterThousandsOfAttempts() {
    List<Long> delays = delays(backoff(policy(Jitter.NONE).multiplier(10).build()), 5000);
    assertThat(delays.subList(3, delays.size())).containsOnly(30000L);
  }

  @Test
  void multiplierOneKeepsTheDelayConstant() {
    assertThat(delays(backoff(policy(Jitter.NONE).multiplier(1.0).build()), 4))
        .containsExactly(500L, 500L, 500L, 500L);
  }

  @Test
  void fractionalMultiplierGrowsByThatFactor() {
    assertThat(delays(backoff(policy(Jitter.NONE).multiplier(1.5).build()), 4))
        .containsExactly(500L, 750L, 1125L, 1687L);
  }

  @Test
  void fullJitterIsWithinZeroAndTheCappedDelayAtEveryAttempt() {
    for (int run = 0; run < 200; run++) {
      List<Long> delays = delays(backoff(policy(Jitter.FULL).build()), 12);
      for (int attempt = 1; attempt <= 12; attempt++) {
        assertThat(delays.get(attempt - 1))
            .as("attempt %d", attempt)
            .isBetween(0L, (long) capped(attempt));
      }
    }
  }

  @Test
  void fullJitterUsesTheWholeWindowAtTheCap() {
    Backoff backoff = backoff(policy(Jitter.FULL).build());
    List<Long> late = delays(backoff, 400).subList(10, 400);
    assertThat(late.stream().mapToLong(Long::longValue).min().getAsLong()).isLessThan(3000);
    assertThat(late.stream().mapToLong(Long::longValue).max().getAsLong()).isGreaterThan(27000);
  }

  @Test
  void equalJitterIsWithinHalfAndAllOfTheCappedDelay() {
    for (int run = 0; run < 200; run++) {
      List<Long> delays = delays(backoff(policy(Jitter.EQUAL).build()), 12);
      for (int attempt = 1; attempt <= 12; attempt++) {
        double d = capped(attempt);
        assertThat(delays.get(attempt - 1))
            .as("attempt %d", attempt)
            .isBetween((long) (d / 2), (long) d);
      }
    }
  }

  @Test
  void proportionalJitterIsWithinTheFactorAroundTheCappedDelay() {
    ReconnectPolicy p = policy(Jitter.NONE).proportionalJitter(0.2).build();
    Set<Long> seen = new HashSet<>();
    for (int run = 0; run < 200; run++) {
      List<Long> delays = delays(backoff(p), 12);
      for (int attempt = 1; attempt <= 12; attempt++) {
        double d = capped(attempt);
        assertThat(delays.get(attempt - 1))
            .as("attempt %d", attempt)
            .isBetween((long) (d * 0.8), (long) (d * 1.2));
      }
      seen.add(delays.get(11));
    }
    assertThat(seen).hasSizeGreaterThan(100);
  }

  @Test
  void decorrelatedJitterStaysWithinInitialDelayAndTheCap() {
    Backoff backoff = backoff(policy(Jitter.DECORRELATED).build());
    List<Long> delays = delays(backoff, 10_000);
    assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(500L, 30_000L));
    long previous = 500;
    for (long d : delays) {
      assertThat(d).isLessThanOrEqualTo(previous * 3);
      previous = d;
    }
  }

  @Test
  void decorrelatedJitterDoesNotPileUpAtTheCap() {
    List<Long> delays = delays(backoff(policy(Jitter.DECORRELATED).build()), 10_000);
    long atCap = delays.stream().filter(d -> d >= 29_999).count();
    assertThat(atCap).isLessThan(100);
  }

  // ---- status and close-code decisions ----

  @Test
  void givesUpOnClientErrorStatuses() {
    for (int status : new int[] {400, 401, 403, 404}) {
      Backoff backoff = backoff(ReconnectPolicy.defaults());
      Decision d = backoff.next(Failure.handshake(status, null, null));
      assertThat(d.retry()).as("status %d", status).isFalse();
      assertThat(d.delay()).isEqualTo(Duration.ZERO);
      assertThat(d.reason()).isEqualTo("handshake status " + status);
      assertThat(backoff.attempts()).isEqualTo(1);
    }
  }

  @Test
  void givesUpOnSuccessAndRedirectStatusesAsNotAWebSocketEndpoint() {
    for (int status : new int[] {200, 302}) {
      Decision d = backoff(ReconnectPolicy.defaults()).next(Failure.handshake(status, null, null));
      assertThat(d.retry()).as("status %d", status).isFalse();
      assertThat(d.reason())
          .isEqualTo("handshake status " + status + " (not a WebSocket endpoint)");
    }
  }

  @Test
  void retriesTimeoutThrottlingServerErrorsAndOtherStatuses() {
    for (int status : new int[] {408, 429, 500, 501, 502, 503, 504, 599, 405, 418}) {
      Decision d = backoff(ReconnectPolicy.defaults()).next(Failure.handshake(status, null, null));
      assertThat(d.retry()).as("status %d", status).isTrue();
      assertThat(d.reason()).startsWith("handshake status " + status + ", attempt 1");
    }
  }

  @Test
  void retriesIoErrors() {
    Decision d = backoff(ReconnectPolicy.defaults()).next(Failure.io(new IOException("reset")));
    assertThat(d.retry()).isTrue();
    assertThat(d.reason()).isEqualTo("I/O error (IOException), attempt 1");
  }

  @Test
  void givesUpOnCloseCodesThatRetryingCannotFix() {
    for (int code : new int[] {1003, 1007, 1008, 1009, 1010}) {
      Decision d = backoff(ReconnectPolicy.defaults()).next(Failure.closed(code, "bye", true));
      assertThat(d.retry()).as("code %d", code).isFalse();
      assertThat(d.reason()).isEqualTo("close code " + code + " (remote)");
    }
  }

  @Test
  void retriesTransientAndUnlistedCloseCodes() {
    for (int code : new int[] {1000, 1001, 1002, 1005, 1006, 1011, 1012, 1013, 1014, 1015, 3001}) {
      Decision d = backoff(ReconnectPolicy.defaults()).next(Failure.closed(code, "", true));
      assertThat(d.retry()).as("code %d", code).isTrue();
    }
  }

  @Test
  void normalClosureInitiatedLocallyIsNotRetried() {
    Decision d = backoff(ReconnectPolicy.defaults()).next(Failure.closed(1000, null, false));
    assertThat(d.retry()).isFalse();
    assertThat(d.reason()).isEqualTo("closed locally (1000)");
  }

  @Test
  void applicationCloseCodesAreDecidedByThePredicate() {
    ReconnectPolicy p = ReconnectPolicy.builder().applicationCloseCodes(c -> c != 4001).build();
    assertThat(backoff(p).next(Failure.closed(4001, "", true)).retry()).isFalse();
    assertThat(backoff(p).next(Failure.closed(4002, "", true)).retry()).isTrue();
    assertThat(backoff(ReconnectPolicy.defaults()).next(Failure.closed(4001, "", true)).retry())
        .isTrue();
  }

  @Test
  void overridesChangeSingleDecisions() {
    ReconnectPolicy p =
        ReconnectPolicy.builder()
            .retryOnStatus(401)
            .giveUpOnStatus(503)
            .giveUpOnCloseCode(1006)
            .retryOnCloseCode(1008, 4001)
            .applicationCloseCodes(c -> false)
            .build();
    assertThat(backoff(p).next(Failure.handshake(401, null, null)).retry()).isTrue();
    assertThat(backoff(p).next(Failure.handshake(503, "1", null)).retry()).isFalse();
    assertThat(backoff(p).next(Failure.handshake(403, null, null)).retry()).isFalse();
    assertThat(backoff(p).next(Failure.closed(1006, "", true)).retry()).isFalse();
    assertThat(backoff(p).next(Failure.closed(1008, "", true)).retry()).isTrue();
    assertThat(backoff(p).next(Failure.closed(4001, "", true)).retry()).isTrue();
    assertThat(backoff(p).next(Failure.closed(4002, "", true)).retry()).isFalse();
  }

  @Test
  void aGiveUpDecisionFromALaterFailureEndsARetryingOutage() {
    Backoff backoff = backoff(ReconnectPolicy.defaults());
    assertThat(backoff.next(REFUSED).retry()).isTrue();
    assertThat(backoff.next(Failure.handshake(502, null, null)).retry()).isTrue();
    Decision d = backoff.next(Failure.handshake(401, null, null));
    assertThat(d.retry()).isFalse();
    assertThat(backoff.attempts()).isEqualTo(3);
  }

  @Test
  void reasonsCarryNoCloseReasonTextOrExceptionMessage() {
    Decision closed =
        backoff(ReconnectPolicy.defaults()).next(Failure.closed(1011, "token=s3cr3t", true));
    Decision io =
        backoff(ReconnectPolicy.defaults())
            .next(Failure.io(new IOException("wss://h/p?token=s3cr3t")));
    assertThat(closed.reason()).doesNotContain("s3cr3t");
    assertThat(io.reason()).doesNotContain("s3cr3t");
  }

  // ---- limits ----

  @Test
  void givesUpWhenMaxAttemptsFailedAttemptsAreReached() {
    Backoff backoff = backoff(policy(Jitter.NONE).maxAttempts(5).build());
    assertThat(delays(backoff, 4)).containsExactly(500L, 1000L, 2000L, 4000L);
    Decision d = backoff.next(REFUSED);
    assertThat(d.retry()).isFalse();
    assertThat(d.reason()).isEqualTo("maxAttempts (5) reached");
    assertThat(backoff.attempts()).isEqualTo(5);
  }

  @Test
  void maxAttemptsOneGivesUpAtTheFirstFailure() {
    Backoff backoff = backoff(policy(Jitter.NONE).maxAttempts(1).build());
    Decision d = backoff.next(REFUSED);
    assertThat(d.retry()).isFalse();
    assertThat(d.reason()).isEqualTo("maxAttempts (1) reached");
    assertThat(backoff.attempts()).isEqualTo(1);
  }

  @Test
  void keepsGivingUpOnceItGaveUp() {
    Backoff backoff = backoff(policy(Jitter.NONE).maxAttempts(1).build());
    Decision first = backoff.next(REFUSED);
    Decision second = backoff.next(REFUSED);
    assertThat(second).isEqualTo(first);
    assertThat(backoff.attempts()).isEqualTo(2);
  }

  @Test
  void givesUpWhenTheNextAttemptWouldStartAfterMaxElapsedTime() {
    Backoff backoff =
        backoff(
            policy(Jitter.NONE)
                .initialDelay(Duration.ofSeconds(1))
                .maxElapsedTime(Duration.ofSeconds(10))
                .build());
    // failures at t=0, 1, 3 retry after 1, 2, 4 s; at t=7 the next delay (8 s) would end at 15 s
    for (long expected : new long[] {1000, 2000, 4000}) {
      Decision d = backoff.next(REFUSED);
      assertThat(d.retry()).isTrue();
      assertThat(d.delay()).isEqualTo(Duration.ofMillis(expected));
      clock.advance(d.delay());
    }
    assertThat(backoff.elapsed()).isEqualTo(Duration.ofSeconds(7));
    Decision d = backoff.next(REFUSED);
    assertThat(d.retry()).isFalse();
    assertThat(d.reason())
        .isEqualTo("maxElapsedTime (PT10S) would be exceeded: elapsed PT7S + delay PT8S");
    assertThat(backoff.attempts()).isEqualTo(4);
  }

  @Test
  void anAttemptEndingExactlyAtMaxElapsedTimeIsAllowed() {
    Backoff backoff =
        backoff(
            policy(Jitter.NONE)
                .initialDelay(Duration.ofSeconds(2))
                .maxElapsedTime(Duration.ofSeconds(10))
                .build());
    clock.advance(Duration.ofSeconds(8));
    assertThat(backoff.next(REFUSED).delay()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void elapsedFollowsTheClock() {
    Backoff backoff = backoff(ReconnectPolicy.defaults());
    assertThat(backoff.elapsed()).isEqualTo(Duration.ZERO);
    clock.advance(Duration.ofMillis(1234));
    assertThat(backoff.elapsed()).isEqualTo(Duration.ofMillis(1234));
    assertThat(backoff.attempts()).isZero();
  }

  // ---- Retry-After ----

  private Decision firstDecision(int status, String retryAfter) {
    return backoff(policy(Jitter.NONE).build()).next(Failure.handshake(status, retryAfter, null));
  }

  @Test
  void honoursRetryAfterSecondsOn503() {
    Decision d = firstDecision(503, "120");
    assertThat(d.delay()).isEqualTo(Duration.ofSeconds(120));
    assertThat(d.reason()).isEqualTo("handshake status 503, attempt 1, Retry-After PT2M");
  }

  @Test
  void honoursRetryAfterSecondsOn429() {
    assertThat(firstDecision(429, " 7 ").delay()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void honoursRetryAfterHttpDate() {
    assertThat(firstDecision(429, "Sat, 01 Mar 2025 12:01:30 GMT").delay())
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void honoursRetryAfterInObsoleteDateFormats() {
    assertThat(firstDecision(503, "Saturday, 01-Mar-25 12:01:30 GMT").delay())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(firstDecision(503, "Sat Mar  1 12:01:30 2025").delay())
        .isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void retryAfterIsCappedAtMaxRetryAfter() {
    assertThat(firstDecision(503, "3600").delay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(firstDecision(503, "99999999999999999999999").delay())
        .isEqualTo(Duration.ofMinutes(5));
    Decision custom =
        backoff(policy(Jitter.NONE).maxRetryAfter(Duration.ofSeconds(20)).build())
            .next(Failure.handshake(429, "Sat, 01 Mar 2025 13:00:00 GMT", null));
    assertThat(custom.delay()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void retryAfterIsSpreadOverAQuarterAcrossAFleet() {
    for (Jitter jitter : List.of(Jitter.TWO_THIRDS, Jitter.FULL, Jitter.EQUAL, Jitter.PROPORTIONAL,
        Jitter.DECORRELATED)) {
      // a thousand clients told "Retry-After: 3" by one balancer, each with its own random
      List<Long> fleet = new ArrayList<>();
      for (int client = 0; client < 1000; client++) {
        Backoff one = new Backoff(policy(jitter).build(), clock, new SplittableRandom(client));
        fleet.add(one.next(Failure.handshake(503, "3", null)).delay().toMillis());
      }
      assertThat(fleet).as(jitter.name()).allSatisfy(d -> assertThat(d).isBetween(3000L, 3750L));
      assertThat(new HashSet<>(fleet)).as(jitter + ": distinct delays").hasSizeGreaterThan(500);
      assertThat(fleet.stream().filter(d -> d < 3250).count()).as(jitter + ": first third")
          .isBetween(250L, 420L);
      assertThat(fleet.stream().filter(d -> d >= 3500).count()).as(jitter + ": last third")
          .isBetween(250L, 420L);
    }
  }

  @Test
  void spreadRetryAfterIsAPureFunctionOfTheDraw() {
    List<Long> first = new ArrayList<>();
    List<Long> second = new ArrayList<>();
    for (List<Long> run : List.of(first, second)) {
      Backoff one = new Backoff(policy(Jitter.FULL).build(), clock, new SplittableRandom(7));
      for (int i = 0; i < 5; i++) {
        run.add(one.next(Failure.handshake(429, "60", null)).delay().toMillis());
      }
    }
    assertThat(first).isEqualTo(second).allSatisfy(d -> assertThat(d).isBetween(60_000L, 75_000L));
  }

  @Test
  void retryAfterShorterThanTheBackoffDelayDoesNotShortenIt() {
    Backoff backoff = backoff(policy(Jitter.NONE).build());
    delays(backoff, 4); // next backoff delay is 8 s
    assertThat(backoff.next(Failure.handshake(503, "1", null)).delay())
        .isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void retryAfterDateInThePastLeavesTheBackoffDelay() {
    assertThat(firstDecision(503, "Sat, 01 Mar 2025 11:00:00 GMT").delay())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void retryAfterIsIgnoredOnOtherStatuses() {
    assertThat(firstDecision(500, "120").delay()).isEqualTo(Duration.ofMillis(500));
    assertThat(firstDecision(502, "120").delay()).isEqualTo(Duration.ofMillis(500));
    assertThat(firstDecision(408, "120").delay()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void unparseableRetryAfterIsIgnored() {
    for (String header : new String[] {"soon", "-5", "1.5", "", "Sat, 32 Mar 2025 12:00:00 GMT"}) {
      Decision d = firstDecision(503, header);
      assertThat(d.retry()).isTrue();
      assertThat(d.delay()).as("header '%s'", header).isEqualTo(Duration.ofMillis(500));
      assertThat(d.reason()).doesNotContain("Retry-After");
    }
  }

  @Test
  void retryAfterCountsTowardsMaxElapsedTime() {
    Backoff backoff = backoff(policy(Jitter.NONE).maxElapsedTime(Duration.ofSeconds(60)).build());
    Decision d = backoff.next(Failure.handshake(503, "120", null));
    assertThat(d.retry()).isFalse();
    assertThat(d.reason()).startsWith("maxElapsedTime (PT1M) would be exceeded");
  }
}
