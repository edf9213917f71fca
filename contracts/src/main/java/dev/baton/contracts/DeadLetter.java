package dev.baton.contracts;

import java.util.Map;

/**
 * A message that could not be handled, with its original bytes and why. Published on
 * {@link Topics#DEADLETTER} by any service; the consumer carries on.
 *
 * @param clusterId the original key, if it had one
 * @param payload the original value bytes (base64 in JSON)
 * @param headers the original headers, as text
 */
public record DeadLetter(
        String clusterId,
        String sourceTopic,
        int sourcePartition,
        long sourceOffset,
        Map<String, String> headers,
        byte[] payload,
        String reason,
        String service) implements BatonEvent {

    public DeadLetter {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
