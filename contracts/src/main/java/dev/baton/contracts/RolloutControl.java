package dev.baton.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An operator's action on a running rollout, published on {@link Topics#REQUESTS}. */
public record RolloutControl(
        String rolloutId,
        String clusterId,
        Action action,
        String nodeName,
        String requestedBy,
        Boolean fromStart) implements RequestEvent {

    /** An action without {@code fromStart}. */
    public RolloutControl(String rolloutId, String clusterId, Action action, String nodeName, String requestedBy) {
        this(rolloutId, clusterId, action, nodeName, requestedBy, null);
    }

    /**
     * What the operator asks for. {@code release} frees a node's unavailability budget by hand; {@code retry} runs a
     * failed node again as a new attempt (from the step it failed in, or from its first step with {@code fromStart});
     * {@code skip} leaves a node out, so the rollout can complete without it (listing it).
     */
    public enum Action {
        @JsonProperty("pause") PAUSE,
        @JsonProperty("resume") RESUME,
        @JsonProperty("abort") ABORT,
        @JsonProperty("release") RELEASE,
        @JsonProperty("retry") RETRY,
        @JsonProperty("skip") SKIP;

        /** Whether the action concerns one node (nodeName required). */
        public boolean perNode() {
            return this == RELEASE || this == RETRY || this == SKIP;
        }
    }
}
