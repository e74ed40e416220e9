package io.stickyws.javawebsocket;

import io.stickyws.TransportContract;
import io.stickyws.spi.Transport;

/** The shared transport contract, run on Java-WebSocket. */
class JavaWebSocketTransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return JavaWebSocketTransport.create();
  }
}
