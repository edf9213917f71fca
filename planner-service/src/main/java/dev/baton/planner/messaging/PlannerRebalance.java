package dev.baton.planner.messaging;

import dev.baton.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows the planner consumer group's partition assignment of {@code baton.requests.v1} and
 * {@code baton.results.v1} (range assignment: the same partition numbers of both): a partition assigned means its
 * clusters are taken over, one revoked or lost means they are let go.
 */
@ApplicationScoped
@Identifier(PlannerRebalance.NAME)
public class PlannerRebalance implements KafkaConsumerRebalanceListener {
    public static final String NAME = "planner-rebalance";

    private final RolloutCoordinator coordinator;

    public PlannerRebalance(RolloutCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<Integer> numbers = numbers(partitions);
        if (!numbers.isEmpty()) {
            coordinator.takeOver(numbers, consumer.partitionsFor(Topics.REQUESTS).size());
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        coordinator.letGo(numbers(partitions));
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        coordinator.letGo(numbers(partitions));
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(tp -> tp.topic().equals(Topics.REQUESTS)).map(TopicPartition::partition)
                .collect(Collectors.toSet());
    }
}
