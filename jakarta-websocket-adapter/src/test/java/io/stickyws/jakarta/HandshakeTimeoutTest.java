package io.stickyws.jakarta;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.ReconnectPolicy;
import io.stickyws.StickySession;
import io.stickyws.testing.RecordingListener;
import io.stickyws.testing.Threads;
import jakarta.websocket.WebSocketContainer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainer;
import org.eclipse.jetty.util.component.LifeCycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A server that accepts and never answers: the engine's handshake timeout aborts the attempt, which
 * interrupts the attempt's thread blocked in {@code connectToServer}; no {@code stickyws-*} thread
 * survives the session's close.
 */
class HandshakeTimeoutTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @ParameterizedTest
  @ValueSource(strings = {"tomcat", "jetty"})
  void aHandshakeThatNeverAnswersIsAbortedAndItsThreadEnds(String name) throws Exception {
    WebSocketContainer container = name.equals("tomcat") ? new WsWebSocketContainer() : jetty();
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(mute.accept());
          }
        } catch (Exception closed) {
          // the test is over
        }
      }, "mute-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      RecordingListener listener = new RecordingListener();
      try (StickySession session = StickySession.builder(JakartaTransport.create(container))
          .handshakeTimeout(Duration.ofMillis(300))
          .reconnectPolicy(ReconnectPolicy.builder().maxAttempts(2)
              .initialDelay(Duration.ofMillis(50)).jitter(ReconnectPolicy.Jitter.NONE).build())
          .build()) {
        session.connect(URI.create("ws://127.0.0.1:" + mute.getLocalPort() + "/ws"), listener);
        listener.await("gaveUp", WAIT);
        assertThat(listener.events("disconnected")).as("events %s", listener.events()).hasSize(2).allMatch(e -> e.startsWith("disconnected 1006"));
      }
      Threads.assertNoStickywsThreads(WAIT);
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
      if (container instanceof WsWebSocketContainer) {
        ((WsWebSocketContainer) container).destroy();
      } else {
        LifeCycle.stop(container);
      }
    }
  }

  private static WebSocketContainer jetty() {
    JakartaWebSocketClientContainer jetty = new JakartaWebSocketClientContainer();
    LifeCycle.start(jetty);
    return jetty;
  }
}
