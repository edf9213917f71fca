package dev.baton.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * One step for one node, rendered by the planner so executors need no product knowledge.
 * Published on {@link Topics#COMMANDS}.
 *
 * @param commandId unique per step and attempt; a redelivered command carries the same id
 * @param target the node's SSH endpoint
 * @param disruptive whether the step takes the node out of service
 * @param epoch fencing epoch of the planner instance that owns the cluster
 * @param executorPool the pool of executors that can reach the node (null = the executors configured without a pool)
 * @param artifact for build-artifact and push-artifact: which artifact and where it lives on the node
 * @param expectedVersion unused: left from the verify-version kind, which nothing emitted and which was removed (the
 *                        health gate checks the running version); kept so the record's shape stays as other modules
 *                        build it. Remove with v2
 * @param versionPattern unused, like {@code expectedVersion}
 * @param startBy the moment after which no executor may start the command (invariant 7): the planner gives up on a
 *                result at {@code startBy + timeout +} a grace, so a command that could still start after that is
 *                refused instead ({@code COMMAND_EXPIRED}, nothing run). Null (a planner before this field) = no limit
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
        long epoch,
        String executorPool,
        Artifact artifact,
        String expectedVersion,
        String versionPattern,
        Instant startBy) implements CommandEvent {

    /** A command without pool, artifact or version check. */
    public NodeCommand(String commandId, String rolloutId, String clusterId, String nodeName, String step, Kind kind,
            String command, SshTarget target, Duration timeout, boolean disruptive, int attempt, long epoch) {
        this(commandId, rolloutId, clusterId, nodeName, step, kind, command, target, timeout, disruptive, attempt,
                epoch, null, null, null, null, null);
    }

    /** Whether the command may no longer start at {@code now}: its {@link #startBy} has passed. */
    public boolean expiredAt(Instant now) {
        return startBy != null && now.isAfter(startBy);
    }

    /** The same command with another {@link #startBy}. */
    public NodeCommand withStartBy(Instant newStartBy) {
        return new NodeCommand(commandId, rolloutId, clusterId, nodeName, step, kind, command, target, timeout, disruptive,
                attempt, epoch, executorPool, artifact, expectedVersion, versionPattern, newStartBy);
    }

    /**
     * Build packages once per (arch, OS, version) and reuse them on the other nodes of that group.
     *
     * @param key identifies the artifact, e.g. {@code x86_64/rhel8/5.21.0}
     * @param path where the artifact's files are on the node (a directory or a glob)
     */
    public record Artifact(String key, String path) {
    }

    /** What the executor does with the command. */
    public enum Kind {
        @JsonProperty("run") RUN,
        @JsonProperty("reboot") REBOOT,
        @JsonProperty("build-artifact") BUILD_ARTIFACT,
        @JsonProperty("push-artifact") PUSH_ARTIFACT
    }
}
