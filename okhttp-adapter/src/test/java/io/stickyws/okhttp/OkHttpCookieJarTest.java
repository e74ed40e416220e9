package io.stickyws.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.cookie.Cookie;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OkHttpCookieJarTest {
  private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void rebuildsAHostOnlySessionCookieWithoutDomainOrExpiry() {
    okhttp3.Cookie cookie = new okhttp3.Cookie.Builder()
        .name("SERVERID").value("backend1").hostOnlyDomain("lb.example.com").path("/").build();

    assertThat(OkHttpCookieJar.setCookieHeader(cookie, now))
        .isEqualTo("SERVERID=backend1; Path=/");
  }

  @Test
  void rebuildsADomainCookieWithItsAttributes() {
    okhttp3.Cookie.Builder builder = new okhttp3.Cookie.Builder()
        .name("AWSALB").value("v").domain("example.com").path("/app")
        .expiresAt(now.toEpochMilli() + 90_500).secure().httpOnly();
    OkHttp5.sameSite(builder, "None"); // OkHttp 4.12 has no SameSite
    okhttp3.Cookie cookie = builder.build();

    assertThat(OkHttpCookieJar.setCookieHeader(cookie, now)).isEqualTo(
        "AWSALB=v; Max-Age=91; Domain=example.com; Path=/app; Secure; HttpOnly"
            + (OkHttpLine.five() ? "; SameSite=None" : ""));
  }

  @Test
  void turnsAnExpiredCookieIntoADeletion() {
    okhttp3.Cookie cookie = new okhttp3.Cookie.Builder()
        .name("lb").value("gone").hostOnlyDomain("example.com")
        .expiresAt(Long.MIN_VALUE).build();

    assertThat(OkHttpCookieJar.setCookieHeader(cookie, now)).isEqualTo("lb=gone; Max-Age=0; Path=/");
  }

  @Test
  void convertsAStoredCookieForOkHttp() {
    Cookie ours = Cookie.builder().name("route").value("r1").domain("example.com").path("/ws")
        .hostOnly(true).secure(true).httpOnly(true).expiresAt(now.plusSeconds(60))
        .sameSite("Lax").build();

    okhttp3.Cookie theirs = OkHttpCookieJar.toOkHttp(ours);

    assertThat(theirs.name()).isEqualTo("route");
    assertThat(theirs.value()).isEqualTo("r1");
    assertThat(theirs.domain()).isEqualTo("example.com");
    assertThat(theirs.hostOnly()).isTrue();
    assertThat(theirs.path()).isEqualTo("/ws");
    assertThat(theirs.secure()).isTrue();
    assertThat(theirs.httpOnly()).isTrue();
    assertThat(theirs.persistent()).isTrue();
    assertThat(theirs.expiresAt()).isEqualTo(now.plusSeconds(60).toEpochMilli());
    assertThat(OkHttp5.sameSite(theirs)).isEqualTo(OkHttpLine.five() ? "Lax" : null);
  }

  @Test
  void convertsASessionDomainCookieForOkHttp() {
    Cookie ours = Cookie.builder().name("INGRESSCOOKIE").value("x").domain("example.com").build();

    okhttp3.Cookie theirs = OkHttpCookieJar.toOkHttp(ours);

    assertThat(theirs.hostOnly()).isFalse();
    assertThat(theirs.persistent()).isFalse();
    assertThat(theirs.secure()).isFalse();
  }
}
