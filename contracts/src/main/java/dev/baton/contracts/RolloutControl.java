package dev.baton.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An operator's action on a rollout (an open one; for a rollback a finished one), published on {@link Topics#REQUESTS}. */
public record RolloutControl(
        String rolloutId,
        String clusterId,
        Action action,
        String nodeName,
        String requestedBy,
        Boolean fromStart,
        Boolean dryRun,
        String requestId) implements RequestEvent {

    /** An action without {@code fromStart}. */
    public RolloutControl(String rolloutId, String clusterId, Action action, String nodeName, String requestedBy) {
        this(rolloutId, clusterId, action, nodeName, requestedBy, null);
    }

    /** An action other than a rollback (no {@code dryRun}, no {@code requestId}). */
    public RolloutControl(String rolloutId, String clusterId, Action action, String nodeName, String requestedBy,
            Boolean fromStart) {
        this(rolloutId, clusterId, action, nodeName, requestedBy, fromStart, null, null);
    }

    /**
     * A rollback of {@code rolloutId}: a new rollout, a dry run with {@code dryRun}, whose request id is
     * {@code requestId} (null: the planner derives one from the rollout id).
     */
    public static RolloutControl rollback(String rolloutId, String clusterId, String requestedBy, boolean dryRun,
            String requestId) {
        return new RolloutControl(rolloutId, clusterId, Action.ROLLBACK, null, requestedBy, null, dryRun ? Boolean.TRUE
                : null, requestId);
    }

    /**
     * What the operator asks for. {@code release} frees a node's unavailability budget by hand; {@code retry} runs a
     * failed node again as a new attempt (from the step it failed in, or from its first step with {@code fromStart});
     * {@code skip} leaves a node out, so the rollout can complete without it (listing it); {@code rollback} starts a
     * new rollout that takes the nodes a finished rollout upgraded back to the versions they came from.
     */
    public enum Action {
        @JsonProperty("pause") PAUSE,
        @JsonProperty("resume") RESUME,
        @JsonProperty("abort") ABORT,
        @JsonProperty("release") RELEASE,
        @JsonProperty("retry") RETRY,
        @JsonProperty("skip") SKIP,
        @JsonProperty("rollback") ROLLBACK;

        /** Whether the action concerns one node (nodeName required). */
        public boolean perNode() {
            return this == RELEASE || this == RETRY || this == SKIP;
        }
    }
}
