package dev.baton.health;

import dev.baton.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * How health instances split the clusters: they share one consumer group on {@code baton.clusters.v1}, and an
 * instance probes the clusters of the partitions Kafka assigns it. On assignment it first reads what was already
 * announced for them on {@code baton.health.v1}, then re-reads the assigned partitions of the compacted topic from
 * the beginning (so it learns their clusters); on revocation or loss it stops probing their clusters before the
 * rebalance completes. When an instance dies, the group's session timeout passes and its partitions go to the others.
 */
@ApplicationScoped
@Identifier(ClusterPartitions.NAME)
public class ClusterPartitions implements KafkaConsumerRebalanceListener {
    /** The name the channel's {@code consumer-rebalance-listener.name} refers to. */
    public static final String NAME = "baton-health-clusters";

    private final HealthMonitor monitor;
    private final HealthTopicReader reader;

    public ClusterPartitions(HealthMonitor monitor, HealthTopicReader reader) {
        this.monitor = monitor;
        this.reader = reader;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        int partitionCount = consumer.partitionsFor(Topics.CLUSTERS).size();
        monitor.partitionsAssigned(numbers(partitions), partitionCount, reader);
        consumer.seekToBeginning(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        monitor.partitionsRevoked(numbers(partitions));
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        monitor.partitionsLost(numbers(partitions));
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(tp -> tp.topic().equals(Topics.CLUSTERS)).map(TopicPartition::partition).toList();
    }
}
