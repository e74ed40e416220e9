package io.stickyws.samples.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.HandshakeException;
import io.stickyws.ConnectionTimeoutException;
import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import io.stickyws.samples.check.Report.Affinity;
import io.stickyws.samples.check.Verdict.Event;
import io.stickyws.samples.check.Verdict.Facts;
import io.stickyws.samples.check.Verdict.Kind;
import io.stickyws.samples.check.Verdict.Landing;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The verdict on what a run saw: no sockets, facts built by hand. */
class VerdictTest {
  private static final Affinity S1 = affinity("s1");
  private static final Affinity S2 = affinity("s2");

  private static Affinity affinity(String server) {
    return Affinity.of(AffinityToken.ofCookie("SERVERID", server).orElseThrow(), false);
  }

  private static Landing landing(Affinity affinity, String first, SameBackend same, Event before) {
    return new Landing(affinity, first, same, before, affinity == null ? List.of() : List.of(affinity.name()));
  }

  private static Facts cycles(boolean noCookies, List<Landing> landings, int attempts, List<Failure> failures,
      Set<String> setCookies) {
    return new Facts(false, noCookies, attempts, landings, failures, setCookies, true, false);
  }

  @Test
  void oneBackendIsStickyAndNamesTheConvention() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S1, "a", SameBackend.SAME, null)), 2, List.of(), Set.of("SERVERID")));

    assertThat(v.kind()).isEqualTo(Kind.STICKY);
    assertThat(v.kind().exitCode()).isZero();
    assertThat(v.line()).isEqualTo("sticky: 2/2 on one backend");
    assertThat(v.convention()).isEqualTo("HAProxy (cookie \"SERVERID\")");
  }

  @Test
  void movingWithNoCookiesIsNotStickyAndExitsThree() {
    Verdict v = Verdict.of(cycles(true, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S2, "b", SameBackend.CHANGED, null)), 2, List.of(), Set.of("SERVERID")));

    assertThat(v.kind()).isEqualTo(Kind.NOT_STICKY);
    assertThat(v.kind().exitCode()).isEqualTo(3);
    assertThat(v.line()).isEqualTo("NOT sticky: 2 backends in 2 connections: --no-cookies sends no affinity cookie, "
        + "as a plain client does");
  }

  @Test
  void movingAlthoughTheCookieWasResentBlamesTheBalancer() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S2, "b", SameBackend.CHANGED, null)), 2, List.of(), Set.of("SERVERID")));

    assertThat(v.kind()).isEqualTo(Kind.NOT_STICKY);
    assertThat(v.line()).contains("although the client resent the affinity cookie")
        .contains("HAProxy (cookie \"SERVERID\")");
  }

  @Test
  void movingWithoutResendingBlamesTheClient() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        new Landing(S2, "b", SameBackend.CHANGED, null, List.of("other"))), 2, List.of(), Set.of("SERVERID")));

    assertThat(v.line()).isEqualTo("NOT sticky: 2 backends in 2 connections: your client is not resending the "
        + "affinity cookie");
  }

  @Test
  void oneMoveAfterADisconnectInHoldModeIsAFailoverNamingTheEvent() {
    Event drained = new Event(1012, Failure.closed(1012, ""), new ArrayList<>());
    Event killed = new Event(1006, Failure.of(new java.io.EOFException()), new ArrayList<>(
        List.of(Failure.of(new HandshakeException(503, null)))));

    Verdict v1012 = Verdict.of(new Facts(true, false, 2, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S2, "b", SameBackend.CHANGED, drained)), List.of(), Set.of("SERVERID"), true, false));
    Verdict v1006 = Verdict.of(new Facts(true, false, 3, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S2, "b", SameBackend.CHANGED, killed)), List.of(), Set.of("SERVERID"), true, false));

    assertThat(v1012.kind()).isEqualTo(Kind.FAILED_OVER);
    assertThat(v1012.kind().exitCode()).isZero();
    assertThat(v1012.line()).isEqualTo("failed over: moved once after the backend restarted or drained (close 1012), "
        + "then stayed on the new backend");
    assertThat(v1006.line()).startsWith("failed over: moved once after the connection dropped (1006")
        .contains("then 1 failed attempt (http-status 503)");
  }

  @Test
  void aFailoverWithNoCookiesIsStillNotSticky() {
    Event drained = new Event(1012, null, new ArrayList<>());
    Verdict v = Verdict.of(new Facts(true, true, 2, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S2, "b", SameBackend.CHANGED, drained)), List.of(), Set.of("SERVERID"), true, false));

    assertThat(v.kind()).isEqualTo(Kind.NOT_STICKY);
  }

  @Test
  void theSameMoveBetweenCyclesIsNotAFailover() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(S1, "a", SameBackend.UNKNOWN, null),
        landing(S2, "b", SameBackend.CHANGED, null), landing(S2, "b", SameBackend.SAME, null)), 3, List.of(),
        Set.of("SERVERID")));

    assertThat(v.kind()).isEqualTo(Kind.NOT_STICKY);
    assertThat(v.next()).contains("--hold");
  }

  @Test
  void noConnectionIsCouldNotConnectWithTheCauseClassAndAHint() {
    Verdict refused = Verdict.of(cycles(false, List.of(), 3, List.of(Failure.of(new ConnectException(
        "Connection refused"))), Set.of()));
    Verdict unknown = Verdict.of(cycles(false, List.of(), 1, List.of(Failure.of(new UnknownHostException(
        "nowhere.invalid"))), Set.of()));
    Verdict tls = Verdict.of(cycles(false, List.of(), 1, List.of(Failure.of(new SSLHandshakeException(
        "PKIX path building failed"))), Set.of()));
    Verdict timeout = Verdict.of(cycles(false, List.of(), 1, List.of(Failure.of(new ConnectionTimeoutException(
        ConnectionTimeoutException.Kind.HANDSHAKE, Duration.ofSeconds(1)))), Set.of()));
    Verdict status = Verdict.of(cycles(false, List.of(), 1, List.of(Failure.of(new HandshakeException(403, null))),
        Set.of()));

    assertThat(List.of(refused, unknown, tls, timeout, status)).allSatisfy(v -> {
      assertThat(v.kind()).isEqualTo(Kind.COULD_NOT_CONNECT);
      assertThat(v.kind().exitCode()).isEqualTo(1);
    });
    assertThat(refused.line()).isEqualTo("could not connect: connection refused (0/3 opened)");
    assertThat(unknown.line()).isEqualTo("could not connect: unknown host (0/1 opened)");
    assertThat(tls.line()).isEqualTo("could not connect: TLS handshake failed (0/1 opened)");
    assertThat(tls.next()).contains("--cacert").contains("hostname verification is never turned off");
    assertThat(timeout.line()).isEqualTo("could not connect: timed out (0/1 opened)");
    assertThat(timeout.next()).contains("--handshake-timeout");
    assertThat(status.line()).isEqualTo("could not connect: handshake answered 403 (0/1 opened)");
  }

  @Test
  void aPartialFailureIsCouldNotConnect() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(S1, "a", SameBackend.UNKNOWN, null)), 2,
        List.of(Failure.of(new ConnectException("Connection refused"))), Set.of("SERVERID")));

    assertThat(v.kind()).isEqualTo(Kind.COULD_NOT_CONNECT);
    assertThat(v.line()).isEqualTo("could not connect: 1 of 2 connections failed (refused)");
  }

  @Test
  void noCookieAtAllAndVaryingBackendsSaysTheBalancerDoesNoCookieAffinity() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(null, "a", SameBackend.UNKNOWN, null),
        landing(null, "b", SameBackend.UNKNOWN, null)), 2, List.of(), Set.of()));

    assertThat(v.kind()).isEqualTo(Kind.NO_AFFINITY_COOKIE);
    assertThat(v.kind().exitCode()).isEqualTo(3);
    assertThat(v.line()).contains("the balancer set no cookie at all: it does not do cookie affinity")
        .contains("Linkerd").contains("Cilium without Gateway API session persistence").contains("round robin");
    assertThat(v.next()).contains("header or query parameter");
    assertThat(v.convention()).isNull();
  }

  @Test
  void unknownCookiesAndVaryingBackendsSuggestNamingTheCookie() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(null, "a", SameBackend.UNKNOWN, null),
        landing(null, "b", SameBackend.UNKNOWN, null)), 2, List.of(), Set.of("mylb")));

    assertThat(v.kind()).isEqualTo(Kind.NO_AFFINITY_COOKIE);
    assertThat(v.line()).contains("the balancer set cookie mylb, none a known affinity cookie");
    assertThat(v.next()).contains("--affinity-cookie");
  }

  @Test
  void noCookieButOneBackendIsStickyByFirstMessage() {
    Verdict v = Verdict.of(cycles(false, List.of(landing(null, "a", SameBackend.UNKNOWN, null),
        landing(null, "a", SameBackend.UNKNOWN, null)), 2, List.of(), Set.of()));

    assertThat(v.kind()).isEqualTo(Kind.STICKY);
    assertThat(v.line()).startsWith("sticky: 2/2 on one backend (judged by first message");
  }

  @Test
  void holdNotOpenAtTheEndCouldNotConnect() {
    Verdict v = Verdict.of(new Facts(true, false, 3, List.of(landing(S1, "a", SameBackend.UNKNOWN, null)),
        List.of(Failure.of(new ConnectException("Connection refused"))), Set.of("SERVERID"), false, false));

    assertThat(v.kind()).isEqualTo(Kind.COULD_NOT_CONNECT);
    assertThat(v.line()).isEqualTo("could not connect: the connection was not open at the end (last attempt: "
        + "refused)");
  }

  @Test
  void aDeadlineIsSaid() {
    Verdict v = Verdict.of(new Facts(false, false, 1, List.of(landing(S1, "a", SameBackend.UNKNOWN, null)),
        List.of(), Set.of("SERVERID"), true, true));

    assertThat(v.line()).isEqualTo("sticky: 1/1 on one backend (--deadline ended the run)");
  }

  @Test
  void failureKeepsTheWholeCauseChain() {
    Failure f = Failure.of(new SSLHandshakeException("PKIX path building failed: "
        + "x".repeat(300)));

    assertThat(f.kind()).isEqualTo(Failure.Kind.TLS);
    assertThat(f.message()).hasSizeGreaterThan(300).startsWith("SSLHandshakeException: PKIX");
    assertThat(f.json().toString()).startsWith("{\"class\":\"tls\",\"message\":\"SSLHandshakeException");
  }

  @Test
  void failureHidesTheQueryStringOfAUrl() {
    Failure f = Failure.of(new java.io.IOException("cannot open wss://app.example/ws?token=s3cr3t#x: refused"));

    assertThat(f.message()).isEqualTo("IOException: cannot open wss://app.example/ws?(query hidden)#x: refused");
  }

  @Test
  void revealedAffinityShowsTheValueOnlyWhenAsked() {
    AffinityToken token = AffinityToken.ofCookie("SERVERID", "s1").orElseThrow();

    assertThat(Affinity.of(token, false).value()).isNull();
    assertThat(Affinity.of(token, true).value()).isEqualTo("s1");
  }
}
