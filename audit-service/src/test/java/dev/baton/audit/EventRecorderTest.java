package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contracts.Topics;
import dev.baton.messaging.Redelivery;
import dev.baton.messaging.EventPublisher;
import dev.baton.messaging.IncomingRecord;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The store-or-retry-or-dead-letter decisions, with the store and the publisher replaced by fakes. */
class EventRecorderTest {

    /** An audit log that fails as scripted, then stores. */
    static final class ScriptedLog extends AuditLog {
        final Deque<RuntimeException> failures = new ArrayDeque<>();
        final List<AuditedMessage> attempts = new ArrayList<>();
        final List<Integer> batches = new ArrayList<>();

        ScriptedLog() {
            super(null);
        }

        @Override
        public int appendBatch(List<AuditedMessage> messages) {
            attempts.addAll(messages);
            batches.add(messages.size());
            if (!failures.isEmpty()) {
                throw failures.pop();
            }
            return messages.size();
        }
    }

    @jakarta.enterprise.inject.Vetoed // a plain test double: not a second EventPublisher bean of the @QuarkusTests
    static final class RecordingPublisher extends EventPublisher {
        final List<String> deadLetters = new ArrayList<>();

        RecordingPublisher() {
            super(null, "audit-service");
        }

        @Override
        public void deadLetter(IncomingRecord record, String reason) {
            deadLetters.add(record.topic() + "@" + record.offset() + ": " + reason);
        }
    }

    private final ScriptedLog log = new ScriptedLog();
    private final RecordingPublisher publisher = new RecordingPublisher();
    private final EventRecorder recorder = new EventRecorder(log, publisher, () -> new AuditConfig.StoreRetry() {
        @Override
        public Duration firstDelay() {
            return Duration.ofMillis(1);
        }

        @Override
        public Duration maxDelay() {
            return Duration.ofMillis(4);
        }
    });

    private static ConsumerRecord<String, byte[]> record(String topic, String value) {
        return new ConsumerRecord<>(topic, 0, 9L, 1L, TimestampType.CREATE_TIME, -1, -1, "c1",
                value.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty());
    }

    private static RuntimeException sqlState(String state) {
        return new AuditStoreException("could not store", new SQLException("refused", state));
    }

    @Test
    void storesOnce() {
        recorder.record(record(Topics.HEALTH, "{\"a\":1}"));
        assertThat(log.attempts).hasSize(1);
        assertThat(log.attempts.get(0).payload()).isInstanceOf(Payload.Json.class);
        assertThat(publisher.deadLetters).isEmpty();
    }

    @Test
    void aBatchIsStoredInOneGo() {
        recorder.record(List.of(record(Topics.HEALTH, "{\"a\":1}"), record(Topics.RESULTS, "{\"b\":2}")));
        assertThat(log.batches).containsExactly(2);
        assertThat(publisher.deadLetters).isEmpty();
    }

    @Test
    void aBatchWithARefusedRowIsStoredOneByOneSoOnlyThatRecordFallsBack() {
        log.failures.add(sqlState("22P05")); // the batch
        log.failures.add(sqlState("22P05")); // the first record as JSON
        recorder.record(List.of(record(Topics.HEALTH, "{\"a\":1}"), record(Topics.RESULTS, "{\"b\":2}")));
        assertThat(log.batches).containsExactly(2, 1, 1, 1);
        assertThat(log.attempts.get(3).payload()).isInstanceOf(Payload.Raw.class);
        assertThat(log.attempts.get(4).payload()).isEqualTo(new Payload.Json("{\"b\":2}"));
        assertThat(publisher.deadLetters).isEmpty();
    }

    @Test
    void anUnavailableStoreIsRetriedWithTheWholeBatch() {
        log.failures.add(sqlState("08006"));
        recorder.record(List.of(record(Topics.HEALTH, "{\"a\":1}"), record(Topics.RESULTS, "{\"b\":2}")));
        assertThat(log.batches).containsExactly(2, 2);
    }

    @Test
    void refusedJsonIsStoredAsRawBytes() {
        log.failures.add(sqlState("22P05"));
        recorder.record(record(Topics.HEALTH, "{\"a\":1}"));
        assertThat(log.attempts).extracting(AuditedMessage::payload).containsExactly(
                new Payload.Json("{\"a\":1}"), new Payload.Raw("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThat(publisher.deadLetters).isEmpty();
    }

    @Test
    void aRowRefusedEvenAsRawBytesIsDeadLettered() {
        log.failures.add(sqlState("22P05"));
        log.failures.add(sqlState("54000"));
        recorder.record(record(Topics.COMMANDS, "{\"a\":1}"));
        assertThat(log.attempts).hasSize(2);
        assertThat(publisher.deadLetters).singleElement().asString()
                .startsWith("baton.commands.v1@9: the audit store refused it");
    }

    @Test
    void aRefusedDeadLetterIsSkippedNeitherLoopingNorStoppingTheChannel() {
        log.failures.add(sqlState("54000"));
        recorder.record(record(Topics.DEADLETTER, "not json"));
        assertThat(publisher.deadLetters).isEmpty();
        recorder.record(record(Topics.RESULTS, "{\"a\":1}"));
        assertThat(log.attempts).extracting(AuditedMessage::topic).endsWith(Topics.RESULTS);
    }

    @Test
    void anUnavailableStoreIsRetriedUntilItAnswers() {
        for (int i = 0; i < 5; i++) {
            log.failures.add(sqlState("08006"));
        }
        recorder.record(record(Topics.RESULTS, "{\"a\":1}"));
        assertThat(log.attempts).hasSize(6).extracting(AuditedMessage::payload).containsOnly(new Payload.Json("{\"a\":1}"));
        assertThat(publisher.deadLetters).isEmpty();
    }

    @Test
    void stoppingWhileTheStoreIsUnavailableLeavesTheRecordUncommitted() {
        log.failures.add(sqlState("08006"));
        recorder.onStop(null);
        assertThatThrownBy(() -> recorder.record(record(Topics.RESULTS, "{}"))).isInstanceOf(Redelivery.class)
                .hasCauseInstanceOf(AuditStoreException.class);
        assertThat(publisher.deadLetters).isEmpty();
    }
}
