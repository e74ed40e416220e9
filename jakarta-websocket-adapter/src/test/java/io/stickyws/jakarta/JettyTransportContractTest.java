package io.stickyws.jakarta;

import io.stickyws.TransportContract;
import io.stickyws.spi.Transport;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainer;
import org.eclipse.jetty.util.component.LifeCycle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared transport contract, run on Jetty 12.1's Jakarta client container as it comes, whose
 * {@code HttpClient} follows redirects: the transport turns that off (the contract's redirect
 * tests failed before, the target getting the handshake with the jar's cookie).
 */
class JettyTransportContractTest extends TransportContract {
  private static JakartaWebSocketClientContainer container;

  @BeforeAll
  static void startContainer() {
    container = new JakartaWebSocketClientContainer(new HttpClient());
    LifeCycle.start(container);
  }

  @AfterAll
  static void stopContainer() {
    LifeCycle.stop(container);
  }

  @Override
  protected Transport newTransport() {
    return JakartaTransport.create(container);
  }
}
