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
    assertThat(ref.toString()).doesNotContain("\n", "\r", "\u0000", "\u001b", "\u0085", "\u2028", "\u202e");
  }

  @Property(tries = 2000)
  void noMessageAboutAnyTextHoldsARawControlCharacter(
      @ForAll @StringLength(max = 40) String text, @ForAll("hostile") String hostile) {
    String uri = text + hostile;
    try {
      SecretRef ref = SecretRef.parse(uri);
      assertThat(ref.toString().chars().noneMatch(c -> io.secretsdk.internal.Printable.needsEscape((char) c))).isTrue();
      String message = new SecretNotFoundException("no secret " + ref.name() + " here", ref).getMessage();
      assertThat(message.chars().noneMatch(c -> io.secretsdk.internal.Printable.needsEscape((char) c))).isTrue();
    } catch (InvalidSecretRefException e) {
      assertThat(e.getMessage().chars().noneMatch(c -> io.secretsdk.internal.Printable.needsEscape((char) c))).isTrue();
    }
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.of("%0A", "%0D%0A", "\r\n", "\n", "%1B[2J", "\u0085", "%E2%80%AE", "\u2028", "%00", "");
  }

  @Provide
  Arbitrary<SecretRef> refs() {
    Arbitrary<String> part = Arbitraries.strings().ofMinLength(1).ofMaxLength(20)
        .withChars("abcXYZ019:/-_.?#%&= éü\n\r\t\u0000\u001b\u0085\u2028\u202e\u200b")
        .filter(s -> !s.isBlank() && !Character.isWhitespace(s.charAt(0))
            && !Character.isWhitespace(s.charAt(s.length() - 1)));
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
