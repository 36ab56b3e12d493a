package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.gcp.internal.SecretName;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Resource names: any string parses to a name or is an {@link InvalidSecretRefException}, nothing else. */
class SecretNameProperties {

  @Property(tries = 3000)
  void anyStringParsesOrIsAnInvalidRef(@ForAll("names") String name) {
    SecretName parsed;
    try {
      parsed = SecretName.parse(name, null, null, "acme-prod", null);
    } catch (InvalidSecretRefException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    // What parses is a well-formed resource that parses back to itself.
    assertThat(SecretName.parse(parsed.versionResource(), null, null, null, null)).isEqualTo(parsed);
    assertThat(parsed.versionResource()).matches("projects/[^/]+/(locations/[^/]+/)?secrets/[^/]+/versions/[^/]+");
  }

  @Property(tries = 1000)
  void wellFormedNamesAlwaysParse(@ForAll("wellFormed") String name) {
    SecretName parsed = SecretName.parse(name, null, null, "acme-prod", null);
    assertThat(name).endsWith(parsed.secret() + (name.contains("/versions/") ? "/versions/" + parsed.version() : ""));
  }

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> segment = Arbitraries.<String>oneOf(
        Arbitraries.<String>of("projects", "locations", "secrets", "versions", "latest", "acme-prod", "123", "europe-west1",
            "db", "", "0", "01", "a b", "..", "%2F", "\u00e9", "x".repeat(256)),
        Arbitraries.strings().ofMaxLength(12));
    Arbitrary<String> structured = segment.list().ofMaxSize(9).map(l -> String.join("/", l));
    return Arbitraries.<String>oneOf(structured, Arbitraries.strings().ofMaxLength(40), wellFormed());
  }

  @Provide
  Arbitrary<String> wellFormed() {
    Arbitrary<String> id = Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(30);
    Arbitrary<String> project = Arbitraries.strings().withChars("abc019-").ofMinLength(1).ofMaxLength(20)
        .map(p -> "p" + p);
    Arbitrary<String> location = Arbitraries.of("europe-west1", "us-central1", "asia-east2");
    Arbitrary<String> number = Arbitraries.longs().between(1L, 999_999L).map(n -> Long.toString(n));
    Arbitrary<String> alias = Arbitraries.strings().withChars("abc_-9").ofMaxLength(10).map(a -> "a" + a);
    Arbitrary<String> version = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Arbitraries.just("latest")), net.jqwik.api.Tuple.of(1, number),
        net.jqwik.api.Tuple.of(1, alias));
    return Combinators.combine(id, project, location, version, Arbitraries.integers().between(0, 5))
        .as((s, p, l, v, form) -> {
          switch (form) {
            case 0:
              return s;
            case 1:
              return "projects/" + p + "/secrets/" + s;
            case 2:
              return "projects/" + p + "/locations/" + l + "/secrets/" + s;
            case 3:
              return "projects/" + p + "/secrets/" + s + "/versions/" + v;
            case 4:
              return "projects/" + p + "/locations/" + l + "/secrets/" + s + "/versions/" + v;
            default:
              return s + "/versions/" + v;
          }
        });
  }
}
