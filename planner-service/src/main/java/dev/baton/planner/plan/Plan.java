package dev.baton.planner.plan;

import dev.baton.contracts.ClusterRegistered;
import java.util.List;

/**
 * An accepted request's plan, immutable: every node of the cluster in the procedure's order with what happens to it,
 * the unavailability budget and whether it is a complete (offline) update. Built by {@link PlanBuilder}; the engine
 * drives a rollout from it.
 *
 * @param maxUnavailable nodes that may be out of service at once (every planned node for an offline update)
 */
public record Plan(boolean offline, int maxUnavailable, List<PlannedNode> nodes) {
    public Plan {
        nodes = List.copyOf(nodes);
    }

    /** What the plan does with a node. */
    public enum Disposition {
        /** Upgraded in plan order. */
        UPGRADE(null),
        /** Named in the request's {@code exclude}. */
        EXCLUDED("excluded"),
        /** Runs the target already and the request does not force a re-install. */
        ALREADY_ON_TARGET("already-on-target");

        private final String action;

        Disposition(String action) {
            this.action = action;
        }

        /** How RolloutPlanned names a node left out (its {@code action}), and its note; null for an upgrade. */
        public String action() {
            return action;
        }
    }

    /**
     * One node in plan order.
     *
     * @param orderingAddress the address the ordering used (null for inventory order)
     * @param fromVersion what health last saw it running when the plan was made
     */
    public record PlannedNode(ClusterRegistered.Node node, String orderingAddress, String fromVersion,
                              Disposition disposition) {
    }
}
