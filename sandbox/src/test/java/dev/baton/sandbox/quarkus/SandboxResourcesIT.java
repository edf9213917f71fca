package dev.baton.sandbox.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.baton.sandbox.SandboxKafka;

class SandboxResourcesIT {

    @Test
    void kafkaResourcePointsAtTheSharedBroker() {
        KafkaSandboxResource resource = new KafkaSandboxResource();

        assertThat(resource.start()).containsExactly(Map.entry("kafka.bootstrap.servers", SandboxKafka.shared().bootstrapServers()));
        resource.stop();
        assertThat(SandboxKafka.shared().bootstrapServers()).isNotBlank();
    }

    @Test
    void postgresResourceGivesEachStartAFreshDatabase() throws Exception {
        PostgresSandboxResource resource = new PostgresSandboxResource();
        resource.init(Map.of(PostgresSandboxResource.DATABASE_ARG, "audit"));

        Map<String, String> first = resource.start();
        Map<String, String> second = resource.start();

        assertThat(first).containsOnlyKeys("quarkus.datasource.jdbc.url", "quarkus.datasource.username", "quarkus.datasource.password");
        assertThat(first.get("quarkus.datasource.jdbc.url")).isNotEqualTo(second.get("quarkus.datasource.jdbc.url"));
        try (Connection connection = DriverManager.getConnection(first.get("quarkus.datasource.jdbc.url"),
                first.get("quarkus.datasource.username"), first.get("quarkus.datasource.password"));
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select current_database()")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString(1)).startsWith("audit_");
        }
        resource.stop();
    }
}
