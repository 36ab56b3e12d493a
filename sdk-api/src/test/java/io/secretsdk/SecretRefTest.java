package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretRefTest {

  @Test
  void parsesEveryPart() {
    SecretRef ref = SecretRef.parse("aws-sm://prod/db?stage=previous#password");
    assertThat(ref.scheme()).contains("aws-sm");
    assertThat(ref.name()).isEqualTo("prod/db");
    assertThat(ref.stage()).contains(VersionStage.PREVIOUS);
    assertThat(ref.version()).isEmpty();
    assertThat(ref.field()).contains("password");
    assertThat(ref.toUri()).isEqualTo("aws-sm://prod/db?stage=previous#password");
  }

  @Test
  void keepsArnsGcpNamesAndVaultPathsAsWritten() {
    assertThat(SecretRef.parse("aws-sm://arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf").name())
        .isEqualTo("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf");
    assertThat(SecretRef.parse("arn:aws:secretsmanager:eu-west-1:1:secret:x").scheme()).isEmpty();
    SecretRef gcp = SecretRef.parse("gcp-sm://projects/p1/locations/europe-west1/secrets/db?version=3");
    assertThat(gcp.name()).isEqualTo("projects/p1/locations/europe-west1/secrets/db");
    assertThat(gcp.version()).contains("3");
    assertThat(SecretRef.parse("vault://secret/data/app/config#api-key").name()).isEqualTo("secret/data/app/config");
    assertThat(SecretRef.parse("aws-ssm:///prod/db/password").name()).isEqualTo("/prod/db/password");
  }

  @Test
  void percentEscapesCarryQuestionMarksHashesAndPercents() {
    SecretRef ref = SecretRef.of("odd?name#with%signs&more").withVersion("v&1#").withField("f#?");
    String uri = ref.toUri();
    assertThat(uri).isEqualTo("odd%3Fname%23with%25signs&more?version=v%261%23#f%23%3F");
    assertThat(SecretRef.parse(uri)).isEqualTo(ref);
    assertThat(SecretRef.parse("file://caf%C3%A9").name()).isEqualTo("café");
  }

  @Test
  void aNameThatLooksLikeASchemeSurvivesTheRoundTrip() {
    SecretRef ref = SecretRef.of("http://example/x");
    assertThat(SecretRef.parse(ref.toUri())).isEqualTo(ref);
    assertThat(ref.withScheme("vault").toUri()).isEqualTo("vault://http://example/x");
    assertThat(SecretRef.parse("vault://http://example/x")).isEqualTo(ref.withScheme("vault"));
  }

  @Test
  void withersReplaceOnePartAndVersionAndStageExcludeEachOther() {
    SecretRef ref = SecretRef.parse("file://a?version=1#f");
    assertThat(ref.withStage(VersionStage.CURRENT).version()).isEmpty();
    assertThat(ref.withStage(VersionStage.CURRENT).withVersion("2").stage()).isEmpty();
    assertThat(ref.withoutField().field()).isEmpty();
    assertThat(ref.withScheme("vault").scheme()).contains("vault");
    assertThat(ref).isEqualTo(SecretRef.parse("file://a?version=1#f")).hasSameHashCodeAs(SecretRef.parse("file://a?version=1#f"));
    assertThat(ref).isNotEqualTo(ref.withoutField());
    assertThat(ref.toString()).isEqualTo(ref.toUri());
  }

  @Test
  void stagesAreCaseInsensitive() {
    assertThat(SecretRef.parse("x?stage=PENDING").stage()).contains(VersionStage.PENDING);
    assertThat(SecretRef.parse("x?stage=Current").stage()).contains(VersionStage.CURRENT);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "   ", "aws-sm://", "aws-sm://?stage=current", "Bad_Scheme://x", "1abc://x", "x?stage=latest",
      "x?version=1&stage=current", "x?color=red", "x?version", "x?version=", "x#", "x%zz", "x%4", "x?version=1&version=2",
      "%FF%FE"})
  void rejectsMalformedReferencesWithAClearError(String uri) {
    assertThatThrownBy(() -> SecretRef.parse(uri)).isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("reference");
  }

  @Test
  void rejectsEmptyNamesAndParts() {
    assertThatThrownBy(() -> SecretRef.of("")).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> SecretRef.of("a").withVersion("")).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> SecretRef.of("a").withField("")).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> SecretRef.of("a").withScheme("A")).isInstanceOf(InvalidSecretRefException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {" db", "db ", "\tdb", "db\n", "aws-sm:// db", "aws-sm://db ?stage=current", "db#password ",
      "db?version= 3", "db?version=3 #f"})
  void whitespaceAroundAnyPartIsRefusedNotTrimmed(String uri) {
    assertThatThrownBy(() -> SecretRef.parse(uri))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("whitespace");
  }

  @Test
  void aSpaceThatIsPartOfTheNameIsWrittenPercentTwenty() {
    SecretRef ref = SecretRef.parse("file://%20odd name%20");
    assertThat(ref.name()).isEqualTo(" odd name ");
    assertThat(ref.toUri()).isEqualTo("file://%20odd name%20");
    assertThat(SecretRef.parse(ref.toUri())).isEqualTo(ref);
    assertThatThrownBy(() -> SecretRef.of(" db")).isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("whitespace");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file:/prod/db", "aws-ssm:/app/db/password", "vault:/secret/app"})
  void aSchemeWithOneSlashIsRefusedNamingTheTwoSlashForm(String uri) {
    String scheme = uri.substring(0, uri.indexOf(':'));
    assertThatThrownBy(() -> SecretRef.parse(uri))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("one slash")
        .hasMessageContaining(scheme + "://" + uri.substring(uri.indexOf(':') + 2));
  }

  @Test
  void colonsThatAreNotASchemeStayPartOfTheName() {
    assertThat(SecretRef.parse("/app/db:3").name()).isEqualTo("/app/db:3");
    assertThat(SecretRef.parse("arn:aws:ssm:eu-west-1:1:parameter/app").scheme()).isEmpty();
    assertThat(SecretRef.parse("db:blue").name()).isEqualTo("db:blue");
    // A literal name that looks like a one-slash scheme survives the round trip, encoded.
    SecretRef literal = SecretRef.of("file:/prod/db");
    assertThat(literal.toUri()).isEqualTo("file%3A/prod/db");
    assertThat(SecretRef.parse(literal.toUri())).isEqualTo(literal);
  }

  @Test
  void controlCharactersInANameArePercentEncodedWhenPrinted() {
    SecretRef ref = SecretRef.parse("aws-sm://prod%0A2026-01-01 INFO forged%0D%1B[31m\u202E");
    assertThat(ref.name()).contains("\n").contains("\r").contains("\u001B").contains("\u202E");
    assertThat(ref.toString()).isEqualTo("aws-sm://prod%0A2026-01-01 INFO forged%0D%1B[31m%E2%80%AE");
    assertThat(SecretRef.parse(ref.toUri())).isEqualTo(ref);
  }
}
