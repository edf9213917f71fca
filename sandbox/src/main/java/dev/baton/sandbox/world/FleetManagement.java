package dev.baton.sandbox.world;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.UpgradeRequested;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the fleet-management system: publishes events (ClusterRegistered, UpgradeRequested, ...)
 * with a plain Kafka producer, as CloudEvents in binary mode, keyed by clusterId.
 */
public final class FleetManagement implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String actor;

    public FleetManagement(String bootstrapServers, String actor) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
        this.actor = actor;
    }

    /** Publishes the event on its topic and waits for the broker's acknowledgement. */
    public EventEnvelope publish(BatonEvent event) {
        EventEnvelope envelope = EventEnvelope.of(event, "/fleet-management", actor, null);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.topic(), null, event.clusterId(),
                EventCodec.toJson(event), EventCodec.toHeaders(envelope));
        try {
            producer.send(record).get();
            return envelope;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish " + event.eventType() + ": " + e.getCause().getMessage(), e);
        }
    }

    /** Publishes an UpgradeRequested for one node at a time (maxUnavailable 1), requested by this actor. */
    public EventEnvelope requestUpgrade(String clusterId, String targetVersion) {
        return publish(new UpgradeRequested(UUID.randomUUID().toString(), clusterId, targetVersion, 1, null, null, null,
                false, false, List.of(), false, actor));
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5)); // never hang when the broker is already gone
    }
}
