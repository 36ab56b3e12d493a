package io.secretsdk.samples.boot;

import java.nio.file.Files;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures the sample's startup with the starter, and without it (its auto-configurations excluded,
 * the pool configured with spring.datasource.* as an application without secretsdk would be). Boot
 * logs "Started SpringBootApp in N seconds"; run each mode in a fresh JVM:
 * {@code java -cp <test class path> io.secretsdk.samples.boot.StartupComparison with|without}.
 */
public final class StartupComparison {
  private StartupComparison() {}

  /**
   * Starts and stops the application once.
   *
   * @param args {@code with} or {@code without}
   * @throws Exception if it fails
   */
  public static void main(String[] args) throws Exception {
    LocalDatabase db = LocalDatabase.start();
    String common = "--server.port=0";
    ConfigurableApplicationContext ctx;
    if (args.length > 0 && args[0].equals("without")) {
      String json = Files.readString(db.secretDirectory().resolve("db.json"));
      int at = json.indexOf("\"password\":\"") + 12;
      String password = json.substring(at, json.indexOf('"', at));
      ctx = SpringApplication.run(SpringBootApp.class, common,
          "--spring.autoconfigure.exclude=io.secretsdk.spring.SecretsAutoConfiguration,"
              + "io.secretsdk.spring.SecretsDataSourceAutoConfiguration,io.secretsdk.spring.SecretsActuatorAutoConfiguration",
          "--spring.datasource.url=" + db.server().jdbcUrl("postgres"), "--spring.datasource.username=" + LocalDatabase.ROLE,
          "--spring.datasource.password=" + password);
    } else {
      ctx = SpringApplication.run(SpringBootApp.class, common, "--secrets.file.root=" + db.secretDirectory());
    }
    ctx.close();
    db.server().close();
  }
}
