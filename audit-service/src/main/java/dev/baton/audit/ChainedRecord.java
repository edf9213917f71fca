package dev.baton.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A stored message with its place in the hash chain of its cluster. {@link #hash()} is the SHA-256 of the
 * record's {@link #canonicalForm() canonical form} followed by its predecessor's hash, so changing, removing or
 * moving any record breaks the link to the next one; the writer computes it, {@code /verify} recomputes it.
 *
 * @param seq the store-wide recording order
 * @param chain the chain: the cluster id, or {@code ~topic} for a message without cluster
 * @param chainSeq position in the chain (1 for the first record)
 * @param prevHash the predecessor's hash ({@link #GENESIS} for the first record)
 * @param prevEvent the predecessor's Kafka coordinates ({@code topic/partition/offset}), null for the first record
 * @param receivedAt when this store recorded it (microsecond precision, as PostgreSQL keeps it)
 */
public record ChainedRecord(long seq, String chain, long chainSeq, byte[] prevHash, String prevEvent,
                            AuditedMessage message, Instant receivedAt) {

    /** The predecessor hash of the first record of every chain: 32 zero bytes. */
    public static final byte[] GENESIS = new byte[32];

    /** The chain a message belongs to: its cluster, else its own per-topic chain (e.g. dead letters without key). */
    public static String chainOf(AuditedMessage message) {
        return message.clusterId() != null ? message.clusterId() : "~" + message.topic();
    }

    /** {@code topic/partition/offset}. */
    public static String reference(AuditedMessage message) {
        return message.topic() + "/" + message.partition() + "/" + message.offset();
    }

    /** SHA-256 over the canonical form (UTF-8) and then the predecessor's hash. */
    public byte[] hash() {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(canonicalForm().getBytes(StandardCharsets.UTF_8));
            sha256.update(prevHash);
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * Every stored field, in a fixed order, as one line of canonical JSON: text as is, times as RFC 3339 UTC,
     * JSON values in {@link CanonicalJson} form, raw bytes as base64.
     */
    public String canonicalForm() {
        AuditedMessage m = message;
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "seq", Long.toString(seq));
        field(out, "chain", text(chain));
        field(out, "chainSeq", Long.toString(chainSeq));
        field(out, "prevEvent", text(prevEvent));
        field(out, "topic", text(m.topic()));
        field(out, "partition", Integer.toString(m.partition()));
        field(out, "offset", Long.toString(m.offset()));
        field(out, "timestamp", time(m.timestamp()));
        field(out, "key", text(m.key()));
        field(out, "id", text(m.ceId()));
        field(out, "type", text(m.ceType()));
        field(out, "source", text(m.ceSource()));
        field(out, "subject", text(m.ceSubject()));
        field(out, "time", time(m.ceTime()));
        field(out, "rolloutId", text(m.rolloutId()));
        field(out, "clusterId", text(m.clusterId()));
        field(out, "nodeId", text(m.nodeId()));
        field(out, "actor", text(m.actor()));
        field(out, "causationId", text(m.causationId()));
        field(out, "receivedAt", time(receivedAt));
        field(out, "headers", CanonicalJson.of(m.headersJson()));
        String data = "null";
        String dataRaw = "null";
        if (m.payload() instanceof Payload.Json json) {
            data = CanonicalJson.of(json.text());
        } else if (m.payload() instanceof Payload.Raw raw) {
            dataRaw = text(Base64.getEncoder().encodeToString(raw.bytes()));
        }
        field(out, "data", data);
        field(out, "dataRaw", dataRaw);
        out.setLength(out.length() - 1);
        return out.append('}').toString();
    }

    public static String hex(byte[] hash) {
        return hash == null ? null : HexFormat.of().formatHex(hash);
    }

    private static void field(StringBuilder out, String name, String json) {
        out.append('"').append(name).append("\":").append(json).append(',');
    }

    private static String text(String value) {
        return value == null ? "null" : CanonicalJson.quote(value);
    }

    private static String time(Instant time) {
        return time == null ? "null" : '"' + time.toString() + '"';
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChainedRecord r && seq == r.seq && chain.equals(r.chain) && chainSeq == r.chainSeq
                && Arrays.equals(prevHash, r.prevHash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq) * 31 + chain.hashCode();
    }

    @Override
    public String toString() {
        return "ChainedRecord[" + chain + "#" + chainSeq + " " + reference(message) + "]";
    }
}
