package io.stickyws.samples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The embedded router behaves like HAProxy's {@code cookie SERVERID insert indirect} with redispatch. */
class StickyRouterHttpTest {
  private final MockWebServer a = new MockWebServer();
  private final MockWebServer b = new MockWebServer();
  private StickyRouter router;

  @BeforeEach
  void start() throws Exception {
    a.start();
    b.start();
    for (int i = 0; i < 5; i++) {
      a.enqueue(new MockResponse.Builder().body("a").build());
      b.enqueue(new MockResponse.Builder().body("b").build());
    }
    Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
    servers.put("a", new InetSocketAddress("127.0.0.1", a.getPort()));
    servers.put("b", new InetSocketAddress("127.0.0.1", b.getPort()));
    router = StickyRouter.start(servers);
  }

  @AfterEach
  void stop() {
    router.close();
    a.close();
    b.close();
  }

  /** One request on its own connection; returns the whole response. */
  private String get(String cookie) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", router.port())) {
      socket.setSoTimeout(5000);
      String request = "GET /x HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
          + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      String text = "";
      int contentLength = -1;
      while (true) {
        int c = in.read();
        if (c < 0) {
          return text;
        }
        out.write(c);
        text = out.toString(StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd >= 0 && contentLength < 0) {
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
          contentLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
        if (headEnd >= 0 && text.length() - headEnd - 4 >= contentLength) {
          return text; // the server may keep the connection open: stop at the end of the body
        }
      }
    }
  }

  @Test
  void insertsTheCookieWhenTheClientSentNoneAndBalancesRoundRobin() throws Exception {
    String first = get(null);
    String second = get(null);

    assertThat(first).contains("Set-Cookie: SERVERID=a; path=/").endsWith("a");
    assertThat(second).contains("Set-Cookie: SERVERID=b; path=/").endsWith("b");
  }

  @Test
  void routesOnAValidCookieAndHidesItFromTheServer() throws Exception {
    String response = get("other=1; SERVERID=b");

    assertThat(response).endsWith("b").doesNotContain("Set-Cookie");
    RecordedRequest seen = b.takeRequest(5, TimeUnit.SECONDS);
    assertThat(seen.getHeaders().values("Cookie")).containsExactly("other=1");
  }

  @Test
  void anUnknownServerInTheCookieIsBalancedAnew() throws Exception {
    assertThat(get("SERVERID=zz")).contains("Set-Cookie: SERVERID=a; path=/");
  }

  @Test
  void redispatchesWhenThePinnedServerIsDownWithANewCookie() throws Exception {
    b.close();

    String response = get("SERVERID=b");

    assertThat(response).contains("Set-Cookie: SERVERID=a; path=/").endsWith("a");
  }
}
