package dev.baton.contracts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * The largest event value Baton reads, in bytes (512 KiB: a registration of about 2,000 nodes). Larger values are
     * refused, so one giant record cannot exhaust a service's memory; Kafka's own default limit is 1 MiB.
     */
    public static final int MAX_EVENT_BYTES = 512 * 1024;

    /** The longest {@code ce_*} attribute Baton reads, in characters. */
    public static final int MAX_ATTRIBUTE_LENGTH = 1024;

    /** Strict reading: one JSON value and nothing after it, no key twice in an object. */
    private static final ObjectReader STRICT = BatonJson.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

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

    /**
     * The envelope carried by a record's headers; fails if a required attribute ({@code ce_specversion} 1.0,
     * {@code ce_id}, {@code ce_type}) is missing or any attribute is malformed.
     */
    public static EventEnvelope envelope(Headers headers) throws MalformedEventException {
        String type = attribute(headers, H_TYPE);
        String id = attribute(headers, H_ID);
        String specVersion = attribute(headers, H_SPECVERSION);
        if (type == null) {
            throw new MalformedEventException("missing CloudEvents header ce_type");
        }
        if (id == null) {
            throw new MalformedEventException("missing CloudEvents header ce_id");
        }
        if (specVersion == null) {
            throw new MalformedEventException("missing CloudEvents header ce_specversion (must be " + SPEC_VERSION + ")");
        }
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new MalformedEventException("ce_specversion is '" + specVersion + "'; Baton reads CloudEvents "
                    + SPEC_VERSION);
        }
        Instant time = null;
        String rawTime = attribute(headers, H_TIME);
        if (rawTime != null) {
            try {
                time = Instant.parse(rawTime);
            } catch (DateTimeParseException e) {
                throw new MalformedEventException("ce_time is not an RFC 3339 time: " + rawTime, e);
            }
        }
        return new EventEnvelope(id, type, attribute(headers, H_SOURCE), attribute(headers, H_SUBJECT), time,
                attribute(headers, H_CLUSTERID), attribute(headers, H_ROLLOUTID), attribute(headers, H_NODEID),
                attribute(headers, H_ACTOR), attribute(headers, H_CAUSATIONID));
    }

    /** A CloudEvents attribute: absent, or non-blank text of at most {@value #MAX_ATTRIBUTE_LENGTH} characters. */
    private static String attribute(Headers headers, String key) throws MalformedEventException {
        String value = header(headers, key);
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw new MalformedEventException("CloudEvents header " + key + " is empty");
        }
        if (value.length() > MAX_ATTRIBUTE_LENGTH) {
            throw new MalformedEventException("CloudEvents header " + key + " has " + value.length()
                    + " characters; at most " + MAX_ATTRIBUTE_LENGTH + " are accepted");
        }
        return value;
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

    /**
     * Decodes the data as the given event class: at most {@value #MAX_EVENT_BYTES} bytes of UTF-8 JSON holding one
     * object that the event's published JSON Schema accepts ({@link EventSchemas}).
     */
    public static <T extends BatonEvent> T decode(Class<T> eventClass, byte[] data) throws MalformedEventException {
        String what = eventClass.getSimpleName();
        if (data == null || data.length == 0) {
            throw new MalformedEventException("empty message body for " + what);
        }
        if (data.length > MAX_EVENT_BYTES) {
            throw new MalformedEventException("body of " + data.length + " bytes is larger than the " + MAX_EVENT_BYTES
                    + " bytes Baton accepts for " + what);
        }
        JsonNode json;
        try {
            json = STRICT.readTree(data);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("body is not a valid " + what + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("body could not be read: " + e.getMessage(), e);
        }
        if (json == null || json.isMissingNode()) {
            throw new MalformedEventException("empty message body for " + what);
        }
        if (!json.isObject()) {
            throw new MalformedEventException("body is a JSON " + json.getNodeType().name().toLowerCase()
                    + ", not a " + what + " object");
        }
        List<String> violations = EventSchemas.violations(eventClass, json);
        if (!violations.isEmpty()) {
            throw new MalformedEventException("body is not a valid " + what + " (schema " + what + ".v1): "
                    + String.join("; ", violations.subList(0, Math.min(5, violations.size())))
                    + (violations.size() > 5 ? "; and " + (violations.size() - 5) + " more" : ""));
        }
        try {
            T event = BatonJson.mapper().treeToValue(json, eventClass);
            // a dead letter keeps the original key, which may be absent; rejecting it would dead-letter it again, forever
            if (!(event instanceof DeadLetter) && (event.clusterId() == null || event.clusterId().isBlank())) {
                throw new MalformedEventException(what + " has no clusterId");
            }
            return event;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedEventException("body is not a valid " + what + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    /**
     * Decodes a whole record: envelope from headers, event from the value. The event must be of the type
     * {@code ce_type} names, and a {@code ce_clusterid} header, if present, must name the event's cluster.
     */
    public static Decoded decode(Headers headers, byte[] value) throws MalformedEventException {
        EventEnvelope envelope = envelope(headers);
        BatonEvent event = decode(envelope.type(), value);
        if (envelope.clusterId() != null && !(event instanceof DeadLetter)
                && !envelope.clusterId().equals(event.clusterId())) {
            throw new MalformedEventException("ce_clusterid '" + envelope.clusterId()
                    + "' is not the event's clusterId '" + event.clusterId() + "'");
        }
        return new Decoded(envelope, event);
    }

    /** A decoded message. */
    public record Decoded(EventEnvelope envelope, BatonEvent event) {
    }
}
