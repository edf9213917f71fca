package dev.baton.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Recomputes the hash chains from the stored records (fed in chain order) and compares them with what the signed
 * checkpoints and retention anchors vouch for. Pure logic: no database.
 *
 * <p>For each record, in chain order:
 * <ol>
 *   <li>its hash, recomputed from its canonical form and its stored predecessor hash, must equal the stored hash
 *       (else {@link Problem.Kind#CONTENT_CHANGED}: the record was edited, or moved in {@code seq}/{@code chain_seq});</li>
 *   <li>its position must follow the previous one without a gap (else {@link Problem.Kind#MISSING}, naming the
 *       missing record by the coordinates its successor kept in {@code prev_event});</li>
 *   <li>its predecessor hash must equal the previous record's stored hash (else {@link Problem.Kind#LINK_BROKEN});</li>
 *   <li>its recording order {@code seq} must be above the previous record's (else {@link Problem.Kind#OUT_OF_ORDER});</li>
 *   <li>a chain's first kept record must be the genesis (position 1) or the successor of a retention anchor;</li>
 *   <li>every signed head must still be there with the same hash (else {@link Problem.Kind#CHECKPOINT_MISMATCH}).</li>
 * </ol>
 */
public final class ChainVerifier {
    /** At most this many problems are listed (all are counted). */
    static final int MAX_LISTED = 100;

    /** A signed claim: at this position the chain had this hash (hex), at these coordinates. */
    public record Claim(long checkpointId, String hash, String event) {
    }

    /** Something verification found wrong, naming the record concerned. */
    public record Problem(Kind kind, String chain, long chainSeq, Long seq, String event, String detail) {
        public enum Kind { CONTENT_CHANGED, MISSING, LINK_BROKEN, OUT_OF_ORDER, UNANCHORED_START, CHECKPOINT_MISMATCH,
            CHECKPOINT_INVALID }
    }

    private final Map<String, NavigableMap<Long, Claim>> claims;
    private final Map<String, NavigableMap<Long, Claim>> anchors;
    private final List<Problem> problems = new ArrayList<>();
    private int problemCount;
    private long records;
    private long chains;

    private final java.util.Set<String> seen = new java.util.HashSet<>();
    private String chain;
    private long lastChainSeq;
    private long lastSeq;
    private byte[] lastHash;

    /**
     * @param claims by chain, by position: the heads that trusted checkpoints signed
     * @param anchors by chain, by position: the last dropped records that trusted retention checkpoints signed
     */
    ChainVerifier(Map<String, NavigableMap<Long, Claim>> claims, Map<String, NavigableMap<Long, Claim>> anchors) {
        this.claims = claims;
        this.anchors = anchors;
    }

    static ChainVerifier withoutCheckpoints() {
        return new ChainVerifier(new HashMap<>(), new HashMap<>());
    }

    void accept(AuditLog.StoredRecord stored) {
        ChainedRecord record = stored.record();
        String event = ChainedRecord.reference(record.message());
        records++;
        if (!record.chain().equals(chain)) {
            finishChain();
            chain = record.chain();
            seen.add(chain);
            chains++;
            start(record, event);
        } else if (record.chainSeq() == lastChainSeq) {
            problem(Problem.Kind.OUT_OF_ORDER, record, event, "a second record at chain position " + record.chainSeq());
        } else if (record.chainSeq() > lastChainSeq + 1) {
            problem(Problem.Kind.MISSING, record.chain(), record.chainSeq() - 1, record.seq(), record.prevEvent(),
                    missing(record, event));
        } else if (!Arrays.equals(record.prevHash(), lastHash)) {
            problem(Problem.Kind.LINK_BROKEN, record, event,
                    "its predecessor hash does not match the stored hash of chain position " + lastChainSeq);
        }
        if (record.chain().equals(chain) && lastSeq != 0 && record.seq() <= lastSeq && record.chainSeq() > lastChainSeq) {
            problem(Problem.Kind.OUT_OF_ORDER, record, event,
                    "recorded as seq " + record.seq() + " but follows seq " + lastSeq + " in its chain");
        }
        byte[] recomputed = record.hash();
        if (!Arrays.equals(recomputed, stored.storedHash())) {
            problem(Problem.Kind.CONTENT_CHANGED, record, event,
                    "its content (or its position) was changed after it was stored: the recomputed hash "
                            + ChainedRecord.hex(recomputed) + " differs from the stored " + ChainedRecord.hex(stored.storedHash()));
        }
        Claim claim = claimsOf(claims, record.chain()).get(record.chainSeq());
        if (claim != null && !claim.hash().equals(ChainedRecord.hex(stored.storedHash()))) {
            problem(Problem.Kind.CHECKPOINT_MISMATCH, record, event, "signed checkpoint " + claim.checkpointId()
                    + " says chain position " + record.chainSeq() + " had hash " + claim.hash());
        }
        lastChainSeq = Math.max(lastChainSeq, record.chainSeq());
        lastSeq = Math.max(lastSeq, record.seq());
        lastHash = stored.storedHash();
    }

    private void start(ChainedRecord record, String event) {
        lastChainSeq = record.chainSeq() - 1;
        lastSeq = 0;
        lastHash = record.prevHash();
        if (record.chainSeq() == 1) {
            if (!Arrays.equals(record.prevHash(), ChainedRecord.GENESIS)) {
                problem(Problem.Kind.LINK_BROKEN, record, event, "the first record of a chain must link to the genesis hash");
            }
            return;
        }
        Claim anchor = claimsOf(anchors, record.chain()).get(record.chainSeq() - 1);
        if (anchor == null) {
            problem(Problem.Kind.MISSING, record.chain(), record.chainSeq() - 1, record.seq(), record.prevEvent(),
                    "chain " + record.chain() + " starts at position " + record.chainSeq()
                            + " and no retention checkpoint accounts for the records before it; the last one was "
                            + record.prevEvent());
        } else if (!anchor.hash().equals(ChainedRecord.hex(record.prevHash()))) {
            problem(Problem.Kind.UNANCHORED_START, record, event, "retention checkpoint " + anchor.checkpointId()
                    + " anchored position " + (record.chainSeq() - 1) + " with hash " + anchor.hash()
                    + " but this record links to " + ChainedRecord.hex(record.prevHash()));
        }
    }

    private static String missing(ChainedRecord record, String event) {
        long first = record.chainSeq() - 1;
        return "record(s) missing before " + event + " (chain position " + record.chainSeq() + "); the one just before it was "
                + record.prevEvent() + " at chain position " + first;
    }

    private void finishChain() {
        if (chain == null) {
            return;
        }
        NavigableMap<Long, Claim> later = claimsOf(claims, chain).tailMap(lastChainSeq, false);
        if (!later.isEmpty()) {
            Map.Entry<Long, Claim> first = later.firstEntry();
            problem(Problem.Kind.MISSING, chain, first.getKey(), null, first.getValue().event(),
                    "signed checkpoint " + first.getValue().checkpointId() + " says chain " + chain + " reached position "
                            + first.getKey() + " (" + first.getValue().event() + ") but the store ends at position "
                            + lastChainSeq);
        }
    }

    /** Also counts the chains that only checkpoints know about (all their records gone). */
    VerifyReport finish(int checkpoints, int trustedCheckpoints, List<Problem> checkpointProblems) {
        finishChain();
        chain = null;
        for (Map.Entry<String, NavigableMap<Long, Claim>> entry : claims.entrySet()) {
            if (seen.contains(entry.getKey()) || entry.getValue().isEmpty()) {
                continue;
            }
            Map.Entry<Long, Claim> lastClaim = entry.getValue().lastEntry();
            NavigableMap<Long, Claim> anchored = claimsOf(anchors, entry.getKey());
            if (anchored.isEmpty() || anchored.lastKey() < lastClaim.getKey()) {
                problem(Problem.Kind.MISSING, entry.getKey(), lastClaim.getKey(), null, lastClaim.getValue().event(),
                        "signed checkpoint " + lastClaim.getValue().checkpointId() + " says chain " + entry.getKey()
                                + " reached position " + lastClaim.getKey() + " but none of its records is stored");
            }
        }
        for (Problem problem : checkpointProblems) {
            problem(problem);
        }
        List<Problem> listed = new ArrayList<>(problems);
        Problem first = listed.stream().min(Comparator.comparing((Problem p) -> p.seq() == null ? Long.MAX_VALUE : p.seq())
                .thenComparing(Problem::chainSeq)).orElse(null);
        return new VerifyReport(problemCount == 0, records, chains, checkpoints, trustedCheckpoints,
                checkpoints - trustedCheckpoints, problemCount, first, listed);
    }

    private static NavigableMap<Long, Claim> claimsOf(Map<String, NavigableMap<Long, Claim>> map, String chain) {
        return map.getOrDefault(chain, new TreeMap<>());
    }

    private void problem(Problem.Kind kind, ChainedRecord record, String event, String detail) {
        problem(kind, record.chain(), record.chainSeq(), record.seq(), event, detail);
    }

    private void problem(Problem.Kind kind, String chain, long chainSeq, Long seq, String event, String detail) {
        problem(new Problem(kind, chain, chainSeq, seq, event, detail));
    }

    private void problem(Problem problem) {
        problemCount++;
        if (problems.size() < MAX_LISTED) {
            problems.add(problem);
        }
    }

    /**
     * What {@code GET /api/v1/audit/verify} answers.
     *
     * @param ok true when nothing is wrong
     * @param firstBroken the earliest recorded problem (by {@code seq}), naming its record
     */
    public record VerifyReport(boolean ok, long records, long chains, int checkpoints, int trustedCheckpoints,
                        int untrustedCheckpoints, int problemCount, Problem firstBroken, List<Problem> problems) {
    }
}
