package dev.baton.planner.rollout;

import dev.baton.contracts.OutOfOrderDetected;
import dev.baton.procedure.ProcedureRules;
import java.util.List;

/**
 * Matrix: a node on the target below an old-version node in the order was upgraded out of order. The remedy: stop it
 * now, upgrade the others in order, start it last ({@link Pacing}, {@link NodeDriver}). The stopped node does not
 * count against the budget: it was already keeping the old servers out of the matrix, and stopping it is what lets
 * them back in. Checked when the plan is made and on every health observation.
 */
final class OutOfOrder {
    private OutOfOrder() {
    }

    static void detect(Rollout rollout, ClusterPicture picture, Cause cause, List<Emission> out) {
        ProcedureRules.OutOfOrderRemedy remedy = rollout.procedure.outOfOrder();
        if (remedy == null || rollout.offline) {
            return;
        }
        String oldAbove = null;
        for (NodeProgress node : rollout.nodes) {
            if (rollout.request.exclude().contains(node.name())) {
                continue;
            }
            String version = picture.version(node.name()).orElse(null);
            boolean onTarget = rollout.target().equals(version);
            boolean untouched = node.phase() == NodePhase.PENDING || node.phase() == NodePhase.SKIPPED_ON_TARGET;
            if (onTarget && untouched && oldAbove != null) {
                node.moveTo(NodePhase.DEFERRED);
                node.note = "out of order: runs " + version + " below " + oldAbove + " (old version); stopped until the"
                        + " others are done";
                out.add(Emission.of(new OutOfOrderDetected(rollout.id, rollout.clusterId(), node.name(), "OUT_OF_ORDER",
                        node.name() + " runs " + version + " although " + oldAbove + ", higher in the order, runs an older"
                                + " version: stopping it, upgrading the others, starting it last"),
                        cause.as(rollout.actor)));
            } else if (!onTarget && node.state() != NodeState.DONE) {
                oldAbove = oldAbove == null ? node.name() : oldAbove;
            }
        }
    }
}
