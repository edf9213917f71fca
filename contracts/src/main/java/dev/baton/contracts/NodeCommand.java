package dev.baton.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * One step for one node, rendered by the planner so executors need no product knowledge.
 * Published on {@link Topics#COMMANDS}.
 *
 * @param commandId unique per step and attempt; a redelivered command carries the same id
 * @param target the node's SSH endpoint
 * @param disruptive whether the step takes the node out of service
 * @param epoch fencing epoch of the planner instance that owns the cluster
 */
public record NodeCommand(
        String commandId,
        String rolloutId,
        String clusterId,
        String nodeName,
        String step,
        Kind kind,
        String command,
        SshTarget target,
        Duration timeout,
        boolean disruptive,
        int attempt,
        long epoch) implements CommandEvent {

    /** What the executor does with the command. */
    public enum Kind {
        @JsonProperty("run") RUN,
        @JsonProperty("reboot") REBOOT,
        @JsonProperty("build-artifact") BUILD_ARTIFACT,
        @JsonProperty("push-artifact") PUSH_ARTIFACT,
        @JsonProperty("verify-version") VERIFY_VERSION
    }
}
