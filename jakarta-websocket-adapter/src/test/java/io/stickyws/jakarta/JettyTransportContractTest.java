package io.stickyws.jakarta;

import io.stickyws.TransportContract;
import io.stickyws.spi.Transport;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainer;
import org.eclipse.jetty.util.component.LifeCycle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The shared transport contract, run on Jetty 12.1's Jakarta client container. */
class JettyTransportContractTest extends TransportContract {
  private static JakartaWebSocketClientContainer container;

  @BeforeAll
  static void startContainer() {
    // Jetty's HttpClient follows redirects unless told not to (the adapter's README says so)
    HttpClient http = new HttpClient();
    http.setFollowRedirects(false);
    container = new JakartaWebSocketClientContainer(http);
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
