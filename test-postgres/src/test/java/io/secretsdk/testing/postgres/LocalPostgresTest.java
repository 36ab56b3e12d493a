package io.secretsdk.testing.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.testing.LeakGuard;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class LocalPostgresTest {

  private static Connection login(LocalPostgres pg, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
  }

  @Test
  void passwordsAreCheckedAndAlterRoleLeavesOpenSessionsWorking() throws Exception {
    LocalPostgres pg = LocalPostgres.shared();
    LeakGuard.watch("first-pass-1");
    LeakGuard.watch("second-pass-2");
    pg.createRole("harness_probe", "first-pass-1");
    try (Connection old = login(pg, "harness_probe", "first-pass-1")) {
      pg.alterPassword("harness_probe", "second-pass-2");
      assertThatThrownBy(() -> login(pg, "harness_probe", "first-pass-1").close())
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
      try (Connection fresh = login(pg, "harness_probe", "second-pass-2")) {
        assertThat(fresh.isValid(1)).isTrue();
      }
      try (Statement s = old.createStatement()) {
        assertThat(s.execute("SELECT 1")).isTrue();
      }
      assertThat(pg.sessions("harness_probe")).isEqualTo(1);
    } finally {
      pg.dropRole("harness_probe");
    }
  }
}
