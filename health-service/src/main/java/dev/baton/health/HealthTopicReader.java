package dev.baton.health;

import dev.baton.contracts.EventCodec;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MalformedEventException;
import dev.baton.contracts.Topics;
import dev.baton.health.cluster.AnnouncedEdges;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads what was already announced on {@code baton.health.v1} for the clusters of some partitions, from the
 * beginning to the current end, into {@link AnnouncedEdges}. All {@code baton.*} topics are keyed by clusterId with
 * the same partition count, so the health events of the clusters of {@code baton.clusters.v1} partition p are in
 * {@code baton.health.v1} partition p (if the counts differ, every partition is read). A plain consumer with no group:
 * nothing is committed.
 */
@ApplicationScoped
public class HealthTopicReader {
    private static final Logger LOG = Logger.getLogger(HealthTopicReader.class);

    private final String bootstrapServers;
    private final Duration timeout;

    public HealthTopicReader(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                             HealthConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = config.handoverReadTimeout();
    }

    /** The announced edges of the clusters on {@code partitions} of {@code baton.clusters.v1}. */
    public AnnouncedEdges read(Collection<Integer> partitions, int clusterPartitionCount) {
        AnnouncedEdges edges = new AnnouncedEdges();
        if (partitions.isEmpty()) {
            return edges;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "baton-health-handover");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(Topics.HEALTH, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            List<TopicPartition> wanted = all.size() == clusterPartitionCount
                    ? all.stream().filter(tp -> partitions.contains(tp.partition())).toList()
                    : all;
            consumer.assign(wanted);
            consumer.seekToBeginning(wanted);
            Map<TopicPartition, Long> end = consumer.endOffsets(wanted, timeout);
            Instant deadline = Instant.now().plus(timeout);
            int read = 0;
            while (!caughtUp(consumer, end)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + Topics.HEALTH + " " + wanted + " to its end within "
                            + timeout + " (baton.health.handover-read-timeout)");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    try {
                        if (EventCodec.decode(record.headers(), record.value()).event() instanceof HealthEvent event) {
                            edges.record(event);
                        }
                    } catch (MalformedEventException | RuntimeException e) {
                        // the planner, the topic's consumer, dead-letters it; a take-over only skips it
                        LOG.debugf("skipping %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
                    }
                }
            }
            LOG.infof("read %d announced health events of partitions %s", read, partitions);
        }
        return edges;
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
