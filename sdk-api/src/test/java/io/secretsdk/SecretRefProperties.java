package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

class SecretRefProperties {

  @Property(tries = 2000)
  void parsingAnyTextGivesARefOrAnInvalidRefErrorAndNothingElse(@ForAll @StringLength(max = 60) String text) {
    try {
      SecretRef ref = SecretRef.parse(text);
      assertThat(SecretRef.parse(ref.toUri())).isEqualTo(ref);
    } catch (InvalidSecretRefException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 2000)
  void everyRefSurvivesTheUriRoundTrip(@ForAll("refs") SecretRef ref) {
    assertThat(SecretRef.parse(ref.toUri())).isEqualTo(ref);
  }

  @Provide
  Arbitrary<SecretRef> refs() {
    Arbitrary<String> part = Arbitraries.strings().ofMinLength(1).ofMaxLength(20)
        .withChars("abcXYZ019:/-_.?#%&= éü")
        .filter(s -> !s.isBlank());
    Arbitrary<String> scheme = Arbitraries.of("", "aws-sm", "vault", "gcp-sm", "file");
    Arbitrary<Integer> selector = Arbitraries.integers().between(0, 2);
    return Combinators.combine(scheme, part, selector, part, Arbitraries.of(VersionStage.values()), part.injectNull(0.5))
        .as((s, name, sel, version, stage, field) -> {
          SecretRef ref = SecretRef.of(name);
          if (!s.isEmpty()) {
            ref = ref.withScheme(s);
          }
          if (sel == 1) {
            ref = ref.withVersion(version);
          } else if (sel == 2) {
            ref = ref.withStage(stage);
          }
          return field == null ? ref : ref.withField(field);
        });
  }
}
