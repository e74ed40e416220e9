package io.stickyws.okhttp;

import io.stickyws.shaded.TransportContract;
import io.stickyws.spi.Transport;
import okhttp3.OkHttpClient;

/**
 * The shared transport contract on OkHttp 4.12: core's suite relocated with the mockwebserver3 it
 * runs on (module {@code test-server}), so that the client under test is the OkHttp 4.12 of this
 * run. Runs in the {@code okhttp-4.12} execution only; {@link OkHttpTransportContractTest} is the
 * same suite on OkHttp 5.
 */
class OkHttp4TransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return OkHttpTransport.create(new OkHttpClient());
  }

  @Override
  protected boolean sendsUtf8Cookies() {
    return true;
  }
}
