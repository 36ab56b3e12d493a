package io.secretsdk.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class TimestampPropertiesTest {

  @Property(tries = 500)
  void theFastReaderAgreesWithJavaTime(
      @ForAll @LongRange(min = 0, max = 4_102_444_800L) long epochSecond,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
      @ForAll @IntRange(min = -18 * 4, max = 18 * 4) int quarterHours,
      @ForAll @IntRange(min = 0, max = 9) int fractionDigits) {
    int nano = nanos - nanos % (int) Math.pow(10, 9 - fractionDigits);
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(quarterHours * 900);
    OffsetDateTime odt = Instant.ofEpochSecond(epochSecond, nano).atOffset(offset);
    String text = odt.format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    assertThat(Responses.rfc3339(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
  }

  @Property(tries = 500)
  void anyTextIsReadAsJavaTimeReadsItOrNotAtAll(@ForAll String text) {
    Instant fast = Responses.rfc3339(text);
    if (fast != null) {
      assertThat(fast).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }
  }

  @Test
  void vaultsFormsAreRead() {
    assertThat(Responses.rfc3339("2018-03-22T02:24:06.945319214Z")).isEqualTo(Instant.parse("2018-03-22T02:24:06.945319214Z"));
    assertThat(Responses.rfc3339("2018-03-22T02:24:06Z")).isEqualTo(Instant.parse("2018-03-22T02:24:06Z"));
    assertThat(Responses.rfc3339("2018-03-22T04:24:06.5+02:00")).isEqualTo(Instant.parse("2018-03-22T02:24:06.500Z"));
    assertThat(Responses.rfc3339("2018-02-30T00:00:00Z")).isNull();
    try {
      OffsetDateTime.parse("2018-02-30T00:00:00Z");
    } catch (DateTimeParseException expected) {
      // java.time refuses it too
    }
  }
}
