package dev.baton.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.baton.contracts.Topics;
import dev.baton.sandbox.junit.BatonSandboxExtension;

@ExtendWith(BatonSandboxExtension.class)
class SandboxKafkaIT {

    @Test
    void everyBatonTopicExistsWithTheSamePartitionCount(SandboxKafka kafka) throws Exception {
        assertTopics(kafka);
    }

    @Test
    void creatingTopicsAgainLeavesThemAsTheyAre(SandboxKafka kafka) throws Exception {
        kafka.createTopics();

        assertTopics(kafka);
    }

    @Test
    void aProducedRecordIsConsumedBack(SandboxKafka kafka) {
        assertRoundTrip(kafka.bootstrapServers(), Topics.COMMANDS);
    }

    @Test
    void sharedIsOneBrokerPerJvm(SandboxKafka kafka) {
        assertThat(SandboxKafka.shared()).isSameAs(kafka);
    }

    static void assertTopics(SandboxKafka kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics).containsOnlyKeys(Topics.ALL);
            assertThat(topics.values()).allSatisfy(topic -> assertThat(topic.partitions()).hasSize(kafka.partitions()));

            ConfigResource clusters = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CLUSTERS);
            ConfigResource commands = new ConfigResource(ConfigResource.Type.TOPIC, Topics.COMMANDS);
            var configs = admin.describeConfigs(List.of(clusters, commands)).all().get(30, TimeUnit.SECONDS);
            assertThat(configs.get(clusters).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(configs.get(commands).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete");
        }
    }

    static void assertRoundTrip(String bootstrap, String topic) {
        String value = "hello-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG, "sandbox-it-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            producer.send(new ProducerRecord<>(topic, "cluster-a", value)).get(30, TimeUnit.SECONDS);

            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.stream().anyMatch(r -> value.equals(r.value()));
            });
            assertThat(seen).filteredOn(r -> value.equals(r.value()))
                    .singleElement()
                    .satisfies(r -> assertThat(r.key()).isEqualTo("cluster-a"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
