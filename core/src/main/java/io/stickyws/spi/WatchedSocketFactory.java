package io.stickyws.spi;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;
import javax.net.SocketFactory;

/**
 * Wraps the application's socket factory so that an adapter sees the I/O of each socket it makes:
 * the {@link Observer} is told before every read and after every completed write, on the thread
 * doing it. For adapters whose library takes a {@link SocketFactory} but hides its frame queues
 * (OkHttp): the adapter can bound what a peer makes the library hold, and learn when its own
 * writes progress. A library that layers TLS over the plain socket (as OkHttp does for {@code
 * wss://}) reads and writes through these streams too, so the observer sees TLS records there.
 *
 * <p>Each socket delegates every method to the socket the wrapped factory made, except
 * {@link Socket#getChannel()} (always {@code null}: a channel would bypass the observer). Wrap a
 * {@link NoDelaySocketFactory} to have {@code TCP_NODELAY} too.
 *
 * <p>Instances are thread-safe when the wrapped factory and the observer are.
 */
public final class WatchedSocketFactory extends WrappingSocketFactory {
  private final Observer observer;

  /**
   * Sees the I/O of the sockets of one {@link WatchedSocketFactory}.
   *
   * <p>Implementations are thread-safe: reads and writes run on different threads.
   */
  public interface Observer {
    /**
     * Called before each read, on the reading thread.
     *
     * @throws IOException to fail this read (the library sees it as an I/O failure)
     */
    void beforeRead() throws IOException;

    /** Called after each write returned normally, on the writing thread. */
    void afterWrite();
  }

  /**
   * Wraps a factory.
   *
   * @param delegate the factory that makes the sockets
   * @param observer told of the sockets' reads and writes
   */
  public WatchedSocketFactory(SocketFactory delegate, Observer observer) {
    super(delegate);
    if (observer == null) {
      throw new NullPointerException("observer == null");
    }
    this.observer = observer;
  }

  @Override
  Socket wrap(Socket socket) throws SocketException {
    return new Watched(socket, observer);
  }

  @Override
  public String toString() {
    return "WatchedSocketFactory{" + delegate + "}";
  }

  /** A socket whose streams tell the observer; every other call goes to the real socket. */
  private static final class Watched extends Socket {
    private final Socket socket;
    private final Observer observer;

    Watched(Socket socket, Observer observer) throws SocketException {
      super((SocketImpl) null); // no implementation of its own: every call is delegated
      this.socket = socket;
      this.observer = observer;
    }

    @Override
    public InputStream getInputStream() throws IOException {
      return new FilterInputStream(socket.getInputStream()) {
        @Override
        public int read() throws IOException {
          observer.beforeRead();
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          observer.beforeRead();
          return in.read(b, off, len);
        }
      };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return new FilterOutputStream(socket.getOutputStream()) {
        @Override
        public void write(int b) throws IOException {
          out.write(b);
          observer.afterWrite();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          observer.afterWrite();
        }
      };
    }

    @Override
    public SocketChannel getChannel() {
      return null;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
      socket.connect(endpoint);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      socket.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
      socket.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
      return socket.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
      return socket.getLocalAddress();
    }

    @Override
    public int getPort() {
      return socket.getPort();
    }

    @Override
    public int getLocalPort() {
      return socket.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
      return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return socket.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
      socket.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
      return socket.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
      socket.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
      return socket.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
      socket.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
      socket.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
      return socket.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      socket.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
      return socket.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
      socket.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
      return socket.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
      socket.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
      return socket.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
      socket.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
      return socket.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
      socket.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
      return socket.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
      socket.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
      return socket.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }

    @Override
    public void shutdownInput() throws IOException {
      socket.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
      socket.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
      return socket.isConnected();
    }

    @Override
    public boolean isBound() {
      return socket.isBound();
    }

    @Override
    public boolean isClosed() {
      return socket.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
      return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
      return socket.isOutputShutdown();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
      socket.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
      socket.setOption(name, value);
      return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
      return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
      return socket.supportedOptions();
    }

    @Override
    public String toString() {
      return socket.toString();
    }
  }
}
