package dev.baton.contracts;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A message that could not be handled, with its original bytes and why. Published on
 * {@link Topics#DEADLETTER} by any service; the consumer carries on.
 *
 * @param clusterId the original key, if it had one
 * @param payload the original value bytes (base64 in JSON), the first {@value #MAX_PAYLOAD_BYTES} bytes of a larger one
 * @param headers the original headers, as text
 * @param service the CloudEvents source of the service that refused it
 * @param payloadSize how many bytes the original value had (more than {@code payload} holds when it was cut)
 */
public record DeadLetter(
        String clusterId,
        String sourceTopic,
        int sourcePartition,
        long sourceOffset,
        Map<String, String> headers,
        byte[] payload,
        String reason,
        String service,
        Integer payloadSize) implements BatonEvent {

    /** The most value bytes a dead letter keeps: with the headers it always fits in one Kafka record. */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;
    /** The longest key and header value a dead letter keeps, in characters. */
    public static final int MAX_TEXT_LENGTH = 1024;
    /** The most headers a dead letter keeps. */
    public static final int MAX_HEADERS = 100;

    public DeadLetter {
        // header values may be null (a Kafka header without a value); Map.copyOf would refuse them
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /**
     * The dead letter of a consumed record, cut to sizes that always fit in one Kafka record: the value to
     * {@value #MAX_PAYLOAD_BYTES} bytes, the key and each header value to {@value #MAX_TEXT_LENGTH} characters, at most
     * {@value #MAX_HEADERS} headers. The reason says when something was cut.
     */
    public static DeadLetter of(String key, String topic, int partition, long offset, Headers headers, byte[] value,
                                String reason, String service) {
        StringBuilder cuts = new StringBuilder();
        Map<String, String> text = new LinkedHashMap<>();
        if (headers != null) {
            for (Header header : headers) {
                if (text.size() == MAX_HEADERS && !text.containsKey(header.key())) {
                    cuts.append("; headers after the first ").append(MAX_HEADERS).append(" not kept");
                    break;
                }
                String headerValue = header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
                text.put(cut(header.key()), cut(headerValue));
            }
        }
        if (headers != null && text.values().stream().anyMatch(v -> v != null && v.length() == MAX_TEXT_LENGTH)) {
            cuts.append("; long header values cut to ").append(MAX_TEXT_LENGTH).append(" characters");
        }
        String keptKey = cut(key);
        if (key != null && key.length() > MAX_TEXT_LENGTH) {
            cuts.append("; key of ").append(key.length()).append(" characters cut to ").append(MAX_TEXT_LENGTH);
        }
        byte[] kept = value;
        if (value != null && value.length > MAX_PAYLOAD_BYTES) {
            kept = Arrays.copyOf(value, MAX_PAYLOAD_BYTES);
            cuts.append("; payload cut to its first ").append(MAX_PAYLOAD_BYTES).append(" bytes");
        }
        return new DeadLetter(keptKey == null || keptKey.isEmpty() ? null : keptKey, topic, partition, offset, text, kept,
                reason + cuts, service, value == null ? null : value.length);
    }

    private static String cut(String text) {
        if (text == null || text.length() <= MAX_TEXT_LENGTH) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_TEXT_LENGTH - 1)) ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH;
        return text.substring(0, end);
    }
}
