package io.stickyws.okhttp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/** The application's socket factory in tests: makes plain sockets and remembers them. */
final class RecordingSocketFactory extends SocketFactory {
  final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private Socket record(Socket socket) {
    sockets.add(socket);
    return socket;
  }

  @Override
  public Socket createSocket() {
    return record(new Socket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return record(new Socket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return record(new Socket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return record(new Socket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return record(new Socket(address, port, localAddress, localPort));
  }
}
