package io.stickyws.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, generated at test time with the JDK's
 * {@code keytool} (no openssl needed), written as PEM for the balancers and as a PKCS#12 trust store for Java clients.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Certificates {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private final Path certPem;
  private final Path keyPem;
  private final Path combinedPem;
  private final Path trustStore;
  private final KeyStore trust;

  private Certificates(Path certPem, Path keyPem, Path combinedPem, Path trustStore, KeyStore trust) {
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.combinedPem = combinedPem;
    this.trustStore = trustStore;
    this.trust = trust;
  }

  /** Generates the key pair and certificate for localhost and 127.0.0.1 under {@code dir}/tls. */
  public static Certificates generate(Path dir) {
    return generate(dir, "localhost", "dns:localhost,ip:127.0.0.1");
  }

  /**
   * Generates a key pair and a certificate for other names, for tests that a client refuses a
   * trusted certificate issued for a name it did not ask for.
   *
   * @param dir where to write, under {@code dir}/tls
   * @param commonName the subject's CN, for example {@code wrong.example}
   * @param subjectAltNames keytool's SAN list, for example {@code dns:wrong.example}
   * @return the certificates
   */
  public static Certificates generate(Path dir, String commonName, String subjectAltNames) {
    try {
      Path tls = Files.createDirectories(dir.resolve("tls"));
      Path keyStore = tls.resolve("server.p12");
      Files.deleteIfExists(keyStore);
      Path log = tls.resolve("keytool.log");
      ManagedProcess keytool = ManagedProcess.start("keytool", List.of(Binaries.jdkTool("keytool").toString(),
          "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
          "-dname", "CN=" + commonName, "-ext", "SAN=" + subjectAltNames, "-validity", "2",
          "-storetype", "PKCS12", "-keystore", keyStore.toString(),
          "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)), tls, Map.of(), log, false);
      if (!keytool.awaitExit(Duration.ofSeconds(60)) || keytool.exitCode() != 0) {
        keytool.kill();
        throw new AssertionError("keytool failed\n" + keytool.logTail(20));
      }
      KeyStore server = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        server.load(in, PASSWORD);
      }
      PrivateKey key = (PrivateKey) server.getKey("server", PASSWORD);
      Certificate cert = server.getCertificate("server");
      String certText = pem("CERTIFICATE", cert.getEncoded());
      String keyText = pem("PRIVATE KEY", key.getEncoded());
      Path certPem = Files.writeString(tls.resolve("cert.pem"), certText, StandardCharsets.US_ASCII);
      Path keyPem = Files.writeString(tls.resolve("key.pem"), keyText, StandardCharsets.US_ASCII);
      Path combined = Files.writeString(tls.resolve("haproxy.pem"), certText + keyText, StandardCharsets.US_ASCII);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("stickyws-it", cert);
      Path trustStore = tls.resolve("truststore.p12");
      try (var out = Files.newOutputStream(trustStore)) {
        trust.store(out, PASSWORD);
      }
      return new Certificates(certPem, keyPem, combined, trustStore, trust);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the generated key store", e);
    }
  }

  /** The certificate, PEM (nginx {@code ssl_certificate}). */
  public Path certPem() {
    return certPem;
  }

  /** The private key, PKCS#8 PEM (nginx {@code ssl_certificate_key}). */
  public Path keyPem() {
    return keyPem;
  }

  /** Certificate followed by key, PEM (HAProxy {@code crt}). */
  public Path combinedPem() {
    return combinedPem;
  }

  /** A PKCS#12 trust store holding the certificate (password {@link #trustStorePassword()}), for other JVMs. */
  public Path trustStore() {
    return trustStore;
  }

  /** The trust store password. */
  public String trustStorePassword() {
    return new String(PASSWORD);
  }

  /** A TLS context that trusts exactly the generated certificate. */
  public SSLContext sslContext() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build an SSLContext", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
