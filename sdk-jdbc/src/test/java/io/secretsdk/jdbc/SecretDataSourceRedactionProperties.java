package io.secretsdk.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import io.secretsdk.cache.SecretCache;
import io.secretsdk.file.FileSecretSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@code SecretDataSource.toString()} shows no password, whatever the JDBC URL form it is written
 * in and whatever characters it holds (those the form allows unescaped).
 */
class SecretDataSourceRedactionProperties {
  private static Path root;
  private static SecretCache cache;

  @BeforeContainer
  static void start() throws IOException {
    root = Files.createTempDirectory("redaction");
    cache = SecretCache.builder(FileSecretSource.of(root)).build();
  }

  @AfterContainer
  static void stop() throws IOException {
    cache.close();
    Files.deleteIfExists(root);
  }

  private static String shown(String url) {
    return SecretDataSource.of(url, cache, SecretRef.of("db")).toString();
  }

  /** Passwords of 8 to 24 characters from an alphabet, never a substring of the URL around them. */
  private static Arbitrary<String> passwords(String alphabet) {
    return Arbitraries.strings().withChars(alphabet).ofMinLength(8).ofMaxLength(24);
  }

  private static final String SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  @Provide
  Arbitrary<String> queryPasswords() {
    return passwords(SAFE + "!$'*+,-._~:/@()[]{}|^%\"");
  }

  @Provide
  Arbitrary<String> userInfoPasswords() {
    return passwords(SAFE + "!$'*+,-._~:=&()[]{}|^%\"");
  }

  @Provide
  Arbitrary<String> sqlServerPasswords() {
    return passwords(SAFE + "!$'*+,-._~:/@()[]|^%\"&?=");
  }

  private static void assertHidden(String url, String password, String stillShown) {
    // A password that is also a piece of the URL around it ("acle:thi") proves nothing.
    Assume.that(!url.replace(password, "").contains(password) && url.indexOf(password) == url.lastIndexOf(password));
    String shown = shown(url);
    assertThat(shown).as(url).doesNotContain(password).contains("***").contains(stillShown);
  }

  @Property(tries = 300)
  void queryParameterPasswordsAreHidden(@ForAll("queryPasswords") String pw) {
    assertHidden("jdbc:postgresql://db.example:5432/orders?user=app&password=" + pw, pw, "db.example:5432/orders");
    assertHidden("jdbc:postgresql://db.example/orders?password=" + pw + "&ssl=true", pw, "ssl=true");
    assertHidden("jdbc:mysql://db.example/orders?PassWord=" + pw, pw, "db.example/orders");
    assertHidden("jdbc:postgresql://db.example/orders?sslpassword=" + pw, pw, "db.example/orders");
    String kv = pw.replace(")", ""); // MySQL's key-value form ends a value at ')' as well
    assertHidden("jdbc:mysql://address=(host=db.example)(user=app)(password=" + kv + ")/orders", kv, "db.example");
  }

  @Property(tries = 300)
  void sqlServerPasswordsAreHiddenInAnyCaseAndBraced(@ForAll("sqlServerPasswords") String pw) {
    String plain = pw.replace(";", "").replace("{", "").replace("}", "");
    assertHidden("jdbc:sqlserver://db.example:1433;databaseName=orders;PASSWORD=" + plain.replace("&", "") + ";encrypt=true",
        plain.replace("&", ""), "encrypt=true");
    String braced = pw.replace("}", "");
    assertHidden("jdbc:sqlserver://db.example;user=app;password={" + braced + ";x};encrypt=true", braced, "encrypt=true");
  }

  @Property(tries = 300)
  void userInfoPasswordsAreHidden(@ForAll("userInfoPasswords") String pw) {
    assertHidden("jdbc:mysql://app:" + pw + "@db.example:3306/orders", pw, "db.example:3306/orders");
    assertHidden("jdbc:mariadb://app:" + pw + "@db.example/orders?useSsl=true", pw, "useSsl=true");
    assertHidden("jdbc:postgresql://app:" + pw + "@db.example/orders", pw, "db.example/orders");
  }

  @Property(tries = 300)
  void oracleThinPasswordsAreHidden(@ForAll("userInfoPasswords") String pw) {
    String unquoted = pw.replace("\"", "");
    assertHidden("jdbc:oracle:thin:app/" + unquoted + "@db.example:1521/ORCL", unquoted, "db.example:1521/ORCL");
    assertHidden("jdbc:oracle:thin:app/" + unquoted + "@//db.example:1521/ORCL", unquoted, "//db.example:1521/ORCL");
    String quoted = pw.replace("\"", "") + "@x";
    assertHidden("jdbc:oracle:thin:app/\"" + quoted + "\"@db.example:1521:ORCL", quoted, "db.example:1521:ORCL");
  }

  @Example
  void aUrlWithoutPasswordIsShownAsItIs() {
    assertThat(shown("jdbc:postgresql://db.example:5432/orders?ssl=true"))
        .isEqualTo("SecretDataSource[url=jdbc:postgresql://db.example:5432/orders?ssl=true, secret=db]");
    assertThat(shown("jdbc:oracle:thin:@db.example:1521/ORCL")).contains("jdbc:oracle:thin:@db.example:1521/ORCL");
  }
}
