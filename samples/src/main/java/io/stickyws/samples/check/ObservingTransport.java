package io.stickyws.samples.check;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.HandshakeResponse;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wraps the transport of sticky-check to see what a verdict needs and the engine does not report: the names (never
 * the values) of the cookies sent on each handshake and of those the answer set. With {@code stripCookies} it sends
 * no {@code Cookie} header at all, whatever the engine put on the handshake, so a stickyws connection behaves like a
 * plain client (the engine still reads the balancer's {@code Set-Cookie}, so sticky-check can show which backend
 * answered, but never replays it).
 *
 * <p>Thread-safe: the engine opens one handshake at a time; what is recorded is read under the instance's lock.
 */
final class ObservingTransport implements Transport {
  private final Transport delegate;
  private final boolean stripCookies;
  private final Set<String> setCookieNames = new LinkedHashSet<>();
  private List<String> lastSent = List.of();
  private List<String> sentOnLastOpen = List.of();

  ObservingTransport(Transport delegate, boolean stripCookies) {
    this.delegate = delegate;
    this.stripCookies = stripCookies;
  }

  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
    if (stripCookies) {
      headers.keySet().removeIf(name -> name.equalsIgnoreCase("Cookie"));
    }
    List<String> sent = new ArrayList<>();
    headers.forEach((name, values) -> {
      if (name.equalsIgnoreCase("Cookie")) {
        values.forEach(value -> sent.addAll(cookieNames(value)));
      }
    });
    synchronized (this) {
      lastSent = List.copyOf(sent);
    }
    HandshakeRequest forwarded = stripCookies
        ? HandshakeRequest.of(request.uri(), headers, request.heartbeatInterval().orElse(null)) : request;
    return delegate.open(forwarded, new Observer(listener));
  }

  /** The names of every cookie a handshake answer (101 or not) set so far, in order of first sight. */
  synchronized Set<String> setCookieNames() {
    return new LinkedHashSet<>(setCookieNames);
  }

  /** The names of the cookies sent on the handshake that last completed with 101. */
  synchronized List<String> sentOnLastOpen() {
    return sentOnLastOpen;
  }

  private synchronized void answered(HandshakeResponse response, boolean opened) {
    for (String setCookie : response.headers("Set-Cookie")) {
      int eq = setCookie.indexOf('=');
      int semicolon = setCookie.indexOf(';');
      if (eq > 0 && (semicolon < 0 || eq < semicolon)) {
        setCookieNames.add(setCookie.substring(0, eq).trim());
      }
    }
    if (opened) {
      sentOnLastOpen = lastSent;
    }
  }

  /** The cookie names of one {@code Cookie} header ({@code a=1; b=2}). */
  static List<String> cookieNames(String header) {
    List<String> names = new ArrayList<>();
    for (String pair : header.split(";")) {
      int eq = pair.indexOf('=');
      String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean supportsPing() {
    return delegate.supportsPing();
  }

  @Override
  public boolean confirmsDelivery() {
    return delegate.confirmsDelivery();
  }

  /** Passes every event on, after noting the handshake's answer. */
  private final class Observer implements TransportListener {
    private final TransportListener listener;

    Observer(TransportListener listener) {
      this.listener = listener;
    }

    @Override
    public void onOpen(HandshakeResponse response) {
      answered(response, true);
      listener.onOpen(response);
    }

    @Override
    public void onText(String text) {
      listener.onText(text);
    }

    @Override
    public void onBinary(ByteBuffer data) {
      listener.onBinary(data);
    }

    @Override
    public void onPong(ByteBuffer payload) {
      listener.onPong(payload);
    }

    @Override
    public void onClosed(int code, String reason, boolean remote) {
      listener.onClosed(code, reason, remote);
    }

    @Override
    public void onFailure(Throwable cause, HandshakeResponse response) {
      if (response != null) {
        answered(response, false);
      }
      listener.onFailure(cause, response);
    }
  }
}
