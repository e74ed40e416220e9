package io.stickyws.testing;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;

/**
 * A scripted transport: every {@link #open} is recorded as a {@link FakeConnection} that the test
 * then drives (complete the handshake, deliver messages, fail, close) on its own thread.
 *
 * <p>Not thread-safe: drive it from the test thread only.
 */
public final class FakeTransport implements Transport {
  private final List<FakeConnection> connections = new CopyOnWriteArrayList<>();
  private final boolean supportsPing;
  private final boolean confirmsDelivery;

  public FakeTransport() {
    this(true);
  }

  public FakeTransport(boolean supportsPing) {
    this(supportsPing, supportsPing);
  }

  /** A transport that may answer the confirming pings late (OkHttp) without pinging on demand. */
  public FakeTransport(boolean supportsPing, boolean confirmsDelivery) {
    this.supportsPing = supportsPing;
    this.confirmsDelivery = confirmsDelivery;
  }

  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    FakeConnection connection = new FakeConnection(request, listener);
    connections.add(connection);
    return connection;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public boolean supportsPing() {
    return supportsPing;
  }

  @Override
  public boolean confirmsDelivery() {
    return confirmsDelivery;
  }

  /** @return every attempt so far */
  public List<FakeConnection> connections() {
    return connections;
  }

  /** @return the number of handshakes attempted */
  public int attempts() {
    return connections.size();
  }

  /** @return the latest attempt */
  public FakeConnection last() {
    if (connections.isEmpty()) {
      throw new AssertionError("no connection attempted");
    }
    return connections.get(connections.size() - 1);
  }

  /** Builds response headers from name/value pairs; a name may repeat. */
  public static Map<String, List<String>> headers(String... namesAndValues) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.computeIfAbsent(namesAndValues[i], k -> new ArrayList<>()).add(namesAndValues[i + 1]);
    }
    return headers;
  }

  /** One attempt, driven by the test. */
  public static final class FakeConnection implements TransportConnection {
    public final HandshakeRequest request;
    public final TransportListener listener;
    public final List<Object> sent = new CopyOnWriteArrayList<>();
    public final List<ByteBuffer> pings = new CopyOnWriteArrayList<>();
    public int closeCode;
    public String closeReason;
    public boolean aborted;
    public boolean ended;
    private boolean open;

    FakeConnection(HandshakeRequest request, TransportListener listener) {
      this.request = request;
      this.listener = listener;
    }

    /** @return the Cookie header sent, or null */
    public String cookieHeader() {
      List<String> values = request.headers("Cookie");
      return values.isEmpty() ? null : String.join("; ", values);
    }

    /** Completes the handshake with 101 and the given header pairs. */
    public FakeConnection open(String... headerPairs) {
      open = true;
      listener.onOpen(HandshakeResponse.of(101, headers(headerPairs)));
      return this;
    }

    /** Fails the handshake with a status and header pairs. */
    public void refuse(int status, String... headerPairs) {
      ended = true;
      listener.onFailure(
          new IOException("Expected HTTP 101 but was " + status),
          HandshakeResponse.of(status, headers(headerPairs)));
    }

    /** Fails with an I/O error and no response (refused, reset, dropped). */
    public void drop() {
      ended = true;
      open = false;
      listener.onFailure(new IOException("connection reset"), null);
    }

    /** The server closes with a close frame. */
    public void serverClose(int code, String reason) {
      ended = true;
      open = false;
      listener.onClosed(code, reason, true);
    }

    /** The server sends a text message. */
    public void receive(String text) {
      listener.onText(text);
    }

    /** The server answers a ping, with an empty payload. */
    public void pong() {
      listener.onPong(ByteBuffer.allocate(0));
    }

    /** The server answers the latest ping with its payload, as RFC 6455 requires. */
    public void pongLatest() {
      if (pings.isEmpty()) {
        throw new AssertionError("no ping to answer");
      }
      listener.onPong(pings.get(pings.size() - 1).duplicate());
    }

    /** @return the text messages sent so far */
    public List<String> sentTexts() {
      List<String> texts = new ArrayList<>();
      for (Object message : sent) {
        if (message instanceof String) {
          texts.add((String) message);
        }
      }
      return texts;
    }

    @Override
    public boolean sendText(String text) {
      if (!open || ended) {
        return false;
      }
      sent.add(text);
      return true;
    }

    @Override
    public boolean sendBinary(ByteBuffer data) {
      if (!open || ended) {
        return false;
      }
      sent.add(data);
      return true;
    }

    @Override
    public boolean sendPing(ByteBuffer payload) {
      if (!open || ended) {
        return false;
      }
      pings.add(payload);
      return true;
    }

    @Override
    public void close(int code, String reason) {
      closeCode = code;
      closeReason = reason;
    }

    /** Completes a close the client started, as the server's close frame would. */
    public void closeCompleted() {
      ended = true;
      open = false;
      listener.onClosed(closeCode, closeReason, false);
    }

    @Override
    public void abort() {
      aborted = true;
      open = false;
    }
  }
}
