package dev.baton.audit;

import static dev.baton.contracts.EventCodec.H_ACTOR;
import static dev.baton.contracts.EventCodec.H_CAUSATIONID;
import static dev.baton.contracts.EventCodec.H_CLUSTERID;
import static dev.baton.contracts.EventCodec.H_ID;
import static dev.baton.contracts.EventCodec.H_NODEID;
import static dev.baton.contracts.EventCodec.H_ROLLOUTID;
import static dev.baton.contracts.EventCodec.H_SOURCE;
import static dev.baton.contracts.EventCodec.H_SUBJECT;
import static dev.baton.contracts.EventCodec.H_TIME;
import static dev.baton.contracts.EventCodec.H_TYPE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventCodec;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.RecordBatch;

/**
 * One consumed record of a {@code baton.*} topic as the audit store keeps it: Kafka coordinates, the
 * CloudEvents attributes read from its {@code ce_*} headers (whatever is there; nothing is required),
 * every header, and the value. Built for any record, valid Baton event or not.
 *
 * @param timestamp the Kafka record timestamp, null if the record has none
 * @param clusterId {@code ce_clusterid}, or the record key when that header is missing (Baton keys by cluster)
 * @param ceType {@code ce_type}; this and the other indexed columns (rolloutId, clusterId) are cut to
 *               {@value #MAX_INDEXED_LENGTH} characters so a giant value cannot break the insert (the full
 *               text stays in {@code headersJson})
 * @param ceTime {@code ce_time} if it parses as an RFC 3339 time (the text is kept in {@code headersJson} anyway)
 * @param headersJson every header in order, as a JSON array of {@code {"key","value"}} or {@code {"key","base64"}}
 */
public record AuditedMessage(
        String topic,
        int partition,
        long offset,
        Instant timestamp,
        String key,
        String ceId,
        String ceType,
        String ceSource,
        String ceSubject,
        Instant ceTime,
        String rolloutId,
        String clusterId,
        String nodeId,
        String actor,
        String causationId,
        String headersJson,
        Payload payload) {

    /** Longest value kept in an indexed column; a btree entry must stay under about 2.7 kB. */
    public static final int MAX_INDEXED_LENGTH = 512;

    /** Reads a consumed record; never fails on what the record contains. */
    public static AuditedMessage of(ConsumerRecord<String, byte[]> record) {
        Headers headers = record.headers();
        String key = text(record.key());
        String clusterId = header(headers, H_CLUSTERID);
        return new AuditedMessage(
                record.topic(),
                record.partition(),
                record.offset(),
                record.timestamp() == RecordBatch.NO_TIMESTAMP ? null : Instant.ofEpochMilli(record.timestamp()),
                key,
                header(headers, H_ID),
                indexed(header(headers, H_TYPE)),
                header(headers, H_SOURCE),
                header(headers, H_SUBJECT),
                time(header(headers, H_TIME)),
                indexed(header(headers, H_ROLLOUTID)),
                indexed(clusterId != null ? clusterId : key),
                header(headers, H_NODEID),
                header(headers, H_ACTOR),
                header(headers, H_CAUSATIONID),
                headersJson(headers),
                Payload.of(record.value()));
    }

    /** The same message with its value kept as raw bytes. */
    public AuditedMessage withRawPayload() {
        return new AuditedMessage(topic, partition, offset, timestamp, key, ceId, ceType, ceSource, ceSubject, ceTime,
                rolloutId, clusterId, nodeId, actor, causationId, headersJson, payload.asRaw());
    }

    /** Where the record came from, for log lines. */
    public String coordinates() {
        return topic + "[" + partition + "]@" + offset;
    }

    private static String header(Headers headers, String name) {
        return text(EventCodec.header(headers, name));
    }

    /** PostgreSQL text cannot hold NUL; it becomes U+FFFD here (the exact bytes stay in the headers column). */
    static String text(String value) {
        return value == null ? null : value.replace('\u0000', '\uFFFD');
    }

    static String indexed(String value) {
        String text = text(value);
        if (text == null || text.length() <= MAX_INDEXED_LENGTH) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_INDEXED_LENGTH - 1)) ? MAX_INDEXED_LENGTH - 1 : MAX_INDEXED_LENGTH;
        return text.substring(0, end);
    }

    private static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value).truncatedTo(ChronoUnit.MICROS); // PostgreSQL keeps microseconds
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String headersJson(Headers headers) {
        ArrayNode array = BatonJson.mapper().createArrayNode();
        if (headers != null) {
            for (Header header : headers) {
                ObjectNode entry = array.addObject().put("key", text(header.key()));
                String value = cleanText(header.value());
                if (header.value() == null) {
                    entry.putNull("value");
                } else if (value != null) {
                    entry.put("value", value);
                } else {
                    entry.put("base64", Base64.getEncoder().encodeToString(header.value()));
                }
            }
        }
        try {
            return BatonJson.mapper().writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes as text if they are valid UTF-8 without NUL, else null. */
    private static String cleanText(byte[] bytes) {
        String text = bytes == null ? null : StrictUtf8.decode(bytes);
        return text == null || text.indexOf('\u0000') >= 0 ? null : text;
    }
}
