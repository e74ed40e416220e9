package io.stickyws.jdk;

import io.stickyws.TransportContract;
import io.stickyws.spi.Transport;
import java.net.http.HttpClient;

/**
 * The shared transport contract, run on the JDK's {@code java.net.http.WebSocket}, with an
 * application client that follows redirects: the handshake must follow none all the same (issue
 * 19: with {@code Redirect.ALWAYS} the JDK followed a 302 and sent the jar's cookie to the other
 * host).
 */
class JdkTransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return JdkTransport.create(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS));
  }
}
