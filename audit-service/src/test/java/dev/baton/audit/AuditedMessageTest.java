package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class AuditedMessageTest {

    private static ConsumerRecord<String, byte[]> record(String topic, long timestamp, String key, Headers headers,
                                                         byte[] value) {
        return new ConsumerRecord<>(topic, 2, 17L, timestamp, TimestampType.CREATE_TIME, -1, -1, key, value,
                headers, Optional.empty());
    }

    @Test
    void readsTheCloudEventsAttributesOfABatonEvent() {
        NodeActive event = new NodeActive("c1", "n2", "3.1", "boot-1", Instant.parse("2025-01-02T03:04:05Z"), null);
        EventEnvelope envelope = EventEnvelope.of(event, "/baton/health-service", "alice", "cause-1");
        AuditedMessage message = AuditedMessage.of(record(Topics.HEALTH, 1_700_000_000_000L, "c1",
                EventCodec.toHeaders(envelope), EventCodec.toJson(event)));

        assertThat(message.topic()).isEqualTo(Topics.HEALTH);
        assertThat(message.partition()).isEqualTo(2);
        assertThat(message.offset()).isEqualTo(17L);
        assertThat(message.timestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(message.key()).isEqualTo("c1");
        assertThat(message.ceId()).isEqualTo(envelope.id());
        assertThat(message.ceType()).isEqualTo("dev.baton.NodeActive.v1");
        assertThat(message.ceSource()).isEqualTo("/baton/health-service");
        assertThat(message.ceSubject()).isEqualTo("c1/n2");
        assertThat(message.ceTime()).as("kept to the microsecond, as PostgreSQL stores it")
                .isEqualTo(envelope.time().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        assertThat(message.clusterId()).isEqualTo("c1");
        assertThat(message.nodeId()).isEqualTo("n2");
        assertThat(message.rolloutId()).isNull();
        assertThat(message.actor()).isEqualTo("alice");
        assertThat(message.causationId()).isEqualTo("cause-1");
        assertThat(message.payload()).isEqualTo(new Payload.Json(new String(EventCodec.toJson(event), StandardCharsets.UTF_8)));
    }

    @Test
    void keepsEveryHeaderInOrderAndBinaryValuesAsBase64() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "x".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_type", "y".getBytes(StandardCharsets.UTF_8));
        headers.add("bin", new byte[] {(byte) 0xff, 0x00});
        headers.add("nul", "a\u0000b".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);

        JsonNode json = BatonJson.mapper().readTree(AuditedMessage.headersJson(headers));

        assertThat(json).hasSize(5);
        assertThat(json.get(0).get("key").asText()).isEqualTo("ce_type");
        assertThat(json.get(0).get("value").asText()).isEqualTo("x");
        assertThat(json.get(1).get("value").asText()).isEqualTo("y");
        assertThat(json.get(2).has("value")).isFalse();
        assertThat(Base64.getDecoder().decode(json.get(2).get("base64").asText())).containsExactly(0xff, 0x00);
        assertThat(Base64.getDecoder().decode(json.get(3).get("base64").asText()))
                .isEqualTo("a\u0000b".getBytes(StandardCharsets.UTF_8));
        assertThat(json.get(4).get("value").isNull()).isTrue();
    }

    @Test
    void aRecordThatIsNoBatonEventIsStillReadable() {
        byte[] garbage = {1, 2, 3, (byte) 0xfe};
        AuditedMessage message = AuditedMessage.of(record(Topics.COMMANDS, -1L, "c9", new RecordHeaders(), garbage));

        assertThat(message.timestamp()).isNull();
        assertThat(message.ceType()).isNull();
        assertThat(message.ceId()).isNull();
        assertThat(message.clusterId()).as("falls back to the key").isEqualTo("c9");
        assertThat(message.headersJson()).isEqualTo("[]");
        assertThat(message.payload()).isEqualTo(new Payload.Raw(garbage));
    }

    @Test
    void textColumnsCannotBreakTheInsert() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventCodec.H_ACTOR, "ev\u0000il".getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_TYPE, "t".repeat(5000).getBytes(StandardCharsets.UTF_8));
        headers.add(EventCodec.H_TIME, "yesterday".getBytes(StandardCharsets.UTF_8));
        AuditedMessage message = AuditedMessage.of(record(Topics.RESULTS, 5L, null, headers, null));

        assertThat(message.actor()).isEqualTo("ev\uFFFDil");
        assertThat(message.ceType()).hasSize(AuditedMessage.MAX_INDEXED_LENGTH);
        assertThat(message.ceTime()).as("unparseable time stays in the headers only").isNull();
        assertThat(message.headersJson()).contains("yesterday");
        assertThat(message.clusterId()).isNull();
        assertThat(message.payload()).isEqualTo(new Payload.Absent());
    }

    @Test
    void cuttingAnIndexedValueNeverSplitsASurrogatePair() {
        String value = "a".repeat(AuditedMessage.MAX_INDEXED_LENGTH - 1) + "\uD83D\uDE00";
        assertThat(AuditedMessage.indexed(value)).isEqualTo("a".repeat(AuditedMessage.MAX_INDEXED_LENGTH - 1));
    }

    @Test
    void rawFallbackKeepsEverythingButThePayloadForm() {
        AuditedMessage message = AuditedMessage.of(record(Topics.REQUESTS, 5L, "c1", new RecordHeaders(),
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        AuditedMessage raw = message.withRawPayload();
        assertThat(raw.payload()).isEqualTo(new Payload.Raw("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThat(raw.withRawPayload()).isEqualTo(raw);
        assertThat(raw.coordinates()).isEqualTo("baton.requests.v1[2]@17");
    }
}
