package dev.baton.procedure;

import java.time.Duration;

/**
 * The parts of a procedure beyond its steps that the planner enforces: artifact reuse, the remedy
 * ladder, guards, the mixed-version deadline and the out-of-order remedy. Each is optional.
 */
public final class ProcedureRules {
    private ProcedureRules() {
    }

    /**
     * Build once per (arch, OS, version), reuse on the other nodes of the group (Dolphin: "use the binary RPM
     * packages built on the first Cluster Node ... on all other Cluster Nodes (if they have the same CPU
     * architecture and Linux version)").
     *
     * @param step the step that builds (on the first node of a group); later nodes get the artifact pushed instead
     * @param path where the built files are on the node, relative to the login directory
     */
    public record Artifact(String step, String path) {
    }

    /**
     * The remedy ladder for a node that does not become active in time: reboot it once, then halt.
     *
     * @param rebootOnce whether the planner reboots the node once before halting
     * @param rebootTimeout how long the reboot may take
     */
    public record Remedy(boolean rebootOnce, Duration rebootTimeout) {
        public static final Remedy NONE = new Remedy(false, Duration.ofMinutes(10));
    }

    /**
     * Guards that hold a rollout back.
     *
     * @param lastOldNode Matrix: never take down the last active old-version node while another old-version node is
     *     inactive ("as long as the matrix includes at least one active server running the old release, other
     *     servers running that version will be able to join")
     */
    public record Guards(boolean lastOldNode) {
        public static final Guards NONE = new Guards(false);
    }

    /**
     * Matrix: "on-going operation of a mixed-version cluster is not supported". Past {@code alertAfter} the planner
     * publishes a GuardBlocked alert; past {@code haltAfter} it halts the rollout.
     */
    public record MixedVersionDeadline(Duration alertAfter, Duration haltAfter) {
    }

    /**
     * Matrix: "stop Matrix Server on the node that was upgraded out of order. Continue upgrading the other nodes
     * before starting Matrix Server on that node."
     */
    public record OutOfOrderRemedy(String stop, String start) {
    }
}
