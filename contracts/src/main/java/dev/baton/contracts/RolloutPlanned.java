package dev.baton.contracts;

import java.util.List;

/** The whole ordered plan of a rollout. A dry run stops here. */
public record RolloutPlanned(
        String rolloutId,
        String clusterId,
        String targetVersion,
        String orderingPolicy,
        int maxUnavailable,
        boolean dryRun,
        List<PlannedNode> nodes) implements RolloutEvent {

    public RolloutPlanned {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /** One node in plan order, with the address the ordering used and the steps it will get. */
    public record PlannedNode(
            String nodeName,
            String clusterAddress,
            String fromVersion,
            String action,
            List<String> steps) {

        public PlannedNode {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }
    }
}
