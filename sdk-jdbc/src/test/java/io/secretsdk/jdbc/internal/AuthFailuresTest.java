package io.secretsdk.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AuthFailuresTest {

  @Test
  void eachVendorsAuthenticationFailureIsRecognized() {
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("password authentication failed", "28P01"))).isTrue();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("no pg_hba.conf entry", "28000"))).isTrue();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("Access denied for user", "28000", 1045))).isTrue();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("Access denied (MariaDB)", "HY000", 1045))).isTrue();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("Login failed for user", "S0001", 18456))).isTrue();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("ORA-01017: invalid username/password", "72000", 1017)))
        .isTrue();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLInvalidAuthorizationSpecException("denied"))).isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(AuthFailures.isAuthenticationFailure(null)).isFalse();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("connection refused", "08001"))).isFalse();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("too many connections", "53300"))).isFalse();
    assertThat(AuthFailures.isAuthenticationFailure(new SQLTransientConnectionException("timeout", "08006"))).isFalse();
    assertThat(AuthFailures.isAuthenticationFailure(new IllegalStateException("x"))).isFalse();
  }

  @Test
  void aCycleInTheCauseChainEnds() {
    SQLException a = new SQLException("a", "08001");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    a.setNextException(new SQLException("next", "08001"));
    assertThat(AuthFailures.isAuthenticationFailure(b)).isFalse();
  }

  @Test
  void anAuthenticationFailureInTheNextExceptionChainIsFound() {
    SQLException batch = new SQLException("batch", "08001");
    batch.setNextException(new SQLException("password authentication failed", "28P01"));
    assertThat(AuthFailures.isAuthenticationFailure(new RuntimeException(batch))).isTrue();
  }

  @Property(tries = 300)
  void anAuthenticationFailureIsFoundAtAnyDepthOfWrapping(
      @ForAll("authFailures") SQLException failure, @ForAll("wrappers") List<Integer> wrappers) {
    assertThat(AuthFailures.isAuthenticationFailure(wrap(failure, wrappers))).isTrue();
  }

  @Property(tries = 300)
  void noWrappingMakesAnAuthenticationFailureOfAnotherFailure(
      @ForAll("otherFailures") SQLException failure, @ForAll("wrappers") List<Integer> wrappers) {
    assertThat(AuthFailures.isAuthenticationFailure(wrap(failure, wrappers))).isFalse();
  }

  @Property(tries = 100)
  void stateClass28IsAlwaysAnAuthenticationFailure(@ForAll @IntRange(min = 0, max = 999) int subclass) {
    String state = "28" + String.format("%03d", subclass).substring(0, 3);
    assertThat(AuthFailures.isAuthenticationFailure(new SQLException("x", state))).isTrue();
  }

  private static Throwable wrap(SQLException failure, List<Integer> wrappers) {
    Throwable t = failure;
    for (int kind : wrappers) {
      switch (kind) {
        case 0 -> t = new RuntimeException("wrapped", t);
        case 1 -> t = new SQLException("pool could not connect", "08001", t);
        case 2 -> t = new IllegalStateException(t);
        default -> {
          SQLException outer = new SQLException("chained", "HY000");
          if (t instanceof SQLException) {
            outer.setNextException((SQLException) t);
          } else {
            outer.initCause(t);
          }
          t = outer;
        }
      }
    }
    return t;
  }

  @Provide
  Arbitrary<List<Integer>> wrappers() {
    return Arbitraries.integers().between(0, 3).list().ofMaxSize(12);
  }

  @Provide
  Arbitrary<SQLException> authFailures() {
    return Arbitraries.oneOf(
        Arbitraries.of("28P01", "28000").map(s -> new SQLException("auth", s)),
        Arbitraries.of(1045, 18456, 1017).map(code -> new SQLException("auth", "HY000", code)),
        Arbitraries.just(new SQLInvalidAuthorizationSpecException("auth")));
  }

  @Provide
  Arbitrary<SQLException> otherFailures() {
    Arbitrary<String> states = Arbitraries.of("08001", "08006", "53300", "57P01", "42P01", "40001", "HY000");
    Arbitrary<Integer> codes = Arbitraries.integers().between(0, 20000)
        .filter(c -> c != 1045 && c != 18456 && c != 1017);
    return states.flatMap(s -> codes.map(c -> new SQLException("other", s, c)));
  }
}
