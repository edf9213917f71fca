package dev.baton.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.baton.contracts.Topics;

class SandboxKafkaChildProcessIT {

    @Test
    void aBrokerRunsAsAChildJvmAndStopsOnClose(@TempDir Path dir) throws Exception {
        String bootstrap;
        try (SandboxKafka child = SandboxKafka.startChildProcess(dir, 2)) {
            bootstrap = child.bootstrapServers();
            assertThat(child.partitions()).isEqualTo(2);
            SandboxKafkaIT.assertTopics(child);
            SandboxKafkaIT.assertRoundTrip(bootstrap, Topics.HEALTH);
        }

        assertThat(dir.resolve("kafka.log")).isNotEmptyFile();
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 1_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 500))) {
            assertThat(admin.describeCluster().nodes()).failsWithin(java.time.Duration.ofSeconds(5));
        }
    }
}
