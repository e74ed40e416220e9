package io.stickyws.samples.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for {@code --cacert}: the JDK's default trusted roots plus the certificates of one PEM file. Only trust
 * is added; hostname verification stays with each client (OkHttp's verifier, the JDK's and Java-WebSocket's
 * {@code HTTPS} endpoint identification), so the certificate must still name the host.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Tls {
  private final SSLContext context;
  private final X509TrustManager trustManager;

  private Tls(SSLContext context, X509TrustManager trustManager) {
    this.context = context;
    this.trustManager = trustManager;
  }

  /** The default trust of this JVM. */
  public static Tls defaults() {
    try {
      return new Tls(SSLContext.getDefault(), x509(defaultTrustManagers()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no default TLS context", e);
    }
  }

  /**
   * The default trust plus every certificate in {@code pem}.
   *
   * @throws IllegalArgumentException naming the file when it holds no readable certificate
   */
  public static Tls trusting(Path pem) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(pem)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cacert (" + pem + ") is not a readable PEM certificate: " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("cacert (" + pem + ") holds no certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate root : x509(defaultTrustManagers()).getAcceptedIssuers()) {
        store.setCertificateEntry("default-" + i++, root);
      }
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("cacert-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return new Tls(context, x509(factory.getTrustManagers()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context trusting " + pem, e);
    }
  }

  /** The TLS context. */
  public SSLContext context() {
    return context;
  }

  /** Its trust manager (OkHttp wants both). */
  public X509TrustManager trustManager() {
    return trustManager;
  }

  private static TrustManager[] defaultTrustManagers() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return factory.getTrustManagers();
  }

  private static X509TrustManager x509(TrustManager[] managers) {
    for (TrustManager manager : managers) {
      if (manager instanceof X509TrustManager) {
        return (X509TrustManager) manager;
      }
    }
    throw new IllegalStateException("no X509TrustManager");
  }
}
