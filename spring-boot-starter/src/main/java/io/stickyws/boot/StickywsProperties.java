package io.stickyws.boot;

import io.stickyws.ReconnectPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code stickyws.*} properties. A property left unset keeps the stickyws default (see the
 * starter's README for the table).
 *
 * <p>Not thread-safe: bound once by Spring Boot at start-up, then only read.
 */
@ConfigurationProperties("stickyws")
public class StickywsProperties {
  private boolean enabled = true;
  private Path cookieFile;
  private boolean reconnect = true;
  private Duration handshakeTimeout;
  private final Affinity affinity = new Affinity();
  private final Backoff backoff = new Backoff();
  private final Heartbeat heartbeat = new Heartbeat();

  /** Creates the properties with their defaults. */
  public StickywsProperties() {}

  /** @return whether the auto-configuration is on (default {@code true}) */
  public boolean isEnabled() {
    return enabled;
  }

  /** @param enabled {@code false} to switch the auto-configuration off */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** @return the cookie file ({@code cookies.txt} format), or {@code null} for an in-memory jar */
  public Path getCookieFile() {
    return cookieFile;
  }

  /** @param cookieFile where the cookie jar persists, so stickiness survives restarts */
  public void setCookieFile(Path cookieFile) {
    this.cookieFile = cookieFile;
  }

  /** @return whether the Spring client reconnects with the backoff (default {@code true}) */
  public boolean isReconnect() {
    return reconnect;
  }

  /** @param reconnect {@code false} for a STOMP client that reconnects itself */
  public void setReconnect(boolean reconnect) {
    this.reconnect = reconnect;
  }

  /** @return the handshake timeout, or {@code null} for the default */
  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  /** @param handshakeTimeout how long one handshake may take */
  public void setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = handshakeTimeout;
  }

  /** @return the {@code stickyws.affinity.*} properties */
  public Affinity getAffinity() {
    return affinity;
  }

  /** @return the {@code stickyws.backoff.*} properties */
  public Backoff getBackoff() {
    return backoff;
  }

  /** @return the {@code stickyws.heartbeat.*} properties */
  public Heartbeat getHeartbeat() {
    return heartbeat;
  }

  /**
   * {@code stickyws.affinity.*}: which cookies are the balancer's affinity token.
   *
   * <p>Not thread-safe.
   */
  public static class Affinity {
    private List<String> cookieNames = new ArrayList<>();
    private boolean builtInCookies = true;

    /** Creates the defaults. */
    public Affinity() {}

    /** @return cookie names to treat as affinity tokens, besides the built-in ones */
    public List<String> getCookieNames() {
      return cookieNames;
    }

    /** @param cookieNames cookie names such as {@code MYLB} */
    public void setCookieNames(List<String> cookieNames) {
      this.cookieNames = cookieNames;
    }

    /** @return whether the built-in balancer cookie names are known (default {@code true}) */
    public boolean isBuiltInCookies() {
      return builtInCookies;
    }

    /** @param builtInCookies {@code false} to know only {@link #getCookieNames()} */
    public void setBuiltInCookies(boolean builtInCookies) {
      this.builtInCookies = builtInCookies;
    }
  }

  /**
   * {@code stickyws.backoff.*}: the reconnect policy's backoff and budgets.
   *
   * <p>Not thread-safe.
   */
  public static class Backoff {
    private Duration initialDelay;
    private Duration maxDelay;
    private Double multiplier;
    private ReconnectPolicy.Jitter jitter;
    private Integer maxAttempts;
    private Duration maxElapsedTime;

    /** Creates the defaults. */
    public Backoff() {}

    /** @return the first delay, or {@code null} for the default */
    public Duration getInitialDelay() {
      return initialDelay;
    }

    /** @param initialDelay the first delay */
    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
    }

    /** @return the cap of the delay, or {@code null} for the default */
    public Duration getMaxDelay() {
      return maxDelay;
    }

    /** @param maxDelay the cap of the delay */
    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    /** @return the growth factor, or {@code null} for the default */
    public Double getMultiplier() {
      return multiplier;
    }

    /** @param multiplier the growth factor */
    public void setMultiplier(Double multiplier) {
      this.multiplier = multiplier;
    }

    /** @return the jitter, or {@code null} for the default */
    public ReconnectPolicy.Jitter getJitter() {
      return jitter;
    }

    /** @param jitter TWO_THIRDS, NONE, FULL, EQUAL, DECORRELATED or PROPORTIONAL */
    public void setJitter(ReconnectPolicy.Jitter jitter) {
      this.jitter = jitter;
    }

    /** @return the failed attempts per outage before giving up, or {@code null} for unlimited */
    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    /** @param maxAttempts the failed attempts per outage before giving up */
    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    /** @return how long an outage may last before giving up, or {@code null} for no limit */
    public Duration getMaxElapsedTime() {
      return maxElapsedTime;
    }

    /** @param maxElapsedTime how long an outage may last before giving up */
    public void setMaxElapsedTime(Duration maxElapsedTime) {
      this.maxElapsedTime = maxElapsedTime;
    }
  }

  /**
   * {@code stickyws.heartbeat.*}: pings that detect dead connections and keep idle tunnels alive.
   *
   * <p>Not thread-safe.
   */
  public static class Heartbeat {
    private boolean enabled = true;
    private Duration interval = Duration.ofSeconds(20);
    private Duration pongTimeout = Duration.ofSeconds(10);

    /** Creates the defaults. */
    public Heartbeat() {}

    /** @return whether heartbeats are on (default {@code true}) */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled {@code false} for no heartbeat */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** @return the ping interval (default 20 s, as stickyws's) */
    public Duration getInterval() {
      return interval;
    }

    /** @param interval the ping interval */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    /** @return how long to wait for a pong (default 10 s, as stickyws's) */
    public Duration getPongTimeout() {
      return pongTimeout;
    }

    /** @param pongTimeout how long to wait for a pong */
    public void setPongTimeout(Duration pongTimeout) {
      this.pongTimeout = pongTimeout;
    }
  }
}
