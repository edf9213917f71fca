package dev.baton.contracts;

import java.util.List;

/** Every node of the plan is done, or was skipped by an operator ({@code skipped}). */
public record RolloutCompleted(
        String rolloutId,
        String clusterId,
        String nodeName,
        String code,
        String message,
        List<String> skipped) implements RolloutEvent {

    public RolloutCompleted {
        skipped = skipped == null || skipped.isEmpty() ? null : List.copyOf(skipped);
    }

    /** A completion with no node skipped by an operator. */
    public RolloutCompleted(String rolloutId, String clusterId, String nodeName, String code, String message) {
        this(rolloutId, clusterId, nodeName, code, message, null);
    }
}
