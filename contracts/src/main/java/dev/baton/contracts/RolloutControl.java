package dev.baton.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An operator's action on a running rollout, published on {@link Topics#REQUESTS}. */
public record RolloutControl(
        String rolloutId,
        String clusterId,
        Action action,
        String nodeName,
        String requestedBy) implements RequestEvent {

    /** What the operator asks for. {@code release} frees a node's unavailability budget by hand. */
    public enum Action {
        @JsonProperty("pause") PAUSE,
        @JsonProperty("resume") RESUME,
        @JsonProperty("abort") ABORT,
        @JsonProperty("release") RELEASE
    }
}
