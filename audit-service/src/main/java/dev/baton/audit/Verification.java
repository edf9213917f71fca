package dev.baton.audit;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Verifies the audit store: checks every checkpoint's Ed25519 signature and its link to the previous checkpoint,
 * then recomputes every hash chain (or one) with {@link ChainVerifier} against the heads and anchors the trusted
 * checkpoints vouch for. No topics.
 */
@ApplicationScoped
public class Verification {
    private final AuditLog auditLog;
    private final Checkpoints checkpoints;
    private final CheckpointSigner signer;

    public Verification(AuditLog auditLog, Checkpoints checkpoints, CheckpointSigner signer) {
        this.auditLog = auditLog;
        this.checkpoints = checkpoints;
        this.signer = signer;
    }

    /** Verifies one chain (a cluster id, or {@code ~topic}), or all when {@code chain} is null. */
    public ChainVerifier.VerifyReport verify(String chain) {
        Map<String, NavigableMap<Long, ChainVerifier.Claim>> claims = new HashMap<>();
        Map<String, NavigableMap<Long, ChainVerifier.Claim>> anchors = new HashMap<>();
        List<ChainVerifier.Problem> problems = new ArrayList<>();
        List<Checkpoints.StoredCheckpoint> all = checkpoints.all();
        int trusted = 0;
        Checkpoints.StoredCheckpoint previous = null;
        for (Checkpoints.StoredCheckpoint checkpoint : all) {
            JsonNode body = checkpoint.json();
            String expectedPrevious = previous == null ? null : Checkpoints.sha256(previous.body());
            String named = body.path("previous").isNull() ? null : body.path("previous").asText(null);
            if (body.path("id").asLong() != checkpoint.id()
                    || (expectedPrevious == null ? named != null : !expectedPrevious.equals(named))) {
                problems.add(checkpointProblem(checkpoint, "checkpoint " + checkpoint.id()
                        + " does not follow checkpoint " + (previous == null ? "(none)" : previous.id())
                        + ": a checkpoint was removed, changed or reordered"));
            }
            previous = checkpoint;
            Optional<PublicKey> key = signer.trustedKey(checkpoint.keyId());
            if (key.isEmpty()) {
                continue; // e.g. signed by an earlier run's development key: reported as untrusted, not used
            }
            if (!CheckpointSigner.verify(key.get(), checkpoint.body(), checkpoint.signature())) {
                problems.add(checkpointProblem(checkpoint, "the signature of checkpoint " + checkpoint.id()
                        + " does not verify with trusted key " + checkpoint.keyId() + ": it was forged or changed"));
                continue;
            }
            trusted++;
            boolean retention = "retention".equals(body.path("kind").asText());
            for (JsonNode head : body.path("heads")) {
                String headChain = head.path("chain").asText();
                if (chain != null && !chain.equals(headChain)) {
                    continue;
                }
                ChainVerifier.Claim claim = new ChainVerifier.Claim(checkpoint.id(), head.path("hash").asText(),
                        head.path("event").asText(null));
                (retention ? anchors : claims).computeIfAbsent(headChain, c -> new TreeMap<>())
                        .put(head.path("chainSeq").asLong(), claim);
            }
        }
        ChainVerifier verifier = new ChainVerifier(claims, anchors);
        auditLog.forEachInChainOrder(chain, verifier::accept);
        return verifier.finish(all.size(), trusted, problems);
    }

    private static ChainVerifier.Problem checkpointProblem(Checkpoints.StoredCheckpoint checkpoint, String detail) {
        return new ChainVerifier.Problem(ChainVerifier.Problem.Kind.CHECKPOINT_INVALID, null, 0, null,
                "checkpoint " + checkpoint.id(), detail);
    }
}
