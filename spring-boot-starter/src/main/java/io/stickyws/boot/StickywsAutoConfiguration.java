package io.stickyws.boot;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.affinity.AffinityRules;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.spi.Transport;
import io.stickyws.spring.StickyWebSocketClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.client.WebSocketClient;

/**
 * Auto-configures a {@link StickySession} and a Spring {@link WebSocketClient} on it from the
 * {@code stickyws.*} properties. Each bean backs off when the application defines its own: a
 * {@link Transport} (default: the JDK HttpClient's WebSocket), a {@link CookieJar} (default: a
 * {@link FileCookieJar} on {@code stickyws.cookie-file}, else in memory), a {@link StickySession},
 * a {@link WebSocketClient}. {@code stickyws.enabled=false} switches it off.
 *
 * <p>Thread-safe: Spring calls the bean methods once, at start-up.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "stickyws", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(StickywsProperties.class)
public class StickywsAutoConfiguration {

  /** Creates the configuration (Spring does). */
  public StickywsAutoConfiguration() {}

  /**
   * The transport when the application defines none.
   *
   * @return the JDK HttpClient's WebSocket
   */
  @Bean
  @ConditionalOnMissingBean
  public Transport stickywsTransport() {
    return JdkTransport.create();
  }

  /**
   * The cookie jar when the application defines none; closed with the context.
   *
   * @param properties the bound properties
   * @return a file jar on {@code stickyws.cookie-file}, else an in-memory jar
   */
  @Bean
  @ConditionalOnMissingBean
  public CookieJar stickywsCookieJar(StickywsProperties properties) {
    return properties.getCookieFile() != null
        ? FileCookieJar.open(properties.getCookieFile())
        : MemoryCookieJar.create();
  }

  /**
   * The sticky session when the application defines none; closed with the context.
   *
   * @param transport the transport bean
   * @param cookieJar the cookie jar bean
   * @param properties the bound properties
   * @return the session
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public StickySession stickySession(
      Transport transport, CookieJar cookieJar, StickywsProperties properties) {
    StickySession.Builder session = StickySession.builder(transport)
        .cookieJar(cookieJar)
        .affinity(affinityRules(properties.getAffinity()))
        .reconnectPolicy(reconnectPolicy(properties.getBackoff()));
    StickywsProperties.Heartbeat heartbeat = properties.getHeartbeat();
    if (!heartbeat.isEnabled()) {
      session.noHeartbeat();
    } else {
      session.heartbeat(heartbeat.getInterval(), heartbeat.getPongTimeout());
    }
    if (properties.getHandshakeTimeout() != null) {
      session.handshakeTimeout(properties.getHandshakeTimeout());
    }
    return session.build();
  }

  /**
   * The Spring client when the application defines no {@link WebSocketClient}.
   *
   * @param session the session bean
   * @param properties the bound properties ({@code stickyws.reconnect})
   * @return the client
   */
  @Bean
  @ConditionalOnMissingBean(WebSocketClient.class)
  public StickyWebSocketClient stickyWebSocketClient(
      StickySession session, StickywsProperties properties) {
    return StickyWebSocketClient.builder(session).reconnect(properties.isReconnect()).build();
  }

  private static AffinityRules affinityRules(StickywsProperties.Affinity affinity) {
    AffinityRules.Builder rules = AffinityRules.builder()
        .builtInCookies(affinity.isBuiltInCookies());
    affinity.getCookieNames().forEach(rules::cookie);
    return rules.build();
  }

  private static ReconnectPolicy reconnectPolicy(StickywsProperties.Backoff backoff) {
    ReconnectPolicy.Builder policy = ReconnectPolicy.builder();
    if (backoff.getInitialDelay() != null) {
      policy.initialDelay(backoff.getInitialDelay());
    }
    if (backoff.getMaxDelay() != null) {
      policy.maxDelay(backoff.getMaxDelay());
    }
    if (backoff.getMultiplier() != null) {
      policy.multiplier(backoff.getMultiplier());
    }
    if (backoff.getJitter() != null) {
      policy.jitter(backoff.getJitter());
    }
    if (backoff.getMaxAttempts() != null) {
      policy.maxAttempts(backoff.getMaxAttempts());
    }
    if (backoff.getMaxElapsedTime() != null) {
      policy.maxElapsedTime(backoff.getMaxElapsedTime());
    }
    return policy.build();
  }
}
