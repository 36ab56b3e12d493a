package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.spi.SecretSourceProvider;
import io.secretsdk.testing.LeakGuard;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SecretSources#fromProperties} when the thread's context class loader lists providers it
 * cannot load: a missing class, or one whose vendor client is missing.
 */
class ProviderLoadingTest {
  @TempDir Path root;
  @TempDir Path jar;

  /** A provider whose class loads but whose vendor client does not, as when a backend jar comes without its SDK. */
  public static final class VendorlessProvider implements SecretSourceProvider {
    /** Fails as a constructor touching a missing vendor class does. */
    public VendorlessProvider() {
      throw new NoClassDefFoundError("com/example/vendor/SecretsClient");
    }

    @Override
    public String scheme() {
      return "vendorless";
    }

    @Override
    public SecretSource create(Map<String, String> properties) {
      throw new AssertionError("never made");
    }
  }

  /** A loadable provider listed after the broken ones: proof that the search goes on past them. */
  public static final class EchoProvider implements SecretSourceProvider {
    /** Made by ServiceLoader. */
    public EchoProvider() {}

    @Override
    public String scheme() {
      return "echo-test";
    }

    @Override
    public SecretSource create(Map<String, String> properties) {
      return new SecretSource() {
        @Override
        public String scheme() {
          return "echo-test";
        }

        @Override
        public Secret fetch(SecretRef ref) {
          throw new SecretNotFoundException("secret '" + ref.name() + "' not found in backend 'echo-test'", ref);
        }
      };
    }
  }

  private <T> T withContextLoaderListing(List<String> providers, Callable<T> body) throws Exception {
    Path services = jar.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.write(services.resolve(SecretSourceProvider.class.getName()), providers);
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, before)) {
      t.setContextClassLoader(loader);
      return body.call();
    } finally {
      t.setContextClassLoader(before);
    }
  }

  @Test
  void aListedProviderWhoseClassIsMissingIsSkippedWithOneLineAndTheOthersStillLoad() throws Exception {
    Files.writeString(root.resolve("db"), "Skip-Pa55-value");
    LeakGuard.watch("Skip-Pa55-value");
    try (SecretSource source = withContextLoaderListing(
        List.of("com.example.NoSuchProvider", EchoProvider.class.getName()),
        () -> SecretSources.fromProperties(Map.of("file.root", root.toString())))) {
      assertThat(source.fetch(SecretRef.parse("file://db")).versionId()).isNotBlank();
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("echo-test://x")))
          .isInstanceOf(SecretNotFoundException.class);
    }
    List<String> lines = LeakGuard.captured().stream().filter(l -> l.contains("com.example.NoSuchProvider")).toList();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("INFO").contains("skipping a secret source provider");
  }

  @Test
  void aProviderWhoseVendorClientIsMissingIsSkippedAndItsSchemeGetsTheUsualNoProviderError() throws Exception {
    List<String> listed = List.of(VendorlessProvider.class.getName(), EchoProvider.class.getName());
    assertThatThrownBy(() -> withContextLoaderListing(listed,
        () -> SecretSources.fromProperties(Map.of("vendorless.region", "eu-west-1"))))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("'vendorless', which no provider on the class path handles")
        .hasMessageContaining("echo-test");
    assertThat(LeakGuard.captured()).anySatisfy(l -> assertThat(l)
        .contains(VendorlessProvider.class.getName()).contains("com/example/vendor/SecretsClient"));

    try (SecretSource source = withContextLoaderListing(listed,
        () -> SecretSources.fromProperties(Map.of("file.root", root.toString())))) {
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("aws-sm://prod/db")))
          .isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("io.secretsdk:sdk-aws");
    }
  }
}
