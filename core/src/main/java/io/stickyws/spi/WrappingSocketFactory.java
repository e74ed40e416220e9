package io.stickyws.spi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * A socket factory that lets another make each socket and then wraps or adjusts it: the shared part
 * of {@link NoDelaySocketFactory} and {@link WatchedSocketFactory}.
 *
 * <p>Instances are thread-safe when the wrapped factory and {@link #wrap} are.
 */
abstract class WrappingSocketFactory extends SocketFactory {
  final SocketFactory delegate;

  WrappingSocketFactory(SocketFactory delegate) {
    if (delegate == null) {
      throw new NullPointerException("delegate == null");
    }
    this.delegate = delegate;
  }

  /** The socket to hand out for one the wrapped factory made. */
  abstract Socket wrap(Socket socket) throws IOException;

  @Override
  public Socket createSocket() throws IOException {
    return wrap(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return wrap(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return wrap(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return wrap(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return wrap(delegate.createSocket(address, port, localAddress, localPort));
  }
}
