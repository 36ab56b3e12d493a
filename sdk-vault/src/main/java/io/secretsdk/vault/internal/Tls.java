package io.secretsdk.vault.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts that trust a PEM CA bundle or a trust store instead of the JDK's default CAs. */
public final class Tls {
  private Tls() {}

  /**
   * An SSL context trusting the certificates of a PEM file.
   *
   * @param pem a file of one or more {@code -----BEGIN CERTIFICATE-----} blocks
   * @return the context
   * @throws IllegalArgumentException if the file cannot be read or holds no certificate
   */
  public static SSLContext trustingPem(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("the CA bundle " + pem + " holds no certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("vault-ca-" + i++, c);
      }
      return trusting(store);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the CA bundle " + pem + " could not be read (" + e.getClass().getSimpleName() + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the CA bundle " + pem + " is not a PEM file of X.509 certificates (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /**
   * An SSL context trusting the certificates of a trust store.
   *
   * @param trustStore the loaded store
   * @return the context
   * @throws IllegalArgumentException if the store cannot be used
   */
  public static SSLContext trusting(KeyStore trustStore) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the trust store for Vault cannot be used (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
