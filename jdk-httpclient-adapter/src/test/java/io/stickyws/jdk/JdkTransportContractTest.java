package io.stickyws.jdk;

import io.stickyws.TransportContract;
import io.stickyws.spi.Transport;
import java.net.http.HttpClient;

/** The shared transport contract, run on the JDK's {@code java.net.http.WebSocket}. */
class JdkTransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return JdkTransport.create(HttpClient.newBuilder());
  }
}
