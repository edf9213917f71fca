package dev.baton.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SandboxPostgresTest {

    @Test
    void replacesTheDatabaseAndKeepsParameters() {
        assertThat(SandboxPostgres.withDatabase("jdbc:postgresql://localhost:5432/postgres", "audit_1"))
                .isEqualTo("jdbc:postgresql://localhost:5432/audit_1");
        assertThat(SandboxPostgres.withDatabase("jdbc:postgresql://db:5432/test?loggerLevel=OFF", "audit_1"))
                .isEqualTo("jdbc:postgresql://db:5432/audit_1?loggerLevel=OFF");
        assertThat(SandboxPostgres.withDatabase("jdbc:postgresql://a:1,b:2", "audit_1"))
                .isEqualTo("jdbc:postgresql://a:1,b:2/audit_1");
    }

    @Test
    void databaseNamesAreLowerCasedAndUnique() {
        String first = SandboxPostgres.uniqueDatabaseName("Audit");
        String second = SandboxPostgres.uniqueDatabaseName("Audit");

        assertThat(first).matches("audit_[0-9a-f]{8}");
        assertThat(second).matches("audit_[0-9a-f]{8}").isNotEqualTo(first);
        assertThat(SandboxPostgres.uniqueDatabaseName("x".repeat(100))).hasSize(63);
    }

    @Test
    void refusesNamesThatAreNotPlainIdentifiers() {
        assertThatThrownBy(() -> SandboxPostgres.uniqueDatabaseName("audit; drop database postgres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only letters, digits and '_'");
        assertThatThrownBy(() -> SandboxPostgres.uniqueDatabaseName("1audit"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
