package io.stickyws.it.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Captures log events as the text a file appender would write: logger, level, formatted message and the full stack
 * trace with every cause's message. {@link #stickyws()} captures {@code io.stickyws} at TRACE (so DEBUG is included),
 * not additive, so the capture does not flood the test output; {@link #everyLogger()} captures every logger (the root's
 * appender: OkHttp, Java-WebSocket and any other library at their own default levels) with {@code io.stickyws} at
 * TRACE.
 *
 * <p>Thread-safe.
 */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousAdditive;
  private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong debugEvents = new AtomicLong();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      events.incrementAndGet();
      if (event.getLevel() == Level.DEBUG) {
        debugEvents.incrementAndGet();
      }
      StringBuilder line = new StringBuilder()
          .append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
          .append(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
      lines.add(line.toString());
    }
  };

  private final Logger stickyws = (Logger) LoggerFactory.getLogger("io.stickyws");
  private final Level previousStickywsLevel = stickyws.getLevel();

  private LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previousLevel = logger.getLevel();
    previousAdditive = logger.isAdditive();
    appender.setContext(logger.getLoggerContext());
    appender.setName("capture");
    appender.start();
    logger.addAppender(appender);
    stickyws.setLevel(Level.TRACE);
    if (logger != stickyws) {
      return; // the root: its level, and every library's, stays as configured
    }
    logger.setAdditive(false);
  }

  /** Starts capturing {@code io.stickyws} and everything under it. */
  static LogCapture stickyws() {
    return new LogCapture("io.stickyws");
  }

  /** Starts capturing every logger, {@code io.stickyws} at TRACE and the others at their configured levels. */
  static LogCapture everyLogger() {
    return new LogCapture(Logger.ROOT_LOGGER_NAME);
  }

  long events() {
    return events.get();
  }

  long debugEvents() {
    return debugEvents.get();
  }

  /** The captured lines containing any of {@code secrets} (case-sensitive), with the secret found. */
  List<String> linesContaining(Collection<String> secrets) {
    List<String> hits = new ArrayList<>();
    for (String line : lines) {
      for (String secret : secrets) {
        if (line.contains(secret)) {
          hits.add("[" + secret + "] " + line);
        }
      }
    }
    return hits;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(previousLevel);
    logger.setAdditive(previousAdditive);
    stickyws.setLevel(previousStickywsLevel);
  }
}
