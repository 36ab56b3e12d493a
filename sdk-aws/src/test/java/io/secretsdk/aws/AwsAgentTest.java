package io.secretsdk.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.secretsdk.aws.AwsFake.smBinary;
import static io.secretsdk.aws.AwsFake.smText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigurationException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretSource;
import io.secretsdk.SecretUnavailableException;
import io.secretsdk.VersionStage;
import io.secretsdk.aws.internal.AgentTransport;
import io.secretsdk.aws.internal.AwsBackend;
import io.secretsdk.aws.internal.AwsSecretsManagerSourceProvider;
import io.secretsdk.aws.internal.SsmParameterSourceProvider;
import io.secretsdk.testing.LeakGuard;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local AWS agent as a transport (the Secrets Manager Agent's and the Lambda extension's
 * documented HTTP API) against a WireMock fake of it on 127.0.0.1: the SSRF token header, the
 * same references and typed errors as the service, loopback only, no redirects.
 */
class AwsAgentTest {
  private static final String TOKEN = "ssrf-token-7f3a9c";

  @RegisterExtension static final AwsFake fake = new AwsFake();
  @TempDir Path dir;
  private Path tokenFile;

  @BeforeEach
  void writeToken() throws IOException {
    LeakGuard.watch(TOKEN);
    tokenFile = Files.writeString(dir.resolve("awssmatoken"), TOKEN + "\n");
  }

  private AwsAgent agent() {
    return AwsAgent.at(fake.endpoint()).tokenFile(tokenFile);
  }

  private AwsSecretsManagerSource secrets() {
    return AwsSecretsManagerSource.builder().agent(agent()).build();
  }

  private static MappingBuilder agentGet(String path) {
    return get(urlPathEqualTo(path)).withHeader(AgentTransport.TOKEN_HEADER, equalTo(TOKEN))
        .withHeader("X-Forwarded-For", absent());
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder status(int status, String body) {
    return aResponse().withStatus(status).withBody(body);
  }

  @Test
  void aSecretIsReadThroughTheAgentWithTheTokenAndTheSameShapeAsGetSecretValue() {
    LeakGuard.watch("agent-served-pw-1");
    fake.server.stubFor(agentGet("/secretsmanager/get")
        .withQueryParam("secretId", equalTo("prod/db"))
        .withQueryParam("versionStage", equalTo("AWSCURRENT"))
        .willReturn(ok(smText("prod/db", "v-1", "{\"password\":\"agent-served-pw-1\"}", "AWSCURRENT", "blue")
            .replace("1.7000000001E9", "\"1700000000.100\""))));

    try (AwsSecretsManagerSource source = secrets()) {
      Secret secret = source.fetch(SecretRef.parse("aws-sm://prod/db"));

      assertThat(secret.name()).isEqualTo("prod/db");
      assertThat(secret.versionId()).isEqualTo("v-1");
      assertThat(secret.stages()).containsExactly(VersionStage.CURRENT);
      assertThat(secret.labels()).containsExactlyInAnyOrder("AWSCURRENT", "blue");
      assertThat(secret.createdAt()).contains(Instant.ofEpochMilli(1_700_000_000_100L));
      assertThat(secret.metadata()).containsEntry("arn", AwsFake.arn("prod/db"));
      assertThat(secret.field("password").contentEquals("agent-served-pw-1".toCharArray())).isTrue();
      assertThat(secret.nextRotationAt()).as("the agent publishes no schedule").isEmpty();
      secret.value().destroy();
    }
    assertThat(fake.server.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
  }

  @Test
  void versionsStagesAndBinaryValuesUseTheAgentsQueryParameters() {
    byte[] bytes = {0, 1, (byte) 0xfe, 'k', 'e', 'y'};
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("versionId", equalTo("1f2e"))
        .withQueryParam("versionStage", absent())
        .willReturn(ok(smBinary("tls", "1f2e", bytes))));
    LeakGuard.watch("previous-agent-value");
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("versionStage", equalTo("AWSPREVIOUS"))
        .willReturn(ok(smText("tls", "0a0b", "previous-agent-value", "AWSPREVIOUS"))));

    try (AwsSecretsManagerSource source = secrets()) {
      Secret pinned = source.fetch(SecretRef.parse("aws-sm://tls?version=1f2e"));
      Secret previous = source.fetchPrevious(SecretRef.of("tls")).orElseThrow();

      byte[] read = pinned.value().withBytes(b -> b.clone());
      assertThat(read).isEqualTo(bytes);
      assertThat(previous.stages()).containsExactly(VersionStage.PREVIOUS);
      assertThat(source.fetchAll(List.of(SecretRef.parse("aws-sm://tls?version=1f2e"))).found()).hasSize(1);
      pinned.value().destroy();
      previous.value().destroy();
    }
  }

  @Test
  void theAgentsErrorsAreTheServicesTypedErrorsWithoutTheBodyOrTheToken() {
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("secretId", equalTo("missing"))
        .willReturn(status(404, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"body-text-404\"}")));
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("secretId", equalTo("gone"))
        .willReturn(status(400, "{\"__type\":\"InvalidRequestException\",\"message\":\"marked for deletion\"}")));
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("secretId", equalTo("denied"))
        .willReturn(status(403, "body-text-403")));
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("secretId", equalTo("broken"))
        .willReturn(status(500, "{\"__type\":\"InternalFailure\"}")));
    fake.server.stubFor(agentGet("/secretsmanager/get").withQueryParam("secretId", equalTo("bad"))
        .willReturn(status(400, "unknown parameter body-text-400")));

    try (AwsSecretsManagerSource source = secrets()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of("missing"))).isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("'missing'").hasMessageContaining(fake.endpoint().toString());
      assertThatThrownBy(() -> source.fetch(SecretRef.of("gone"))).isInstanceOf(SecretNotFoundException.class)
          .hasMessageContaining("scheduled for deletion");
      assertThatThrownBy(() -> source.fetch(SecretRef.of("denied"))).isInstanceOf(SecretAccessDeniedException.class)
          .hasMessageContaining("SSRF token");
      assertThatThrownBy(() -> source.fetch(SecretRef.of("broken"))).isInstanceOf(SecretUnavailableException.class);
      assertThatThrownBy(() -> source.fetch(SecretRef.of("bad"))).isInstanceOf(InvalidSecretRefException.class);
      for (String name : List.of("missing", "gone", "denied", "broken", "bad")) {
        assertThatThrownBy(() -> source.fetch(SecretRef.of(name)))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("body-text").doesNotContain(TOKEN));
      }
    }
  }

  @Test
  void anAgentThatIsNotListeningIsUnavailableAndARedirectIsNotFollowed() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (AwsSecretsManagerSource down = AwsSecretsManagerSource.builder()
        .agent(AwsAgent.at(URI.create("http://127.0.0.1:" + port)).tokenFile(tokenFile)).build()) {
      assertThatThrownBy(() -> down.fetch(SecretRef.of("db"))).isInstanceOf(SecretUnavailableException.class)
          .hasMessageContaining("is the agent");
    }
    fake.server.stubFor(agentGet("/secretsmanager/get")
        .willReturn(aResponse().withStatus(302).withHeader("Location", fake.endpoint() + "/elsewhere")));
    try (AwsSecretsManagerSource source = secrets()) {
      assertThatThrownBy(() -> source.fetch(SecretRef.of("db"))).isInstanceOf(SecretException.class);
    }
    assertThat(fake.server.findAll(getRequestedFor(urlPathEqualTo("/elsewhere")))).isEmpty();
  }

  @Test
  void theTokenComesFromTheFirstVariableSetAndAFileReferenceIsRead() throws IOException {
    Path other = Files.writeString(dir.resolve("other"), "file-token-2\n");
    LeakGuard.watch("file-token-2");
    LeakGuard.watch("env-token-3");
    fake.server.stubFor(get(urlPathEqualTo("/secretsmanager/get"))
        .willReturn(ok(smText("db", "v-1", "v", "AWSCURRENT"))));
    Map<String, String> env = new HashMap<>();
    env.put("AWS_SESSION_TOKEN", "env-token-3");

    transport(env).get("/secretsmanager/get", Map.of("secretId", "db"), SecretRef.of("db"), AwsBackend.SECRETS_MANAGER, "x");
    env.put("AWS_TOKEN", "file://" + other);
    transport(env).get("/secretsmanager/get", Map.of("secretId", "db"), SecretRef.of("db"), AwsBackend.SECRETS_MANAGER, "x");

    assertThat(fake.server.findAll(getRequestedFor(anyUrl())))
        .extracting(r -> r.getHeader(AgentTransport.TOKEN_HEADER)).containsExactly("env-token-3", "file-token-2");
    assertThatThrownBy(() -> transport(Map.of()).get("/secretsmanager/get", Map.of("secretId", "db"), SecretRef.of("db"),
        AwsBackend.SECRETS_MANAGER, "secret 'db'"))
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("AWS_TOKEN").hasMessageContaining("AWS_SESSION_TOKEN");
  }

  private static AgentTransport transport(Map<String, String> env) {
    return new AgentTransport(fake.endpoint(), null, Duration.ofSeconds(5), AwsAgent.TOKEN_VARIABLES, env::get);
  }

  @Test
  void onlyLoopbackEndpointsAreAcceptedUnlessAllowedAndTheTokenIsNeverShown() {
    for (String uri : List.of("http://10.0.0.5:2773", "http://agent.example.com:2773", "http://169.254.169.254")) {
      assertThatThrownBy(() -> AwsSecretsManagerSource.builder().agent(URI.create(uri)).build())
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("loopback");
    }
    assertThatThrownBy(() -> AwsSecretsManagerSource.builder().agent().region(software.amazon.awssdk.regions.Region.EU_WEST_1)
        .build()).isInstanceOf(SecretConfigurationException.class).hasMessageContaining("makes no AWS client");
    for (String uri : List.of("http://localhost:2773", "http://127.0.0.2:9", "http://[::1]:2773")) {
      AwsSecretsManagerSource.builder().agent(URI.create(uri)).build().close();
    }
    AwsSecretsManagerSource.builder().agent(AwsAgent.at(URI.create("https://agent.example.com")).allowNonLoopback())
        .build().close();
    assertThat(agent().toString()).contains(fake.endpoint().toString()).doesNotContain(TOKEN);
  }

  @Test
  void userInfoInTheEndpointATokenFileThatIsNotARegularFileAndAHeaderBreakingTokenAreRefusedWithoutShowingThem()
      throws Exception {
    LeakGuard.watch("agent-pw-91");
    assertThatThrownBy(() -> AwsSecretsManagerSource.builder()
        .agent(URI.create("http://admin:agent-pw-91@localhost:2773")).build())
        .isInstanceOf(SecretConfigurationException.class)
        .hasMessageContaining("user-info").hasMessageNotContaining("agent-pw-91");
    assertThat(AwsAgent.at(URI.create("http://admin:agent-pw-91@localhost:2773")).toString())
        .doesNotContain("agent-pw-91");

    Path fifo = dir.resolve("fifo-token");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is available");
    try (AwsSecretsManagerSource s = AwsSecretsManagerSource.builder()
        .agent(AwsAgent.at(fake.endpoint()).tokenFile(fifo)).build()) {
      assertThatThrownBy(() -> s.fetch(SecretRef.parse("aws-sm://app/db")))
          .as("a FIFO is refused at once, never opened")
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("not a regular file");
    }

    String broken = "ssrf-part-one\r\nX-Injected: ssrf-part-two";
    LeakGuard.watch("ssrf-part-one");
    Path bad = Files.writeString(dir.resolve("bad-token"), broken);
    try (AwsSecretsManagerSource s = AwsSecretsManagerSource.builder()
        .agent(AwsAgent.at(fake.endpoint()).tokenFile(bad)).build()) {
      assertThatThrownBy(() -> s.fetch(SecretRef.parse("aws-sm://app/db")))
          .isInstanceOf(SecretConfigurationException.class)
          .hasMessageContaining("cannot be sent in a header").hasMessageNotContaining("ssrf-part");
    }
  }

  @Test
  void throughTheAgentEveryRefreshIsALocalReadWithAShortSuggestedLifetime() {
    try (AwsSecretsManagerSource source = secrets()) {
      assertThat(source.checkVersion(SecretRef.of("db"))).isEmpty();
      assertThat(source.checkVersions(List.of(SecretRef.of("a/b"), SecretRef.of("a/c"))).found()).isEmpty();
      assertThat(source.suggestedTtl(SecretRef.of("db"))).contains(Duration.ofMinutes(1));
    }
    assertThat(fake.server.findAll(anyRequestedFor(anyUrl()))).isEmpty();
  }

  @Test
  void parametersAreReadThroughTheLambdaExtensionWithDecryptionVersionsAndLabels() {
    LeakGuard.watch("ssm-agent-value");
    fake.server.stubFor(agentGet("/systemsmanager/parameters/get").withQueryParam("name", equalTo("/app/key"))
        .withQueryParam("withDecryption", equalTo("true")).withQueryParam("label", equalTo("blue"))
        .willReturn(ok("{\"Parameter\":" + SsmParameterSourceTest.parameter("/app/key", 5, "SecureString",
            "ssm-agent-value", ":blue").replace("1.7000000005E9", "\"2026-11-01T00:00:00Z\"") + "}")));
    fake.server.stubFor(agentGet("/systemsmanager/parameters/get").withQueryParam("name", equalTo("/app/none"))
        .willReturn(status(400, "{\"__type\":\"ParameterNotFound\"}")));

    try (SsmParameterSource source = SsmParameterSource.builder().agent(agent()).build()) {
      Secret secret = source.fetch(SecretRef.parse("aws-ssm:///app/key:blue"));

      assertThat(secret.versionId()).isEqualTo("5");
      assertThat(secret.labels()).containsExactly("blue");
      assertThat(secret.metadata()).containsEntry("type", "SecureString");
      assertThat(secret.createdAt()).contains(Instant.parse("2026-11-01T00:00:00Z"));
      assertThat(secret.value().contentEquals("ssm-agent-value".toCharArray())).isTrue();
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("aws-ssm:///app/none")))
          .isInstanceOf(SecretNotFoundException.class);
      assertThatThrownBy(() -> source.fetch(SecretRef.parse("aws-ssm:///app/key?stage=previous")))
          .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("history");
      assertThat(source.fetchPrevious(SecretRef.parse("aws-ssm:///app/key"))).isEmpty();
      secret.value().destroy();
    }
  }

  @Test
  void theProvidersReadTheAgentProperties() {
    LeakGuard.watch("provider-agent-value");
    fake.server.stubFor(agentGet("/secretsmanager/get")
        .willReturn(ok(smText("db", "v-1", "provider-agent-value", "AWSCURRENT"))));
    Map<String, String> props = Map.of("agent", fake.endpoint().toString(), "agent-token-file", tokenFile.toString());

    try (SecretSource source = new AwsSecretsManagerSourceProvider().create(props)) {
      Secret secret = source.fetch(SecretRef.of("db"));
      assertThat(secret.value().contentEquals("provider-agent-value".toCharArray())).isTrue();
      secret.value().destroy();
    }
    assertThatThrownBy(() -> new AwsSecretsManagerSourceProvider().create(Map.of("agent-token-file", "/x")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("aws-sm.agent=true");
    assertThatThrownBy(() -> new SsmParameterSourceProvider().create(Map.of("agent", "http://192.168.1.9:2773")))
        .isInstanceOf(SecretConfigurationException.class).hasMessageContaining("loopback");
    assertThatThrownBy(() -> new AwsSecretsManagerSourceProvider().create(Map.of("agent", "maybe")))
        .isInstanceOf(SecretConfigurationException.class);
  }
}
