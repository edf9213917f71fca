package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The canonical form and hash of a record are pinned here: changing them would make every record stored before
 * the change fail verification.
 */
class ChainedRecordTest {
    private static final AuditedMessage MESSAGE = new AuditedMessage("baton.rollouts.v1", 2, 17L,
            Instant.parse("2026-11-22T10:00:00.123Z"), "dolphin-a", "id-1", "dev.baton.NodeUpgraded.v1", "/baton/planner",
            "dolphin-a/n1", Instant.parse("2026-11-22T10:00:00.123456Z"), "r-42", "dolphin-a", "n1", "alice", "cause-1",
            "[{\"key\":\"ce_id\",\"value\":\"id-1\"}]",
            new Payload.Json("{\"runningVersion\": \"5.21.0\", \"nodeName\": \"n1\", \"n\": 1e2}"));

    @Test
    void theCanonicalFormIsPinned() {
        ChainedRecord record = new ChainedRecord(1042, "dolphin-a", 3, ChainedRecord.GENESIS, "baton.rollouts.v1/2/16",
                MESSAGE, Instant.parse("2026-11-22T10:00:01.000001Z"));
        assertThat(record.canonicalForm()).isEqualTo("{\"seq\":1042,\"chain\":\"dolphin-a\",\"chainSeq\":3,"
                + "\"prevEvent\":\"baton.rollouts.v1/2/16\",\"topic\":\"baton.rollouts.v1\",\"partition\":2,\"offset\":17,"
                + "\"timestamp\":\"2026-11-22T10:00:00.123Z\",\"key\":\"dolphin-a\",\"id\":\"id-1\","
                + "\"type\":\"dev.baton.NodeUpgraded.v1\",\"source\":\"/baton/planner\",\"subject\":\"dolphin-a/n1\","
                + "\"time\":\"2026-11-22T10:00:00.123456Z\",\"rolloutId\":\"r-42\",\"clusterId\":\"dolphin-a\","
                + "\"nodeId\":\"n1\",\"actor\":\"alice\",\"causationId\":\"cause-1\","
                + "\"receivedAt\":\"2026-11-22T10:00:01.000001Z\",\"headers\":[{\"key\":\"ce_id\",\"value\":\"id-1\"}],"
                + "\"data\":{\"n\":100,\"nodeName\":\"n1\",\"runningVersion\":\"5.21.0\"},\"dataRaw\":null}");
        assertThat(ChainedRecord.hex(record.hash())).isEqualTo(HASH);
    }

    // sha256(form || 32 zero bytes), checked with Python
    private static final String HASH = "77a66099771f5bc4325370b9f9e5d86b5e4d538a08d7f7b224e0aa34b4ceb182";

    @Test
    void rawBytesAreHashedAsBase64() {
        AuditedMessage raw = MESSAGE.withRawPayload();
        ChainedRecord record = new ChainedRecord(1, "c", 1, ChainedRecord.GENESIS, null, raw, Instant.EPOCH);
        assertThat(record.canonicalForm()).contains("\"data\":null,\"dataRaw\":\"" + java.util.Base64.getEncoder()
                .encodeToString(((Payload.Json) MESSAGE.payload()).text().getBytes(StandardCharsets.UTF_8)) + "\"}");
    }

    @Test
    void aMessageWithoutClusterHasTheChainOfItsTopic() {
        AuditedMessage deadLetter = new AuditedMessage("baton.deadletter.v1", 0, 1L, null, null, null, null, null, null,
                null, null, null, null, null, null, "[]", new Payload.Absent());
        assertThat(ChainedRecord.chainOf(deadLetter)).isEqualTo("~baton.deadletter.v1");
        assertThat(ChainedRecord.chainOf(MESSAGE)).isEqualTo("dolphin-a");
    }
}
