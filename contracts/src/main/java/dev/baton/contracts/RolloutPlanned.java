package dev.baton.contracts;

import java.time.Duration;
import java.util.List;

/**
 * The whole ordered plan of a rollout, explained: for each node why it is where it is, the commands it will get and
 * which node builds or pushes its artifact; the guards that will apply and the longest the rollout can take by the
 * procedure's time-outs. A dry run stops here.
 */
public record RolloutPlanned(
        String rolloutId,
        String clusterId,
        String targetVersion,
        String orderingPolicy,
        int maxUnavailable,
        boolean dryRun,
        List<PlannedNode> nodes,
        List<String> guards,
        Duration estimatedDuration) implements RolloutEvent {

    public RolloutPlanned {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        guards = guards == null ? List.of() : List.copyOf(guards);
    }

    /** A plan without its explanation (guards and estimate). */
    public RolloutPlanned(String rolloutId, String clusterId, String targetVersion, String orderingPolicy, int maxUnavailable,
                          boolean dryRun, List<PlannedNode> nodes) {
        this(rolloutId, clusterId, targetVersion, orderingPolicy, maxUnavailable, dryRun, nodes, null, null);
    }

    /** One node in plan order, with the address the ordering used, why it is there, and the steps it will get. */
    public record PlannedNode(
            String nodeName,
            String clusterAddress,
            String fromVersion,
            String action,
            List<String> steps,
            String reason,
            List<PlannedStep> plannedSteps) {

        public PlannedNode {
            steps = steps == null ? List.of() : List.copyOf(steps);
            plannedSteps = plannedSteps == null ? List.of() : List.copyOf(plannedSteps);
        }

        /** A node without its explanation. */
        public PlannedNode(String nodeName, String clusterAddress, String fromVersion, String action, List<String> steps) {
            this(nodeName, clusterAddress, fromVersion, action, steps, null, null);
        }
    }

    /**
     * One command the node will get, rendered as it will be sent.
     *
     * @param command the command line (null for an artifact push, which the executor does itself)
     * @param artifact the artifact the step builds or pushes, and from which node, e.g. {@code build x86_64/rhel-9/5.21.0}
     */
    public record PlannedStep(String name, String command, Duration timeout, boolean disruptive, String artifact) {
    }
}
