package io.stickyws.consumer;

import io.stickyws.StickySession;
import io.stickyws.StickyWebSocket;
import io.stickyws.StickyWebSocketListener;
import io.stickyws.okhttp.OkHttpTransport;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * An application on OkHttp 4.12 using stickyws-okhttp: prints {@code OKHTTP <version>}, then opens
 * {@code count} connections one after the other on one session (one cookie jar) and prints
 * {@code LANDED <greeting>} for the first message of each. Exits 0, or 2 when a greeting does not
 * come within 20 s. Arguments: ws URI, count.
 *
 * <p>Not thread-safe: a main class.
 */
public final class OkHttp4Consumer {
  private OkHttp4Consumer() {}

  /**
   * Entry point.
   *
   * @param args {@code <ws uri> <count>}
   * @throws Exception when the OkHttp version cannot be read
   */
  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    int count = Integer.parseInt(args[1]);
    // read at run time: the constant is inlined by javac
    System.out.println("OKHTTP " + okhttp3.OkHttp.class.getField("VERSION").get(null));
    OkHttpClient client = new OkHttpClient();
    int code = 0;
    try (StickySession session = StickySession.builder(OkHttpTransport.create(client)).build()) {
      for (int i = 0; i < count && code == 0; i++) {
        BlockingQueue<String> greetings = new LinkedBlockingQueue<>();
        StickyWebSocket ws = session.connect(uri, new StickyWebSocketListener() {
          @Override
          public void onText(StickyWebSocket webSocket, String text) {
            greetings.add(text);
          }
        });
        String greeting = greetings.poll(20, TimeUnit.SECONDS);
        if (greeting == null) {
          System.out.println("NO GREETING on connection " + (i + 1));
          code = 2;
        } else {
          System.out.println("LANDED " + greeting);
        }
        ws.close();
      }
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    System.out.flush();
    System.exit(code);
  }
}
