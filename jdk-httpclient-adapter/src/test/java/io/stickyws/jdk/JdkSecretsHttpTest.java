package io.stickyws.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.testing.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 19, item 3: header values the JDK refuses or cannot parse never reach a log line, a
 * listener's cause or its stack trace; a header value the JDK cannot send gives up at once.
 */
class JdkSecretsHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String SECRET = "SECRETa1b2c3";

  private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      logLines.add(event.getLoggerName() + " " + event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? ""
              : ThrowableProxyUtil.asString(event.getThrowableProxy())));
    }
  };
  private Level rootLevel;
  private Level stickywsLevel;
  private StickySession session;

  @BeforeEach
  void captureEveryLogger() {
    rootLevel = root.getLevel();
    Logger stickyws = (Logger) LoggerFactory.getLogger("io.stickyws");
    stickywsLevel = stickyws.getLevel();
    capture.setContext(root.getLoggerContext());
    capture.start();
    root.addAppender(capture);
    root.setLevel(Level.TRACE);
    stickyws.setLevel(Level.TRACE);
  }

  @AfterEach
  void restore() {
    if (session != null) {
      session.close();
    }
    root.detachAppender(capture);
    capture.stop();
    root.setLevel(rootLevel);
    ((Logger) LoggerFactory.getLogger("io.stickyws")).setLevel(stickywsLevel);
  }

  private StickySession session() {
    session = StickySession.builder(JdkTransport.create(HttpClient.newBuilder()))
        .reconnectPolicy(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(20))
            .maxDelay(Duration.ofMillis(50)).jitter(ReconnectPolicy.Jitter.NONE).maxAttempts(3)
            .build())
        .handshakeTimeout(Duration.ofSeconds(5))
        .build();
    return session;
  }

  private static String stackTrace(Object cause) {
    StringWriter out = new StringWriter();
    ((Throwable) cause).printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  @Test
  void anAuthorizationValueTheJdkCannotSendGivesUpAtOnceAndIsNeverShown() throws Exception {
    try (RawServer server = new RawServer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")) {
      RecordingListener listener = new RecordingListener();
      session().connect(server.uri(),
          Map.of("Authorization", List.of("Bearer " + SECRET + "\u20ac")), listener);
      listener.await("gaveUp", WAIT);

      assertThat(listener.events()).containsExactly("disconnected 1006 final", "gaveUp 1");
      assertThat(server.requests()).as("requests sent").isZero();
      Object cause = listener.lastDetail("gaveUp");
      assertThat(stackTrace(cause)).doesNotContain(SECRET).contains("Authorization");
      assertThat(logLines).isNotEmpty().noneMatch(line -> line.contains(SECRET));
    }
  }

  @Test
  void aSetCookieWithAControlCharacterOnThe101IsNeverShown() throws Exception {
    try (RawServer server = new RawServer("HTTP/1.1 101 Switching Protocols\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
        + "Set-Cookie: bad=ctl\u0001" + SECRET + "; Path=/\r\n\r\n")) {
      RecordingListener listener = new RecordingListener();
      session().connect(server.uri(), listener);
      listener.await("gaveUp", WAIT);

      assertThat(server.requests()).isPositive();
      assertThat(listener.events()).noneMatch(e -> e.startsWith("open"));
      for (Object cause : listener.details("disconnected")) {
        assertThat(stackTrace(cause)).doesNotContain(SECRET);
      }
      assertThat(stackTrace(listener.lastDetail("gaveUp"))).doesNotContain(SECRET);
      assertThat(logLines).isNotEmpty().noneMatch(line -> line.contains(SECRET));
    }
  }

  /** Answers every request with one fixed response ({@code %s} = the computed accept key). */
  private static final class RawServer implements AutoCloseable {
    private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)");
    private final ServerSocket socket;
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread thread;

    RawServer(String response) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> serve(response), "test-raw-server");
      thread.setDaemon(true);
      thread.start();
    }

    URI uri() {
      return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/ws");
    }

    int requests() {
      return requests.get();
    }

    private void serve(String response) {
      while (!socket.isClosed()) {
        try (Socket client = socket.accept()) {
          client.setSoTimeout(5000);
          String head = readHead(client.getInputStream());
          requests.incrementAndGet();
          Matcher key = KEY.matcher(head);
          String accept = key.find() ? accept(key.group(1)) : "";
          OutputStream out = client.getOutputStream();
          out.write(String.format(response, accept).getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } catch (IOException | RuntimeException e) {
          // closed by the test, or the client went away
        }
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          break;
        }
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String accept(String key) {
      try {
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(5000);
    }
  }
}
