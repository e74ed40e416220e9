package io.stickyws.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stickyws.cookie.Cookie;
import io.stickyws.cookie.CookieJar;
import io.stickyws.cookie.MemoryCookieJar;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SharedJarTest {
  private static final URI URI_WITH_QUERY = URI.create("https://app.example.com/api?token=s3cret");
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private final Logger logger = (Logger) LoggerFactory.getLogger(SharedJar.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  /** A jar that fails on every call with a message that holds a secret. */
  private static final CookieJar BROKEN = new CookieJar() {
    @Override
    public void saveFromResponse(URI uri, List<Cookie> cookies) {
      throw new IllegalStateException("disk full for SERVERID=secret-value");
    }

    @Override
    public List<Cookie> loadForRequest(URI uri) {
      throw new IllegalStateException("cannot read SERVERID=secret-value");
    }
  };

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
  }

  @Test
  void savesTheValidCookiesAndLoadsThemBack() {
    MemoryCookieJar jar = MemoryCookieJar.create();
    SharedJar.save(jar, URI_WITH_QUERY, Arrays.asList(
        "SERVERID=b1; Path=/", "no equals sign", null, "lb=x; Domain=other.test"), NOW);

    assertThat(SharedJar.load(jar, URI_WITH_QUERY)).extracting(Cookie::name)
        .containsExactly("SERVERID");
    assertThat(logs.list).isEmpty();
  }

  @Test
  void aFailingJarIsLoggedAtWarnWithoutSecretsAndFailsNothing() {
    assertThatCode(() -> SharedJar.save(BROKEN, URI_WITH_QUERY, List.of("SERVERID=b1"), NOW))
        .doesNotThrowAnyException();
    assertThat(SharedJar.load(BROKEN, URI_WITH_QUERY)).isEmpty();

    assertThat(logs.list).hasSize(2).allSatisfy(event -> {
      assertThat(event.getLevel()).isEqualTo(Level.WARN);
      assertThat(event.getFormattedMessage())
          .contains("https://app.example.com/api", "IllegalStateException")
          .doesNotContain("s3cret", "secret-value", "b1");
      assertThat(event.getThrowableProxy()).isNull();
    });
  }

  @Test
  void aJarThatReturnsANullCookieSendsNone() {
    CookieJar sloppy = new CookieJar() {
      @Override
      public void saveFromResponse(URI uri, List<Cookie> cookies) {}

      @Override
      public List<Cookie> loadForRequest(URI uri) {
        return Arrays.asList((Cookie) null);
      }
    };
    assertThat(SharedJar.load(sloppy, URI_WITH_QUERY)).isEmpty();
    assertThat(logs.list).hasSize(1);
  }

  @Test
  void savesNothingWhenNoValueIsValid() {
    CookieJar refusesCalls = new CookieJar() {
      @Override
      public void saveFromResponse(URI uri, List<Cookie> cookies) {
        throw new AssertionError("called with " + cookies.size() + " cookies");
      }

      @Override
      public List<Cookie> loadForRequest(URI uri) {
        return List.of();
      }
    };
    SharedJar.save(refusesCalls, URI_WITH_QUERY, List.of("=nameless"), NOW);
    assertThat(logs.list).isEmpty();
  }
}
