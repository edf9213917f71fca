package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The chain checks on hand-made chains (no database). */
class ChainVerifierTest {

    private static AuditedMessage message(long offset) {
        return new AuditedMessage("baton.rollouts.v1", 0, offset, Instant.parse("2026-11-22T10:00:00Z"), "c1", "id-" + offset,
                "dev.baton.NodeUpgraded.v1", "/t", "c1", null, "r1", "c1", "n1", "alice", null, "[]",
                new Payload.Json("{\"n\":" + offset + "}"));
    }

    /** A correct chain of n records: stored records with their hashes. */
    private static List<AuditLog.StoredRecord> chain(int n) {
        List<AuditLog.StoredRecord> records = new ArrayList<>();
        byte[] prev = ChainedRecord.GENESIS;
        String prevEvent = null;
        for (int i = 1; i <= n; i++) {
            ChainedRecord record = new ChainedRecord(100 + i, "c1", i, prev, prevEvent, message(i),
                    Instant.parse("2026-11-22T10:00:01Z"));
            byte[] hash = record.hash();
            records.add(new AuditLog.StoredRecord(record, hash));
            prev = hash;
            prevEvent = ChainedRecord.reference(record.message());
        }
        return records;
    }

    private static ChainVerifier.VerifyReport verify(List<AuditLog.StoredRecord> records,
                                                     Map<String, NavigableMap<Long, ChainVerifier.Claim>> claims,
                                                     Map<String, NavigableMap<Long, ChainVerifier.Claim>> anchors) {
        ChainVerifier verifier = new ChainVerifier(claims, anchors);
        records.forEach(verifier::accept);
        return verifier.finish(0, 0, List.of());
    }

    private static ChainVerifier.VerifyReport verify(List<AuditLog.StoredRecord> records) {
        return verify(records, new HashMap<>(), new HashMap<>());
    }

    @Test
    void aCorrectChainIsOk() {
        ChainVerifier.VerifyReport report = verify(chain(4));
        assertThat(report.ok()).isTrue();
        assertThat(report.records()).isEqualTo(4);
        assertThat(report.chains()).isEqualTo(1);
    }

    @Test
    void aGapNamesTheMissingRecordByItsCoordinates() {
        List<AuditLog.StoredRecord> records = chain(4);
        records.remove(1);
        ChainVerifier.VerifyReport report = verify(records);
        assertThat(report.firstBroken().kind()).isEqualTo(ChainVerifier.Problem.Kind.MISSING);
        assertThat(report.firstBroken().event()).isEqualTo("baton.rollouts.v1/0/2");
        assertThat(report.firstBroken().chainSeq()).isEqualTo(2);
    }

    @Test
    void aChangedRecordIsNamed() {
        List<AuditLog.StoredRecord> records = chain(3);
        AuditLog.StoredRecord second = records.get(1);
        ChainedRecord r = second.record();
        ChainedRecord changed = new ChainedRecord(r.seq(), r.chain(), r.chainSeq(), r.prevHash(), r.prevEvent(),
                message(99), r.receivedAt());
        records.set(1, new AuditLog.StoredRecord(changed, second.storedHash()));
        ChainVerifier.VerifyReport report = verify(records);
        assertThat(report.problemCount()).isEqualTo(1);
        assertThat(report.firstBroken().kind()).isEqualTo(ChainVerifier.Problem.Kind.CONTENT_CHANGED);
        assertThat(report.firstBroken().chainSeq()).isEqualTo(2);
    }

    @Test
    void aKeptStartMustBeAnchored() {
        List<AuditLog.StoredRecord> records = chain(4);
        byte[] anchorHash = records.get(1).storedHash();
        List<AuditLog.StoredRecord> kept = new ArrayList<>(records.subList(2, 4));

        assertThat(verify(kept).firstBroken().kind()).isEqualTo(ChainVerifier.Problem.Kind.MISSING);

        Map<String, NavigableMap<Long, ChainVerifier.Claim>> anchors = new HashMap<>();
        anchors.put("c1", new TreeMap<>(Map.of(2L, new ChainVerifier.Claim(7, ChainedRecord.hex(anchorHash), "x"))));
        assertThat(verify(kept, new HashMap<>(), anchors).ok()).isTrue();
    }

    @Test
    void aSignedHeadThatIsGoneIsReported() {
        List<AuditLog.StoredRecord> records = chain(3);
        Map<String, NavigableMap<Long, ChainVerifier.Claim>> claims = new HashMap<>();
        claims.put("c1", new TreeMap<>(Map.of(3L, new ChainVerifier.Claim(5,
                ChainedRecord.hex(records.get(2).storedHash()), "baton.rollouts.v1/0/3"))));
        assertThat(verify(records, claims, new HashMap<>()).ok()).isTrue();

        ChainVerifier.VerifyReport cut = verify(records.subList(0, 2), claims, new HashMap<>());
        assertThat(cut.firstBroken().kind()).isEqualTo(ChainVerifier.Problem.Kind.MISSING);
        assertThat(cut.firstBroken().event()).isEqualTo("baton.rollouts.v1/0/3");
    }
}
