package dev.baton.planner.state;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.Topics;
import dev.baton.messaging.EventPublisher;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The planner's durable state: writes a {@link StateRecord} per cluster to {@code baton-planner.state.v1}, and on
 * take-over reads the latest record of each cluster in the given partitions and publishes whatever of its outbox
 * is not on {@code baton.commands.v1} / {@code baton.rollouts.v1} yet.
 */
@ApplicationScoped
public class PlannerStateStore {
    public static final String CHANNEL = "planner-state";
    private static final Logger LOG = Logger.getLogger(PlannerStateStore.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final MutinyEmitter<byte[]> emitter;
    private final EventPublisher publisher;
    private final String bootstrapServers;

    public PlannerStateStore(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter, EventPublisher publisher,
                             @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
                             String bootstrapServers) {
        this.emitter = emitter;
        this.publisher = publisher;
        this.bootstrapServers = bootstrapServers;
    }

    /** Writes the record without waiting: the returned stage completes when Kafka acknowledged it. */
    public java.util.concurrent.CompletableFuture<Void> writeAsync(StateRecord record) {
        byte[] value;
        try {
            value = BatonJson.mapper().writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.snapshot().clusterId()).build();
        return emitter.sendMessage(Message.of(value).addMetadata(metadata)).subscribeAsCompletionStage();
    }

    /** The latest state record of every cluster whose key falls in these partitions (highest epoch wins). */
    public Map<String, StateRecord> readLatest(Set<Integer> partitions) {
        Map<String, StateRecord> latest = new HashMap<>();
        readToEnd(List.of(Topics.PLANNER_STATE), partitions, null, record -> {
            try {
                StateRecord.read(record.key(), record.value()).ifPresentOrElse(state -> {
                    StateRecord previous = latest.get(record.key());
                    if (previous == null || state.snapshot().epoch() >= previous.snapshot().epoch()) {
                        latest.put(record.key(), state);
                    }
                }, () -> latest.remove(record.key()));
            } catch (IllegalArgumentException e) {
                // the state view (RolloutViews) dead-letters it; a take-over only skips it
                LOG.errorf("unreadable planner state at %s[%d]@%d ignored: %s", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        });
        return latest;
    }

    /**
     * Re-publishes the outbox entries of these clusters' latest records that are not on their topics yet (a
     * take-over): the topics are read once, from the earliest record any of the outboxes may have reached, for every
     * cluster at once. Returns how many entries were published per cluster.
     */
    public Map<String, Integer> completeOutboxes(Collection<StateRecord> records, Set<Integer> partitions) {
        List<StateRecord> pending = records.stream().filter(r -> !r.outbox().isEmpty()).toList();
        Map<String, Integer> sent = new HashMap<>();
        if (pending.isEmpty()) {
            return sent;
        }
        Set<String> published = new HashSet<>();
        Instant since = pending.stream().map(StateRecord::writtenAt).min(Instant::compareTo).orElseThrow().minusSeconds(30);
        readToEnd(List.of(Topics.COMMANDS, Topics.ROLLOUTS), partitions, since, r -> {
            Header id = r.headers().lastHeader(EventCodec.H_ID);
            if (id != null) {
                published.add(new String(id.value(), java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        for (StateRecord record : pending) {
            for (OutboxEntry entry : record.outbox()) {
                if (!published.contains(entry.id())) {
                    BatonEvent event = entry.decode();
                    publisher.publish(event, entry.envelope(event, publisher.source()));
                    sent.merge(record.snapshot().clusterId(), 1, Integer::sum);
                }
            }
        }
        return sent;
    }

    /** The end offset of every partition of these topics, now. */
    public Map<TopicPartition, Long> endOffsets(List<String> topics) {
        try (KafkaConsumer<String, byte[]> consumer = plainConsumer()) {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(info -> all.add(new TopicPartition(topic, info.partition())));
            }
            return consumer.endOffsets(all);
        }
    }

    private KafkaConsumer<String, byte[]> plainConsumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void readToEnd(List<String> topics, Set<Integer> partitions, Instant since,
                           java.util.function.Consumer<ConsumerRecord<String, byte[]>> action) {
        try (KafkaConsumer<String, byte[]> consumer = plainConsumer()) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (String topic : topics) {
                partitions.forEach(p -> assigned.add(new TopicPartition(topic, p)));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            if (since != null) {
                Map<TopicPartition, Long> times = new HashMap<>();
                assigned.forEach(tp -> times.put(tp, since.toEpochMilli()));
                for (Map.Entry<TopicPartition, OffsetAndTimestamp> found : consumer.offsetsForTimes(times).entrySet()) {
                    if (found.getValue() != null) {
                        consumer.seek(found.getKey(), found.getValue().offset());
                    } else {
                        consumer.seekToEnd(List.of(found.getKey()));
                    }
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            Instant deadline = Instant.now().plus(READ_TIMEOUT);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topics + " partitions " + partitions + " to the end within "
                            + READ_TIMEOUT);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(action);
            }
        }
    }
}
