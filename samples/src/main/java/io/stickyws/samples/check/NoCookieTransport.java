package io.stickyws.samples.check;

import io.stickyws.spi.HandshakeRequest;
import io.stickyws.spi.Transport;
import io.stickyws.spi.TransportConnection;
import io.stickyws.spi.TransportListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transport that sends no {@code Cookie} header at all, whatever the engine put on the handshake: with
 * {@code CookieJar.NO_COOKIES} it makes a stickyws connection behave like a plain client (the engine still reads the
 * balancer's {@code Set-Cookie}, so sticky-check can show which backend answered, but never replays it).
 *
 * <p>Instances are immutable and thread-safe.
 */
final class NoCookieTransport implements Transport {
  private final Transport delegate;

  NoCookieTransport(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public TransportConnection open(HandshakeRequest request, TransportListener listener) {
    Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
    headers.keySet().removeIf(name -> name.equalsIgnoreCase("Cookie"));
    return delegate.open(HandshakeRequest.of(request.uri(), headers, request.heartbeatInterval().orElse(null)),
        listener);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public boolean supportsPing() {
    return delegate.supportsPing();
  }
}
