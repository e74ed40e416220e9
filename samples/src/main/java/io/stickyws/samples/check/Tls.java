package io.stickyws.samples.check;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for {@code --cacert}: the JDK's default trusted roots plus the certificates of one PEM file. Only trust
 * is added; hostname verification stays with each client (OkHttp's verifier, the JDK's and Java-WebSocket's
 * {@code HTTPS} endpoint identification), so the certificate must still name the host. The trust manager remembers
 * the last certificate it refused, so a client that reports a failed TLS handshake as a closed connection
 * (Java-WebSocket) can still be told apart ({@link #takeRejection()}).
 *
 * <p>Instances are thread-safe.
 */
public final class Tls {
  private final SSLContext context;
  private final RecordingTrustManager trustManager;

  private Tls(X509TrustManager delegate) {
    this.trustManager = new RecordingTrustManager(delegate);
    try {
      this.context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager}, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context", e);
    }
  }

  /** The default trust of this JVM. */
  public static Tls defaults() {
    try {
      return new Tls(x509(defaultTrustManagers()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no default TLS trust", e);
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
      return new Tls(x509(factory.getTrustManagers()));
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

  /** The certificate refusal since the last call, if any, and forgets it. */
  public Exception takeRejection() {
    return trustManager.last.getAndSet(null);
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

  /**
   * Delegates every check (endpoint identification included, when the delegate is an extended trust manager, as the
   * JDK's is) and remembers the last refusal.
   */
  private static final class RecordingTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    final AtomicReference<Exception> last = new AtomicReference<>();

    RecordingTrustManager(X509TrustManager delegate) {
      this.delegate = delegate;
    }

    private interface Check {
      void run() throws CertificateException;
    }

    private void recording(Check check) throws CertificateException {
      try {
        check.run();
      } catch (CertificateException | RuntimeException e) {
        last.set(e);
        throw e;
      }
    }

    private X509ExtendedTrustManager extended() {
      return delegate instanceof X509ExtendedTrustManager ? (X509ExtendedTrustManager) delegate : null;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      recording(() -> {
        if (extended() != null) {
          extended().checkServerTrusted(chain, authType, socket);
        } else {
          delegate.checkServerTrusted(chain, authType);
        }
      });
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      recording(() -> {
        if (extended() != null) {
          extended().checkServerTrusted(chain, authType, engine);
        } else {
          delegate.checkServerTrusted(chain, authType);
        }
      });
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      recording(() -> delegate.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("sticky-check is a client: it checks no client certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("sticky-check is a client: it checks no client certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("sticky-check is a client: it checks no client certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
