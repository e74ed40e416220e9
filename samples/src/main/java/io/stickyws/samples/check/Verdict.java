package io.stickyws.samples.check;

import io.stickyws.affinity.SameBackend;
import io.stickyws.samples.check.Report.Affinity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a run of sticky-check means, for a person (one line and what to do next) and for a pipeline (an exit code):
 * sticky, failed over, not sticky, no affinity cookie, could not connect. Instances are immutable and thread-safe.
 *
 * @param kind the verdict
 * @param line the verdict line, e.g. {@code sticky: 10/10 on one backend}
 * @param next one line: what to do next
 * @param convention the affinity convention recognised, e.g. {@code HAProxy (cookie "SERVERID")}, or {@code null}
 */
record Verdict(Kind kind, String line, String next, String convention) {
  static final String NO_COOKIE_BALANCERS = "Linkerd, Cilium without Gateway API session persistence, a plain round "
      + "robin";

  /** The verdicts, with their JSON name and exit code. */
  enum Kind {
    /** Every open landed on one backend. */
    STICKY("sticky", 0),
    /** The backend died or drained, the client moved once and stayed. */
    FAILED_OVER("failed-over", 0),
    /** The client moved between backends without a reason. */
    NOT_STICKY("not-sticky", 3),
    /** No affinity cookie was seen, so nothing can keep the client on one backend (or nothing tells). */
    NO_AFFINITY_COOKIE("no-affinity-cookie", 3),
    /** No connection (or not every one) opened. */
    COULD_NOT_CONNECT("could-not-connect", 1);

    private final String json;
    private final int exitCode;

    Kind(String json, int exitCode) {
      this.json = json;
      this.exitCode = exitCode;
    }

    /** The value of the summary's {@code verdict}. */
    String json() {
      return json;
    }

    /** The process exit code: 0 sticky or a clean failover, 1 could not connect, 3 not sticky. */
    int exitCode() {
      return exitCode;
    }
  }

  /**
   * The disconnect before a reopen ({@code --hold}).
   *
   * @param code the close code
   * @param failure why, when an exception or a status said so; otherwise {@code null}
   * @param failedAttempts failed reconnect attempts between the disconnect and the reopen
   */
  record Event(int code, Failure failure, List<Failure> failedAttempts) {
    /** Says what happened, for the verdict line. */
    String describe() {
      String what;
      switch (code) {
        case 1001: what = "the backend went away (close 1001)"; break;
        case 1012: what = "the backend restarted or drained (close 1012)"; break;
        case 1013: what = "the backend asked to try again later (close 1013)"; break;
        case 1006: what = "the connection dropped (1006" + (failure == null ? "" : ", " + failure.label())
            + ": the backend died or was killed)"; break;
        default: what = "the connection closed (" + code + (failure == null ? "" : ", " + failure.label()) + ")";
      }
      if (!failedAttempts.isEmpty()) {
        Set<String> labels = new LinkedHashSet<>();
        failedAttempts.forEach(f -> labels.add(f.label()));
        what += ", then " + failedAttempts.size() + " failed attempt" + (failedAttempts.size() == 1 ? "" : "s")
            + " (" + String.join(", ", labels) + ")";
      }
      return what;
    }
  }

  /**
   * One open.
   *
   * @param affinity the affinity token the open carried, or {@code null}
   * @param firstMessage the first text message, or {@code null}
   * @param sameBackend what the engine reported against what was sent
   * @param before the disconnect this open followed ({@code --hold}), or {@code null}
   * @param sentCookies the names of the cookies sent on its handshake
   */
  record Landing(Affinity affinity, String firstMessage, SameBackend sameBackend, Event before,
      List<String> sentCookies) {}

  /**
   * Everything a run saw.
   *
   * @param hold whether it was {@code --hold}
   * @param noCookies whether {@code --no-cookies} was given
   * @param attempts handshakes tried ({@code --connections}: cycles)
   * @param landings every open, in order
   * @param failures every failed handshake, in order
   * @param setCookieNames the names of every cookie the answers set
   * @param openAtEnd {@code --hold}: whether the connection was open at the end
   * @param cutShort whether {@code --deadline} ended the run early
   */
  record Facts(boolean hold, boolean noCookies, int attempts, List<Landing> landings, List<Failure> failures,
      Set<String> setCookieNames, boolean openAtEnd, boolean cutShort) {}

  /** The verdict on {@code facts}. */
  static Verdict of(Facts facts) {
    String unit = facts.hold() ? "opens" : "connections";
    int opened = facts.landings().size();
    String convention = facts.landings().stream().map(Landing::affinity).filter(Objects::nonNull).findFirst()
        .map(Affinity::convention).orElse(null);
    String cut = facts.cutShort() ? " (--deadline ended the run)" : "";
    Failure lastFailure = facts.failures().isEmpty() ? null : facts.failures().get(facts.failures().size() - 1);
    if (opened == 0) {
      String why = lastFailure == null ? "no answer" : lastFailure.kind().text()
          + (lastFailure.status() == null ? "" : " " + lastFailure.status());
      return new Verdict(Kind.COULD_NOT_CONNECT, "could not connect: " + why + " (0/" + facts.attempts()
          + " opened)" + cut, nextAfter(lastFailure), null);
    }
    if (!facts.hold() && opened < facts.attempts()) {
      return new Verdict(Kind.COULD_NOT_CONNECT, "could not connect: " + (facts.attempts() - opened) + " of "
          + facts.attempts() + " connections failed (" + (lastFailure == null ? "no answer" : lastFailure.label())
          + ")" + cut, nextAfter(lastFailure), convention);
    }
    if (facts.hold() && !facts.openAtEnd()) {
      return new Verdict(Kind.COULD_NOT_CONNECT, "could not connect: the connection was not open at the end"
          + (lastFailure == null ? "" : " (last attempt: " + lastFailure.label() + ")") + cut,
          nextAfter(lastFailure), convention);
    }
    boolean byAffinity = convention != null;
    if (!byAffinity) {
      return withoutAffinity(facts, unit, opened, cut);
    }
    List<Landing> moves = new ArrayList<>();
    Set<String> backends = new LinkedHashSet<>();
    String previous = null;
    for (Landing landing : facts.landings()) {
      String id = landing.affinity() == null ? null : landing.affinity().fingerprint();
      if (id == null) {
        continue;
      }
      backends.add(id);
      if (previous == null ? landing.sameBackend() == SameBackend.CHANGED : !previous.equals(id)) {
        moves.add(landing);
      }
      previous = id;
    }
    if (moves.isEmpty()) {
      return new Verdict(Kind.STICKY, "sticky: " + opened + "/" + facts.attempts() + " on one backend" + cut,
          "nothing to fix: the client resends the affinity cookie and the balancer honours it", convention);
    }
    String spread = backends.size() + " backends in " + opened + " " + unit;
    if (facts.noCookies()) {
      return new Verdict(Kind.NOT_STICKY, "NOT sticky: " + spread
          + ": --no-cookies sends no affinity cookie, as a plain client does" + cut,
          "a client that keeps the balancer's cookie and sends it back on every handshake (a cookie jar wired into "
              + "the WebSocket client, as stickyws does) stays on one backend: run without --no-cookies", convention);
    }
    boolean everyMoveExplained = facts.hold() && moves.stream().allMatch(m -> m.before() != null
        || facts.landings().indexOf(m) == 0);
    if (everyMoveExplained) {
      List<String> events = new ArrayList<>();
      for (Landing move : moves) {
        events.add(move.before() == null
            ? "at connect: the backend of the cookie in the jar was not available" : move.before().describe());
      }
      String times = moves.size() == 1 ? "moved once" : "moved " + moves.size() + " times";
      return new Verdict(Kind.FAILED_OVER, "failed over: " + times + " after " + String.join("; ", events)
          + ", then stayed on the new backend" + cut,
          "nothing to fix in the client: it followed the balancer's new affinity cookie; rebuild in-process state "
              + "on the new backend when onAffinityChanged is called", convention);
    }
    boolean resent = moves.stream().allMatch(m -> m.sentCookies().contains(m.affinity().name()));
    if (resent) {
      return new Verdict(Kind.NOT_STICKY, "NOT sticky: " + spread + " although the client resent the affinity "
          + "cookie: the balancer does not honour " + convention + cut,
          "make the balancer route on that cookie (HAProxy `cookie NAME insert`, nginx `sticky`/`hash $cookie_...`, "
              + "Caddy `lb_policy cookie`), or run with --hold to see whether a backend went down meanwhile",
          convention);
    }
    return new Verdict(Kind.NOT_STICKY, "NOT sticky: " + spread + ": your client is not resending the affinity "
        + "cookie" + cut, "keep the balancer's Set-Cookie in a cookie jar and send it on every WebSocket handshake "
            + "(stickyws does); check the cookie's Domain, Path and Secure against the URL", convention);
  }

  private static Verdict withoutAffinity(Facts facts, String unit, int opened, String cut) {
    Set<String> messages = new LinkedHashSet<>();
    facts.landings().forEach(l -> {
      if (l.firstMessage() != null) {
        messages.add(l.firstMessage());
      }
    });
    Set<String> seen = facts.setCookieNames();
    String cookies = seen.isEmpty() ? "the balancer set no cookie at all"
        : "the balancer set " + (seen.size() == 1 ? "cookie " : "cookies ") + String.join(", ", seen)
            + ", none a known affinity cookie";
    String nameIt = seen.isEmpty() ? "" : "if one of " + String.join(", ", seen)
        + " is the balancer's affinity cookie, name it with --affinity-cookie NAME; otherwise ";
    if (messages.size() == 1) {
      return new Verdict(Kind.STICKY, "sticky: " + opened + "/" + facts.attempts() + " on one backend (judged by "
          + "first message: no affinity cookie seen; the balancer may route by source address)" + cut,
          "nothing to fix for this client; without an affinity cookie a client whose address changes may move: "
              + "cookie, header or query affinity keeps it", null);
    }
    String headerOrQuery = "route on a header or query parameter the client sends (AffinityRules.requestHeader or "
        + "queryParameter, with the balancer hashing on it), or turn on the balancer's cookie affinity";
    if (messages.isEmpty()) {
      return new Verdict(Kind.NO_AFFINITY_COOKIE, "cannot tell: no affinity cookie recognised and no first message "
          + "from the backends (" + cookies + ")" + cut, nameIt + "make the backends greet with their id, or "
          + headerOrQuery, null);
    }
    String spread = messages.size() + " backends in " + opened + " " + unit + " (judged by first message)";
    if (seen.isEmpty()) {
      return new Verdict(Kind.NO_AFFINITY_COOKIE, "NOT sticky: " + spread + " and " + cookies
          + ": it does not do cookie affinity (" + NO_COOKIE_BALANCERS + ")" + cut, headerOrQuery, null);
    }
    return new Verdict(Kind.NO_AFFINITY_COOKIE, "NOT sticky: " + spread + ": " + cookies + cut,
        nameIt + headerOrQuery, null);
  }

  private static String nextAfter(Failure failure) {
    if (failure == null) {
      return "check the URL and that the balancer runs; raise --handshake-timeout if it is slow";
    }
    switch (failure.kind()) {
      case REFUSED:
        return "nothing listens there: check the URL's host and port, and that the balancer runs";
      case UNKNOWN_HOST:
        return "the host name does not resolve: check the URL's host and this machine's DNS";
      case TLS:
        return "if the balancer's certificate comes from a private CA or is self-signed, trust it with --cacert "
            + "FILE (hostname verification is never turned off: the certificate must name the host)";
      case TIMEOUT:
        return "nothing answered the handshake in time: check that the URL reaches the balancer's WebSocket "
            + "listener (firewall, a port that does not speak HTTP), or raise --handshake-timeout";
      case HTTP_STATUS:
        return failure.status() == 401 || failure.status() == 403
            ? "the balancer or the backend refused the client: send the credentials it expects"
            : failure.status() == 404 ? "no WebSocket at this path: check the URL's path"
            : failure.status() >= 500 ? "the balancer has no healthy backend (or it failed): check the backends"
            : "the server answered the upgrade with " + failure.status() + ": check the URL and that it upgrades "
                + "to WebSocket";
      default:
        return "the connection failed: see the error above";
    }
  }
}
