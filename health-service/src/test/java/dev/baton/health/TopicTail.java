package dev.baton.health;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MalformedEventException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Test reader of one {@code baton.*} topic: every event since the beginning of the topic, decoded. Not thread-safe. */
final class TopicTail implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<BatonEvent> events = new ArrayList<>();

    TopicTail(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Everything read so far, after reading what is new. */
    List<BatonEvent> events() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            try {
                events.add(EventCodec.decode(record.headers(), record.value()).event());
            } catch (MalformedEventException e) {
                throw new AssertionError("a malformed event was published on " + record.topic() + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(events);
    }

    <T extends BatonEvent> List<T> events(Class<T> type, String clusterId) {
        return events().stream().filter(type::isInstance).map(type::cast)
                .filter(e -> e.clusterId().equals(clusterId)).toList();
    }

    /** The NodeActive/NodeInactive edges of one node, in order. */
    List<HealthEvent> edges(String clusterId, String nodeName) {
        return events().stream()
                .filter(e -> e instanceof HealthEvent && e.clusterId().equals(clusterId) && nodeName.equals(e.nodeName()))
                .map(HealthEvent.class::cast)
                .toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
