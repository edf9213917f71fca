package dev.baton.planner.plan;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.procedure.Procedure;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link Plan} of a request that passed {@link Preflight}: the nodes in the procedure's order
 * ({@link NodeOrdering}), excluded ones and those already on the target (unless force) left out, and the budget.
 * Pure function.
 */
public final class PlanBuilder {
    private PlanBuilder() {
    }

    public static Plan build(ClusterRegistered cluster, Procedure procedure, UpgradeRequested request, NodeHealth health,
                             boolean offline) {
        List<Plan.PlannedNode> nodes = new ArrayList<>();
        for (NodeOrdering.Ordered ordered : NodeOrdering.order(cluster, procedure, health.membership())) {
            String name = ordered.node().name();
            String from = health.version(name).orElse(null);
            Plan.Disposition disposition = Plan.Disposition.UPGRADE;
            if (request.exclude().contains(name)) {
                disposition = Plan.Disposition.EXCLUDED;
            } else if (request.targetVersion().equals(from) && !request.force()) {
                disposition = Plan.Disposition.ALREADY_ON_TARGET;
            }
            nodes.add(new Plan.PlannedNode(ordered.node(), ordered.orderingAddress(), from, disposition));
        }
        int planned = (int) nodes.stream().filter(n -> n.disposition() == Plan.Disposition.UPGRADE).count();
        return new Plan(offline, budget(request, planned, offline), nodes);
    }

    /** Nodes that may be out of service at once: maxUnavailable, else the percentage of planned nodes, else 1. */
    static int budget(UpgradeRequested request, int planned, boolean offline) {
        if (offline) {
            return Math.max(1, planned); // a complete update takes every planned node down together
        }
        if (request.maxUnavailable() != null) {
            return request.maxUnavailable();
        }
        if (request.maxUnavailablePercent() != null) {
            return Math.max(1, planned * request.maxUnavailablePercent() / 100);
        }
        return 1;
    }
}
