package io.stickyws.samples.check;

import io.stickyws.affinity.AffinityToken;
import io.stickyws.affinity.SameBackend;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Where sticky-check writes what it sees: JSON lines ({@link #json}) or a readable table ({@link #text}). Affinity
 * tokens appear as name and fingerprint only; their value only with {@code --reveal-affinity}, and only here (stdout),
 * never in a log.
 *
 * <p>Implementations are thread-safe: events of the connection thread and of the first-message timer are serialized.
 */
abstract class Report {
  final PrintStream out;

  Report(PrintStream out) {
    this.out = out;
  }

  /** JSON lines on {@code out}; the verdict line and the next step also on {@code err}, for a person reading logs. */
  static Report json(PrintStream out, PrintStream err) {
    return new JsonReport(out, err);
  }

  static Report text(PrintStream out) {
    return new TextReport(out);
  }

  /**
   * What one affinity token shows: its name, fingerprint and convention; its value only when revealed.
   *
   * @param name the cookie or header name
   * @param fingerprint the token's fingerprint
   * @param balancer the balancer or convention the affinity package recognised, e.g. {@code HAProxy}
   * @param source where the token travels
   * @param value the value as the balancer set it, only with {@code --reveal-affinity}; otherwise {@code null}
   */
  record Affinity(String name, String fingerprint, String balancer, AffinityToken.Source source, String value) {
    static Affinity of(AffinityToken token, boolean reveal) {
      return token == null ? null : new Affinity(token.name(), token.fingerprint(), token.balancer(), token.source(),
          reveal ? token.value() : null);
    }

    /** The convention as the affinity package reports it: {@code HAProxy (cookie "SERVERID")}. */
    String convention() {
      String where = source == AffinityToken.Source.COOKIE ? "cookie"
          : source == AffinityToken.Source.QUERY_PARAMETER ? "query parameter" : "header";
      return balancer + " (" + where + " \"" + name + "\")";
    }
  }

  /** One connect/close cycle of {@code --connections}; {@code error} when it did not open. */
  record Cycle(int n, String client, boolean opened, Integer status, String firstMessage, Affinity affinity,
      SameBackend sameBackend, double millis, Failure error) {}

  /** The last line; {@code observed} is what the engine reported through the session's observer. */
  record Summary(int connections, int opened, int distinctFirstMessages, int distinctAffinities,
      Observed.Stats observed) {}

  abstract void start(String target);

  abstract void connection(Cycle cycle);

  abstract void open(int n, int attempt, String firstMessage, Affinity affinity, SameBackend sameBackend);

  abstract void disconnected(int code, String reason, Failure error, boolean willRetry, Duration nextDelay);

  abstract void reconnecting(int attempt, Duration delay);

  abstract void affinityChanged(Affinity from, Affinity to);

  abstract void gaveUp(int attempts, Duration elapsed, Failure cause);

  abstract void closed(int code, String reason, Failure error);

  abstract void summary(Summary summary, Verdict verdict);

  static double millis(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }

  private static Json affinityJson(Affinity affinity) {
    if (affinity == null) {
      return null;
    }
    Json json = Json.object().put("name", affinity.name()).put("fingerprint", affinity.fingerprint());
    return affinity.value() == null ? json : json.put("value", affinity.value());
  }

  private static Json errorJson(Failure error) {
    return error == null ? null : error.json();
  }

  /** One JSON object per line on stdout, nothing else. */
  private static final class JsonReport extends Report {
    private final PrintStream err;

    JsonReport(PrintStream out, PrintStream err) {
      super(out);
      this.err = err;
    }

    private synchronized void line(Json json) {
      out.println(json);
      out.flush();
    }

    @Override
    void start(String target) {}

    @Override
    void connection(Cycle c) {
      line(Json.object().put("type", "connection").put("n", c.n()).put("client", c.client())
          .put("opened", c.opened()).put("status", c.status()).put("firstMessage", c.firstMessage())
          .put("affinity", affinityJson(c.affinity())).put("sameBackend", c.sameBackend().name())
          .put("millis", c.millis()).put("error", errorJson(c.error())));
    }

    @Override
    void open(int n, int attempt, String firstMessage, Affinity affinity, SameBackend sameBackend) {
      line(Json.object().put("type", "open").put("n", n).put("firstMessage", firstMessage)
          .put("affinity", affinityJson(affinity)).put("sameBackend", sameBackend.name()));
    }

    @Override
    void disconnected(int code, String reason, Failure error, boolean willRetry, Duration nextDelay) {
      line(Json.object().put("type", "disconnected").put("code", code).put("reason", reason)
          .put("willRetry", willRetry).put("nextDelayMillis", nextDelay == null ? null : (Long) nextDelay.toMillis())
          .put("error", errorJson(error)));
    }

    @Override
    void reconnecting(int attempt, Duration delay) {
      line(Json.object().put("type", "reconnecting").put("attempt", attempt).put("delayMillis", delay.toMillis()));
    }

    @Override
    void affinityChanged(Affinity from, Affinity to) {
      line(Json.object().put("type", "affinityChanged")
          .put("from", from == null ? null : from.fingerprint())
          .put("to", to == null ? null : to.fingerprint()));
    }

    @Override
    void gaveUp(int attempts, Duration elapsed, Failure cause) {
      line(Json.object().put("type", "gaveUp").put("attempts", attempts).put("elapsedMillis", elapsed.toMillis())
          .put("cause", cause == null ? null : cause.message()).put("error", errorJson(cause)));
    }

    @Override
    void closed(int code, String reason, Failure error) {
      line(Json.object().put("type", "closed").put("code", code).put("reason", reason).put("error", errorJson(error)));
    }

    @Override
    void summary(Summary s, Verdict verdict) {
      line(Json.object().put("type", "summary").put("connections", s.connections()).put("opened", s.opened())
          .put("distinctFirstMessages", s.distinctFirstMessages())
          .put("distinctAffinities", s.distinctAffinities())
          .put("opens", Json.object().put("same", s.observed().same()).put("changed", s.observed().changed())
              .put("unknown", s.observed().unknown()))
          .put("reconnectMillis", Json.object().put("p50", s.observed().p50Millis())
              .put("p99", s.observed().p99Millis()).put("count", s.observed().reconnects()))
          .put("verdict", verdict.kind().json()).put("exitCode", verdict.kind().exitCode())
          .put("verdictLine", verdict.line()).put("next", verdict.next()).put("convention", verdict.convention()));
      err.println(verdict.line());
      err.println("next: " + verdict.next());
      err.flush();
    }
  }

  /** A readable table (cycles) or event log (hold), then the verdict line. */
  private static final class TextReport extends Report {
    private final long startNanos = System.nanoTime();
    private boolean header;

    TextReport(PrintStream out) {
      super(out);
    }

    @Override
    synchronized void start(String target) {
      out.println("sticky-check " + target);
    }

    @Override
    synchronized void connection(Cycle c) {
      if (!header) {
        out.printf(Locale.ROOT, "%4s  %-6s  %-6s  %8s  %-28s  %-30s  %s%n",
            "#", "opened", "status", "ms", "first message", "affinity (name fingerprint)", "backend");
        header = true;
      }
      out.printf(Locale.ROOT, "%4d  %-6s  %-6s  %8.1f  %-28s  %-30s  %s%n", c.n(), c.opened() ? "yes" : "NO",
          c.status() == null ? "-" : c.status(), c.millis(),
          c.opened() ? shorten(c.firstMessage()) : c.error() == null ? "-" : c.error().label(),
          affinityText(c.affinity()), c.sameBackend());
      if (c.error() != null) {
        out.println("      error: " + flat(c.error().message()));
      }
      out.flush();
    }

    @Override
    synchronized void open(int n, int attempt, String firstMessage, Affinity affinity, SameBackend sameBackend) {
      event("open #" + n + " (attempt " + attempt + ")  first message " + shorten(firstMessage) + "  affinity "
          + affinityText(affinity) + "  backend " + sameBackend);
    }

    @Override
    synchronized void disconnected(int code, String reason, Failure error, boolean willRetry, Duration nextDelay) {
      event("disconnected " + code + (reason.isEmpty() ? "" : " (" + flat(reason) + ")")
          + (error == null ? "" : " [" + error.label() + "] " + flat(error.message()))
          + (willRetry ? ", retry in " + Durations.format(nextDelay) : ", no retry"));
    }

    @Override
    synchronized void reconnecting(int attempt, Duration delay) {
      event("reconnecting: attempt " + attempt + " in " + Durations.format(delay));
    }

    @Override
    synchronized void affinityChanged(Affinity from, Affinity to) {
      event("affinity changed " + affinityText(from) + " -> " + affinityText(to)
          + ": the balancer moved this client to another backend");
    }

    @Override
    synchronized void gaveUp(int attempts, Duration elapsed, Failure cause) {
      event("gave up after " + attempts + " attempts in " + Durations.format(elapsed)
          + (cause == null ? "" : ": [" + cause.label() + "] " + flat(cause.message())));
    }

    @Override
    synchronized void closed(int code, String reason, Failure error) {
      event("closed " + code + (reason.isEmpty() ? "" : " (" + flat(reason) + ")")
          + (error == null ? "" : " [" + error.label() + "] " + flat(error.message())));
    }

    @Override
    synchronized void summary(Summary s, Verdict verdict) {
      out.println();
      out.println(s.opened() + "/" + s.connections() + " opened, " + s.distinctFirstMessages()
          + " distinct first messages, " + s.distinctAffinities() + " distinct affinity tokens");
      Observed.Stats o = s.observed();
      out.println("opens: " + o.same() + " same, " + o.changed() + " changed, " + o.unknown() + " unknown; "
          + o.reconnects() + (o.reconnects() == 1 ? " reconnect" : " reconnects")
          + (o.reconnects() == 0 ? "" : String.format(Locale.ROOT, " (p50 %.1f ms, p99 %.1f ms)", o.p50Millis(),
              o.p99Millis())));
      if (s.opened() > 0) {
        out.println("convention: " + (verdict.convention() == null ? "no affinity cookie recognised"
            : verdict.convention()));
      }
      out.println(verdict.line());
      out.println("next: " + verdict.next());
      out.flush();
    }

    private void event(String text) {
      out.printf(Locale.ROOT, "%8.3fs  %s%n", (System.nanoTime() - startNanos) / 1e9, text);
      out.flush();
    }

    private static String affinityText(Affinity affinity) {
      return affinity == null ? "-" : affinity.name() + " " + affinity.fingerprint()
          + (affinity.value() == null ? "" : " =" + flat(affinity.value()));
    }

    private static String shorten(String text) {
      if (text == null) {
        return "-";
      }
      String flat = flat(text);
      return flat.length() <= 28 ? flat : flat.substring(0, 25) + "...";
    }

    private static String flat(String text) {
      return text.replaceAll("\\p{Cntrl}", " ");
    }
  }
}
