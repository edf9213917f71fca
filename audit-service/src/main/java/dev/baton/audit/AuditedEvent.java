package dev.baton.audit;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;

/**
 * One stored message as the query API returns it.
 *
 * @param seq the recording order in this store; also the paging cursor
 * @param chain the hash chain the record belongs to (its cluster, or {@code ~topic})
 * @param chainSeq its position in that chain
 * @param hash SHA-256 (hex) of its canonical form and its predecessor's hash
 * @param timestamp the Kafka record timestamp
 * @param time the CloudEvents {@code time} the publisher gave it
 * @param nodeName the {@code nodeid} attribute
 * @param headers every Kafka header, as stored (JSON array)
 * @param data the JSON value, or null when the value was not JSON (then see {@code dataBase64})
 * @param dataBase64 the raw value, base64, when it was not JSON
 */
public record AuditedEvent(
        long seq,
        String chain,
        long chainSeq,
        String hash,
        String topic,
        int partition,
        long offset,
        Instant timestamp,
        String type,
        String id,
        String source,
        String subject,
        Instant time,
        String key,
        String clusterId,
        String rolloutId,
        String nodeName,
        String actor,
        String causationId,
        Instant receivedAt,
        @JsonRawValue String headers,
        @JsonRawValue String data,
        String dataBase64) {
}
