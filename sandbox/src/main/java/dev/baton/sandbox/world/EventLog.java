package dev.baton.sandbox.world;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.MalformedEventException;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads back every {@code baton.*} topic with a plain Kafka consumer (its own group, from the
 * beginning) in a background thread: what a user, a test or the demo sees on the wire.
 */
public final class EventLog implements AutoCloseable {

    /** One message as read back, with its Kafka coordinates and the broker timestamp. */
    public record Entry(String topic, int partition, long offset, Instant timestamp, BatonEvent event, String error) {
    }

    private final String bootstrapServers;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public EventLog(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "baton-eventlog-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        consumer.subscribe(Topics.ALL);
        thread = new Thread(this::poll, "baton-eventlog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Called for every entry read from now on (in the reader thread). */
    public void onEntry(Consumer<Entry> listener) {
        listeners.add(listener);
    }

    private void poll() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    Entry entry;
                    try {
                        BatonEvent event = EventCodec.decode(record.headers(), record.value()).event();
                        entry = new Entry(record.topic(), record.partition(), record.offset(),
                                Instant.ofEpochMilli(record.timestamp()), event, null);
                    } catch (MalformedEventException e) {
                        entry = new Entry(record.topic(), record.partition(), record.offset(),
                                Instant.ofEpochMilli(record.timestamp()), null, e.getMessage());
                    }
                    entries.add(entry);
                    for (Consumer<Entry> listener : listeners) {
                        listener.accept(entry);
                    }
                }
            }
        } catch (WakeupException stopping) {
            // close() woke us up
        } finally {
            consumer.close();
        }
    }

    /** Everything read so far, in the order read (per partition: log order). */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The decoded events of one type read so far. */
    public <T extends BatonEvent> List<T> events(Class<T> type) {
        return entries.stream().map(Entry::event).filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** Whether a rollout of the cluster has ended: completed, halted or rejected. */
    public boolean rolloutFinished(String clusterId) {
        return entries.stream().map(Entry::event).anyMatch(e -> clusterId.equals(e == null ? null : e.clusterId())
                && (e instanceof RolloutCompleted || e instanceof RolloutHalted || e instanceof RolloutRejected));
    }

    /** Whether a rollout of the cluster completed. */
    public boolean rolloutCompleted(String clusterId) {
        return events(RolloutCompleted.class).stream().anyMatch(e -> e.clusterId().equals(clusterId));
    }

    /** The entries whose event is of the given type. */
    public List<Entry> entriesOf(Class<? extends BatonEvent> type) {
        return entries.stream().filter(e -> type.isInstance(e.event())).toList();
    }

    /** How many messages the broker holds on every baton.* topic (end offset minus start offset, summed). */
    public long publishedCount() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get();
            List<TopicPartition> partitions = new ArrayList<>();
            topics.values().forEach(t -> t.partitions().forEach(p -> partitions.add(new TopicPartition(t.name(), p.partition()))));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            partitions.forEach(p -> {
                latest.put(p, OffsetSpec.latest());
                earliest.put(p, OffsetSpec.earliest());
            });
            var ends = admin.listOffsets(latest).all().get();
            var starts = admin.listOffsets(earliest).all().get();
            long total = 0;
            for (TopicPartition p : partitions) {
                total += ends.get(p).offset() - starts.get(p).offset();
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot read offsets: " + e.getCause().getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
