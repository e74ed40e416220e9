package io.stickyws.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.FileCookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import io.stickyws.jdk.JdkTransport;
import io.stickyws.spi.Transport;
import io.stickyws.spring.StickyWebSocketClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.socket.client.WebSocketClient;

/** The auto-configuration in a context runner: defaults, properties, the application's beans win. */
class StickywsAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(StickywsAutoConfiguration.class));

  @Test
  void defaultsMatchStickywsDefaults() {
    runner.run(context -> {
      StickySession session = context.getBean(StickySession.class);
      try (StickySession plain = StickySession.builder(JdkTransport.create()).build()) {
        assertThat(session.heartbeatInterval()).isEqualTo(plain.heartbeatInterval());
        assertThat(session.pongTimeout()).isEqualTo(plain.pongTimeout());
        assertThat(session.handshakeTimeout()).isEqualTo(plain.handshakeTimeout());
        assertThat(session.reconnectPolicy()).isEqualTo(plain.reconnectPolicy());
        assertThat(session.affinityRules()).isEqualTo(plain.affinityRules());
      }
      assertThat(session.transport()).isInstanceOf(JdkTransport.class);
      assertThat(context.getBean(CookieJar.class)).isInstanceOf(MemoryCookieJar.class);
      assertThat(context.getBean(WebSocketClient.class)).isInstanceOfSatisfying(
          StickyWebSocketClient.class, client -> {
            assertThat(client.reconnect()).isTrue();
            assertThat(client.session()).isSameAs(session);
          });
    });
  }

  @Test
  void bindsTheProperties(@TempDir Path dir) {
    Path cookies = dir.resolve("cookies.txt");
    runner.withPropertyValues(
        "stickyws.cookie-file=" + cookies,
        "stickyws.reconnect=false",
        "stickyws.handshake-timeout=3s",
        "stickyws.affinity.cookie-names=MYLB,route2",
        "stickyws.affinity.built-in-cookies=false",
        "stickyws.backoff.initial-delay=100ms",
        "stickyws.backoff.max-delay=5s",
        "stickyws.backoff.multiplier=1.5",
        "stickyws.backoff.jitter=equal",
        "stickyws.backoff.max-attempts=7",
        "stickyws.backoff.max-elapsed-time=2m",
        "stickyws.heartbeat.interval=5s",
        "stickyws.heartbeat.pong-timeout=2s").run(context -> {
          StickySession session = context.getBean(StickySession.class);
          assertThat(context.getBean(CookieJar.class)).isInstanceOf(FileCookieJar.class);
          assertThat(session.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
          assertThat(session.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
          assertThat(session.pongTimeout()).isEqualTo(Duration.ofSeconds(2));
          assertThat(session.affinityRules().cookies()).containsExactly("MYLB", "route2");
          assertThat(session.affinityRules().builtInCookies()).isFalse();
          ReconnectPolicy policy = session.reconnectPolicy();
          assertThat(policy.initialDelay()).isEqualTo(Duration.ofMillis(100));
          assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(5));
          assertThat(policy.multiplier()).isEqualTo(1.5);
          assertThat(policy.jitter()).isEqualTo(ReconnectPolicy.Jitter.EQUAL);
          assertThat(policy.maxAttempts()).hasValue(7);
          assertThat(policy.maxElapsedTime()).hasValue(Duration.ofMinutes(2));
          assertThat(context.getBean(StickyWebSocketClient.class).reconnect()).isFalse();
        });
  }

  @Test
  void heartbeatCanBeSwitchedOff() {
    runner.withPropertyValues("stickyws.heartbeat.enabled=false").run(context ->
        assertThat(context.getBean(StickySession.class).heartbeatInterval()).isNull());
  }

  @Test
  void aBadPropertyFailsTheStartNamingIt() {
    runner.withPropertyValues("stickyws.backoff.initial-delay=10s", "stickyws.backoff.max-delay=1s")
        .run(context -> assertThat(context).getFailure().rootCause()
            .hasMessageContaining("maxDelay (PT1S) must be >= initialDelay (PT10S)"));
  }

  @Test
  void theApplicationsBeansWin() {
    Transport transport = JdkTransport.create();
    MemoryCookieJar jar = MemoryCookieJar.create();
    runner.withBean(Transport.class, () -> transport)
        .withBean(CookieJar.class, () -> jar)
        .run(context -> {
          assertThat(context.getBean(StickySession.class).transport()).isSameAs(transport);
          assertThat(context.getBean(StickySession.class).cookieJar()).isSameAs(jar);
        });
    try (StickySession own = StickySession.builder(transport).build()) {
      runner.withBean(StickySession.class, () -> own).run(context ->
          assertThat(context.getBean(StickySession.class)).isSameAs(own));
    }
    WebSocketClient ownClient = new org.springframework.web.socket.client.standard.StandardWebSocketClient(
        new org.apache.tomcat.websocket.WsWebSocketContainer());
    runner.withBean(WebSocketClient.class, () -> ownClient).run(context -> {
      assertThat(context.getBean(WebSocketClient.class)).isSameAs(ownClient);
      assertThat(context).doesNotHaveBean(StickyWebSocketClient.class);
    });
  }

  @Test
  void canBeSwitchedOff() {
    runner.withPropertyValues("stickyws.enabled=false").run(context -> {
      assertThat(context).doesNotHaveBean(StickySession.class);
      assertThat(context).doesNotHaveBean(WebSocketClient.class);
    });
  }
}
