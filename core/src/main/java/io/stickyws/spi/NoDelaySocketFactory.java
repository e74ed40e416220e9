package io.stickyws.spi;

import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the application's socket factory and enables {@code TCP_NODELAY} on every socket it makes,
 * for adapters whose library takes a {@link SocketFactory} (OkHttp). A library that layers TLS over
 * the plain socket this returns covers {@code wss://} as well. Without it, Nagle's algorithm and
 * delayed ACKs add tens of milliseconds to a TLS handshake.
 *
 * <p>Instances are thread-safe when the wrapped factory is.
 */
public final class NoDelaySocketFactory extends WrappingSocketFactory {
  private static final Logger log = LoggerFactory.getLogger(NoDelaySocketFactory.class);

  /**
   * Wraps a factory.
   *
   * @param delegate the factory that makes the sockets
   */
  public NoDelaySocketFactory(SocketFactory delegate) {
    super(delegate);
  }

  /**
   * The wrapped factory.
   *
   * @return the factory that makes the sockets
   */
  public SocketFactory delegate() {
    return delegate;
  }

  @Override
  Socket wrap(Socket socket) {
    return noDelay(socket);
  }

  private static Socket noDelay(Socket socket) {
    try {
      socket.setTcpNoDelay(true);
    } catch (SocketException e) {
      // Not fatal: the connection works, only slower.
      log.debug("could not enable TCP_NODELAY: {}", e.toString());
    }
    return socket;
  }

  @Override
  public String toString() {
    return "NoDelaySocketFactory{" + delegate + "}";
  }
}
