package dev.baton.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns events into Kafka records in CloudEvents binary mode and back: JSON data as the value,
 * attributes as {@code ce_*} headers. The only place that knows the wire layout.
 */
public final class EventCodec {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_TYPE = "ce_type";
    public static final String H_SOURCE = "ce_source";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    public static final String H_CLUSTERID = "ce_clusterid";
    public static final String H_ROLLOUTID = "ce_rolloutid";
    public static final String H_NODEID = "ce_nodeid";
    public static final String H_ACTOR = "ce_actor";
    public static final String H_CAUSATIONID = "ce_causationid";
    public static final String H_CONTENT_TYPE = "content-type";

    private EventCodec() {
    }

    /** The JSON data of an event. */
    public static byte[] toJson(BatonEvent event) {
        try {
            return BatonJson.mapper().writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code ce_*} headers for an envelope. */
    public static Headers toHeaders(EventEnvelope envelope) {
        RecordHeaders headers = new RecordHeaders();
        put(headers, H_SPECVERSION, SPEC_VERSION);
        put(headers, H_ID, envelope.id());
        put(headers, H_TYPE, envelope.type());
        put(headers, H_SOURCE, envelope.source());
        put(headers, H_SUBJECT, envelope.subject());
        put(headers, H_TIME, envelope.time() == null ? null : envelope.time().toString());
        put(headers, H_CLUSTERID, envelope.clusterId());
        put(headers, H_ROLLOUTID, envelope.rolloutId());
        put(headers, H_NODEID, envelope.nodeId());
        put(headers, H_ACTOR, envelope.actor());
        put(headers, H_CAUSATIONID, envelope.causationId());
        put(headers, H_CONTENT_TYPE, CONTENT_TYPE);
        return headers;
    }

    private static void put(Headers headers, String key, String value) {
        if (value != null) {
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The envelope carried by a record's headers; fails if the required attributes are missing. */
    public static EventEnvelope envelope(Headers headers) throws MalformedEventException {
        String type = header(headers, H_TYPE);
        String id = header(headers, H_ID);
        if (type == null) {
            throw new MalformedEventException("missing CloudEvents header ce_type");
        }
        if (id == null) {
            throw new MalformedEventException("missing CloudEvents header ce_id");
        }
        Instant time = null;
        String rawTime = header(headers, H_TIME);
        if (rawTime != null) {
            try {
                time = Instant.parse(rawTime);
            } catch (DateTimeParseException e) {
                throw new MalformedEventException("ce_time is not an RFC 3339 time: " + rawTime, e);
            }
        }
        return new EventEnvelope(id, type, header(headers, H_SOURCE), header(headers, H_SUBJECT), time,
                header(headers, H_CLUSTERID), header(headers, H_ROLLOUTID), header(headers, H_NODEID),
                header(headers, H_ACTOR), header(headers, H_CAUSATIONID));
    }

    /** The last value of a header as UTF-8 text, or null. */
    public static String header(Headers headers, String key) {
        if (headers == null) {
            return null;
        }
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** All headers as text, for dead letters and the audit store. */
    public static Map<String, String> headersAsText(Headers headers) {
        Map<String, String> text = new LinkedHashMap<>();
        if (headers != null) {
            for (Header header : headers) {
                text.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return text;
    }

    /** Decodes the data of a message whose {@code ce_type} is {@code type}. */
    public static BatonEvent decode(String type, byte[] data) throws MalformedEventException {
        Class<? extends BatonEvent> eventClass = EventTypes.classOf(type)
                .orElseThrow(() -> new MalformedEventException("unknown event type '" + type + "'"));
        return decode(eventClass, data);
    }

    /** Decodes the data as the given event class. */
    public static <T extends BatonEvent> T decode(Class<T> eventClass, byte[] data) throws MalformedEventException {
        if (data == null || data.length == 0) {
            throw new MalformedEventException("empty message body for " + eventClass.getSimpleName());
        }
        try {
            T event = BatonJson.mapper().readValue(data, eventClass);
            // a dead letter keeps the original key, which may be absent; rejecting it would dead-letter it again, forever
            if (!(event instanceof DeadLetter) && (event.clusterId() == null || event.clusterId().isBlank())) {
                throw new MalformedEventException(eventClass.getSimpleName() + " has no clusterId");
            }
            return event;
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("body is not a valid " + eventClass.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("body could not be read: " + e.getMessage(), e);
        }
    }

    /** Decodes a whole record: envelope from headers, event from the value. */
    public static Decoded decode(Headers headers, byte[] value) throws MalformedEventException {
        EventEnvelope envelope = envelope(headers);
        return new Decoded(envelope, decode(envelope.type(), value));
    }

    /** A decoded message. */
    public record Decoded(EventEnvelope envelope, BatonEvent event) {
    }
}
