package dev.baton.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.baton.sandbox.junit.BatonSandboxExtension;

@ExtendWith(BatonSandboxExtension.class)
class SandboxPostgresIT {

    @Test
    void answersSelectVersion(SandboxPostgres postgres) throws SQLException {
        assertThat(query(postgres, postgres.jdbcUrl(), "select version()")).startsWith("PostgreSQL");
        if (postgres.source() == SandboxSource.EMBEDDED) {
            assertThat(query(postgres, postgres.jdbcUrl(), "show server_version")).startsWith("17.");
        }
    }

    @Test
    void newDatabaseIsFreshAndIsolated(SandboxPostgres postgres) throws SQLException {
        String first = postgres.newDatabase("audit");
        String second = postgres.newDatabase("audit");
        assertThat(first).isNotEqualTo(second);

        try (Connection connection = DriverManager.getConnection(first, postgres.username(), postgres.password());
                Statement statement = connection.createStatement()) {
            statement.execute("create table events (id int primary key)");
            statement.execute("insert into events values (1)");
        }

        assertThat(query(postgres, first, "select count(*) from events")).isEqualTo("1");
        assertThat(query(postgres, second, "select count(*) from pg_tables where tablename = 'events'")).isEqualTo("0");
        assertThat(query(postgres, second, "select current_database()")).startsWith("audit_");
    }

    private static String query(SandboxPostgres postgres, String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, postgres.username(), postgres.password());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }
}
