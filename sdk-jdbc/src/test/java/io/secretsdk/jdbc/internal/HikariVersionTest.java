package io.secretsdk.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import io.secretsdk.SecretConfigurationException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The check behind {@code HikariSecrets.dataSource}, against the real HikariCP jars. */
class HikariVersionTest {

  @Test
  void hikariFiveIsRefusedNamingTheVersionFoundAndTheVersionNeeded() throws Exception {
    Path jar = Path.of(System.getProperty("old.hikari.jar"));
    assertThat(jar).exists();
    try (URLClassLoader hikari5 = new URLClassLoader(new URL[] {jar.toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      assertThat(Class.forName("com.zaxxer.hikari.HikariConfig", false, hikari5)).isNotNull();
      assertThatThrownBy(() -> HikariVersion.check(hikari5))
          .isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("needs HikariCP 7.0.0 or newer")
          .hasMessageContaining("the class path has HikariCP 5.1.0")
          .hasMessageContaining("io.secretsdk:sdk-bom manages 7.0.2")
          .hasMessageContaining("SecretDataSource.of(...)");
    }
  }

  @Test
  void theManagedHikariPasses() {
    assertThatCode(() -> HikariVersion.check(HikariConfig.class.getClassLoader())).doesNotThrowAnyException();
  }

  @Test
  void aClassPathWithoutHikariSaysNone() {
    assertThatThrownBy(() -> HikariVersion.check(new ClassLoader(null) { }))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("HikariCP none");
  }

  @Test
  void theTestedVersionIsTheOneOnTheClassPath() throws Exception {
    // Keeps HikariVersion.TESTED (named in the message) in step with the managed version.
    try (var in = HikariConfig.class.getResourceAsStream("/META-INF/maven/com.zaxxer/HikariCP/pom.properties")) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("version=" + HikariVersion.TESTED);
    }
    assertThat(Files.exists(Path.of(System.getProperty("old.hikari.jar")))).isTrue();
  }
}
