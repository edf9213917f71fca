package dev.baton.messaging.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClusterCheckTest {

    @Test
    void theAdminClientGetsTheChannelsSecuritySettingsButNoConsumerOrProducerSetting() {
        Map<String, Object> config = KafkaClusterCheck.adminConfig(Map.of(
                "bootstrap.servers", "kafka-a:9093,kafka-b:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "ssl.truststore.location", "/etc/baton/kafka-ca/ca.crt",
                "auto.offset.reset", "earliest",
                "linger.ms", 0), 1750);

        assertThat(config).containsEntry("bootstrap.servers", "kafka-a:9093,kafka-b:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/baton/kafka-ca/ca.crt")
                .containsEntry("request.timeout.ms", 1750)
                .containsEntry("default.api.timeout.ms", 1750)
                .doesNotContainKeys("auto.offset.reset", "linger.ms");
    }

    @Test
    void withoutABootstrapSettingItAsksWhereTheChannelsWould() {
        assertThat(KafkaClusterCheck.adminConfig(Map.of(), 1000)).containsEntry("bootstrap.servers", "localhost:9092");
    }
}
