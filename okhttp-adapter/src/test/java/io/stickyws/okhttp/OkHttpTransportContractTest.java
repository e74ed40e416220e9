package io.stickyws.okhttp;

import io.stickyws.TransportContract;
import io.stickyws.spi.Transport;
import okhttp3.OkHttpClient;

/** The shared transport contract, run on OkHttp. */
class OkHttpTransportContractTest extends TransportContract {
  @Override
  protected Transport newTransport() {
    return OkHttpTransport.create(new OkHttpClient());
  }

  @Override
  protected boolean sendsUtf8Cookies() {
    return true;
  }
}
