package io.stickyws.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The {@code Sec-WebSocket-Key} / {@code Sec-WebSocket-Accept} pair of RFC 6455 §4.2.2, for
 * adapters that tie a handshake response to the request their library sent by the key the library
 * chose (the JDK shows both only to a cookie handler shared by every attempt).
 *
 * <p>Stateless and thread-safe.
 */
public final class HandshakeKeys {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private HandshakeKeys() {}

  /**
   * The {@code Sec-WebSocket-Accept} value a server answers to a key.
   *
   * @param key the request's {@code Sec-WebSocket-Key} value, trimmed
   * @return base64 of the SHA-1 of the key and the RFC's GUID
   */
  public static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required on every Java platform", e);
    }
  }
}
