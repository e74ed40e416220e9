package io.stickyws.cookie;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures what {@link FileCookieJar} logs at WARN during each test
 * ({@code @RegisterExtension final JarWarnings warnings = new JarWarnings();}).
 */
final class JarWarnings implements BeforeEachCallback, AfterEachCallback {
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(FileCookieJar.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    logs.list.clear();
    logs.start();
    logger.addAppender(logs);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    logger.detachAppender(logs);
  }

  /** @return the formatted WARN messages so far, in order */
  List<String> list() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
  }
}
