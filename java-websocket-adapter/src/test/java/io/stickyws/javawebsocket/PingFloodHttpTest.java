package io.stickyws.javawebsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.RecordingTransportListener;
import io.stickyws.spi.RecordingTransportListener.Event;
import io.stickyws.spi.TransportConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, item 8: a server that pings without pause and never reads. Java-WebSocket queues a
 * pong per ping in an unbounded write queue; the adapter drops the connection with a clear failure
 * once {@link JavaWebSocketConnection#MAX_QUEUED_FRAMES} frames wait.
 */
class PingFloodHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)");

  @Test
  void aPeerThatPingsAndNeverReadsIsDroppedWithAClearFailure() throws Exception {
    AtomicLong pingsSent = new AtomicLong();
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread flooder = new Thread(() -> flood(server, pingsSent), "test-ping-flooder");
      flooder.setDaemon(true);
      flooder.start();
      RecordingTransportListener listener = new RecordingTransportListener();
      TransportConnection connection = JavaWebSocketTransport.create().open(HandshakeRequest.of(
          URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws"), Map.of()), listener);
      try {
        assertThat(listener.take(WAIT).type).isEqualTo("open");
        Event end = listener.take(WAIT);

        assertThat(end.type).isEqualTo("failure");
        assertThat(end.cause).hasMessageContaining("the peer pings but does not read");
        System.out.printf("PINGFLOOD java-websocket: dropped after %d pings sent by the peer,"
            + " bound %d queued frames%n", pingsSent.get(),
            JavaWebSocketConnection.MAX_QUEUED_FRAMES);
      } finally {
        connection.abort();
        server.close();
        flooder.join(WAIT.toMillis());
      }
    }
  }

  /** Accepts one client, answers its handshake, then writes pings until the socket fails. */
  private static void flood(ServerSocket server, AtomicLong pingsSent) {
    try (Socket client = server.accept()) {
      InputStream in = client.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return;
        }
        head.write(b);
      }
      Matcher key = KEY.matcher(head.toString(StandardCharsets.ISO_8859_1));
      key.find();
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.group(1)
          + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      OutputStream out = client.getOutputStream();
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(sha1) + "\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      byte[] batch = new byte[512 * 127];
      for (int i = 0; i < 512; i++) { // unmasked ping frames with a 125-byte payload
        batch[i * 127] = (byte) 0x89;
        batch[i * 127 + 1] = 125;
      }
      while (true) { // never reads again
        out.write(batch);
        pingsSent.addAndGet(512);
      }
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      // the client dropped the connection, or the test closed the server
    }
  }
}
