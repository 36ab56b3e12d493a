package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class JsonFieldProperties {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Property(tries = 1000)
  void arbitraryBytesGiveFieldsOrAFormatErrorAndNeverAnythingElse(@ForAll @Size(max = 80) byte[] bytes) {
    Secret secret = Secret.builder("fuzz").versionId("1").value(SecretValue.copyOfBinary(bytes)).build();
    try {
      for (String name : secret.fieldNames()) {
        try {
          secret.field(name).length();
        } catch (SecretFormatException nestedOrNull) {
          assertThat(nestedOrNull.getMessage()).contains("fuzz");
        }
      }
    } catch (SecretFormatException expected) {
      assertThat(expected.getMessage()).contains("fuzz");
    }
  }

  @Property(tries = 1000)
  void arbitraryJsonishTextGivesFieldsOrAFormatError(@ForAll @StringLength(max = 60) String body) {
    String text = "{\"a\":" + body;
    Secret secret = Secret.builder("fuzz").versionId("1").value(SecretValue.copyOf(text.toCharArray())).build();
    try {
      secret.fieldNames();
    } catch (SecretFormatException expected) {
      assertThat(expected.getMessage()).contains("fuzz");
    } catch (IllegalStateException noUtf8Form) {
      // unpaired surrogates have no UTF-8 form: reported by withBytes as a format error, never this
      throw noUtf8Form;
    }
  }

  @Property(tries = 1000)
  void everyStringFieldReadsBackAsJacksonWroteIt(@ForAll @Size(max = 6) Map<@StringLength(max = 8) String, String> fields)
      throws Exception {
    Map<String, String> valid = new java.util.LinkedHashMap<>();
    fields.forEach((k, v) -> {
      if (isWellFormed(k) && isWellFormed(v)) {
        valid.put(k, v);
      }
    });
    byte[] json = MAPPER.writeValueAsBytes(valid);
    Secret secret = Secret.builder("gen").versionId("1").value(SecretValue.fromUtf8(json)).build();
    assertThat(secret.fieldNames()).containsExactlyElementsOf(valid.keySet());
    valid.forEach((k, v) -> assertThat(secret.field(k).revealString()).isEqualTo(v));
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
