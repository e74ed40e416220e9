package io.stickyws.javawebsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.spi.ResponseHead;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.Role;
import org.java_websocket.handshake.HandshakeImpl1Client;
import org.java_websocket.handshake.Handshakedata;
import org.junit.jupiter.api.Test;

/** Feeds handshake responses to the library's own decoder, chunk by chunk, without sockets. */
class CapturingDraftTest {
  private final List<ResponseHead> heads = new ArrayList<>();
  private final WebSocketImpl connection =
      new WebSocketImpl(new QuietListener(), new CapturingDraft(heads::add));

  private void startHandshake() throws Exception {
    HandshakeImpl1Client request = new HandshakeImpl1Client();
    request.setResourceDescriptor("/");
    request.put("Host", "example.test");
    connection.startHandshake(request);
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void theLibraryAloneFoldsTwoSetCookieHeadersIntoOne() throws Exception {
    Handshakedata parsed = Draft.translateHandshakeHttp(ascii("HTTP/1.1 101 Switching Protocols\r\n"
        + "Set-Cookie: srv=backend1; Path=/\r\nSet-Cookie: SERVERID=backend1; path=/\r\n\r\n"),
        Role.CLIENT);
    assertThat(parsed.getFieldValue("Set-Cookie"))
        .isEqualTo("srv=backend1; Path=/; SERVERID=backend1; path=/");
  }

  @Test
  void waitsForTheWholeHeaderBlockOfAFailedHandshake() throws Exception {
    startHandshake();

    connection.decode(ascii("HTTP/1.1 503 Service Unavailable\r\n"));
    assertThat(heads).isEmpty();
    assertThat(connection.isClosing()).as("the library did not give up yet").isFalse();
    connection.decode(ascii("Retry-After: 7\r\nSet-Cookie: a=1; Path=/\r\n"));
    assertThat(heads).isEmpty();
    connection.decode(ascii("Set-Cookie: b=2\r\nContent-Length: 4\r\n\r\nbusy"));

    assertThat(heads).hasSize(1);
    ResponseHead head = heads.get(0);
    assertThat(head.status()).isEqualTo(503);
    assertThat(head.headers().get("Retry-After")).containsExactly("7");
    assertThat(head.headers().get("Set-Cookie")).containsExactly("a=1; Path=/", "b=2");
    assertThat(connection.isClosing()).as("then the library rejects the 503").isTrue();
  }

  @Test
  void failsAHeadThatNeverEnds() throws Exception {
    startHandshake();
    connection.decode(ascii("HTTP/1.1 101 Switching Protocols\r\n"));
    String line = "X-Filler: " + "x".repeat(1000) + "\r\n";
    for (int i = 0; i < 300 && !connection.isClosing(); i++) {
      connection.decode(ascii(line));
    }
    assertThat(heads).isEmpty();
    assertThat(connection.isClosing()).isTrue();
  }

  @Test
  void copiesShareTheSink() {
    CapturingDraft draft = new CapturingDraft(heads::add);
    Draft copy = draft.copyInstance();
    assertThat(copy).isInstanceOf(CapturingDraft.class).isNotSameAs(draft);
  }

  /** A listener for {@link WebSocketImpl} that ignores everything. */
  private static final class QuietListener extends WebSocketAdapter {
    @Override
    public void onWebsocketMessage(WebSocket conn, String message) {}

    @Override
    public void onWebsocketMessage(WebSocket conn, ByteBuffer blob) {}

    @Override
    public void onWebsocketOpen(WebSocket conn, Handshakedata d) {}

    @Override
    public void onWebsocketClose(WebSocket ws, int code, String reason, boolean remote) {}

    @Override
    public void onWebsocketClosing(WebSocket ws, int code, String reason, boolean remote) {}

    @Override
    public void onWebsocketCloseInitiated(WebSocket ws, int code, String reason) {}

    @Override
    public void onWebsocketError(WebSocket conn, Exception ex) {}

    @Override
    public void onWriteDemand(WebSocket conn) {}

    @Override
    public InetSocketAddress getLocalSocketAddress(WebSocket conn) {
      return null;
    }

    @Override
    public InetSocketAddress getRemoteSocketAddress(WebSocket conn) {
      return null;
    }
  }
}
