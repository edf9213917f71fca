package dev.baton.planner.plan;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.Versions;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Step 1 of a rollout once the request itself is valid ({@link UpgradeRequestRules}): every node not excluded must be
 * active (waiting for it until the preflight deadline), none may run a newer version than the target (unless force),
 * not all may run it already (unless force), and the procedure's compatibility table must allow rolling from each
 * node's version, else a complete (offline) update when the request allows it; a target the table has no row for is
 * refused unless the request allows unknown compatibility (the gate fails closed). A forced downgrade is rolling only
 * where the newer version's row allows rolling from the target, else complete (offline) too. Old-version nodes that left the
 * membership because the cluster is out of order do not have to be active: the out-of-order remedy brings them back
 * ({@link #leftBecauseOutOfOrder}). Pure function of the request, the
 * health picture and the time.
 */
public final class Preflight {
    private Preflight() {
    }

    /** What preflight decided. */
    public sealed interface Verdict {
    }

    /** Not decided yet: a node is not active and the deadline has not passed. */
    public record Wait(String waitingFor) implements Verdict {
    }

    /** Refused: the rejection and its message's arguments. */
    public record Reject(Rejection rejection, List<Object> args) implements Verdict {
        public String message() {
            return rejection.message(args.toArray());
        }
    }

    /** Passed: plan it, rolling or (offline) complete. */
    public record Pass(boolean offline) implements Verdict {
    }

    public static Verdict check(UpgradeRequested request, ClusterRegistered cluster, Procedure procedure,
                                NodeHealth health, Instant now, Instant deadline) {
        String target = request.targetVersion();
        boolean offline = false;
        boolean anyBelowTarget = false;
        Set<String> leftBecauseOutOfOrder = leftBecauseOutOfOrder(request, cluster, procedure, health);
        for (ClusterRegistered.Node node : cluster.nodes()) {
            if (request.exclude().contains(node.name())) {
                continue;
            }
            if (!health.isActiveNow(node.name()) && !leftBecauseOutOfOrder.contains(node.name())) {
                String why = health.isActive(node.name()).isEmpty() ? "health has not reported it yet"
                        : "inactive: " + health.inactiveReason(node.name());
                if (now.isBefore(deadline)) {
                    return new Wait("preflight: node " + node.name() + " to be active (" + why + ")");
                }
                return new Reject(Rejection.PREFLIGHT_NODE_NOT_ACTIVE, List.of(node.name(), why));
            }
            String running = health.version(node.name()).orElse(null);
            if (running == null || !Versions.isValid(running)) {
                anyBelowTarget = true;
                continue;
            }
            int cmp = Versions.compare(running, target);
            if (cmp > 0 && !request.force()) {
                return new Reject(Rejection.NOT_NEWER, List.of(node.name(), running, target));
            }
            if (cmp > 0 && !procedure.allowsRolling(target, running)) {
                // a forced downgrade mixes the two versions as an upgrade between them would: the newer one's row
                // says whether they may run side by side (a rollback of a complete update is complete too)
                if (!request.allowOffline()) {
                    return new Reject(Rejection.ROLLING_NOT_SUPPORTED, List.of(running, target, node.name()));
                }
                offline = true;
            }
            anyBelowTarget |= cmp < 0;
            if (cmp < 0 && !procedure.knowsCompatibilityOf(target) && !request.allowUnknownCompatibility()) {
                // fails closed: a table that does not speak of the target does not allow upgrading to it (a forced
                // re-install or downgrade is not an upgrade the release notes of the target could speak of)
                return new Reject(Rejection.COMPATIBILITY_UNKNOWN, List.of(target, node.name(), running));
            }
            if (cmp < 0 && !procedure.allowsRolling(running, target)) {
                if (!request.allowOffline()) {
                    return new Reject(Rejection.ROLLING_NOT_SUPPORTED, List.of(running, target, node.name()));
                }
                offline = true;
            }
        }
        if (!anyBelowTarget && !request.force()) {
            return new Reject(Rejection.ALREADY_ON_TARGET, List.of(cluster.clusterId(), target));
        }
        return new Pass(offline);
    }

    /** How health names a node that runs but is out of the cluster's membership. */
    static final String LEFT_MEMBERSHIP = "left-membership";

    /**
     * Matrix: the old-version nodes that left the membership because a node below them in the procedure's order was
     * upgraded out of order. That is the symptom the procedure's out-of-order remedy cures (stop the out-of-order node,
     * and they rejoin), so preflight lets them be inactive for that reason; any other inactive node still waits or is
     * refused. Empty when the procedure has no out-of-order remedy or the cluster is not out of order.
     */
    static Set<String> leftBecauseOutOfOrder(UpgradeRequested request, ClusterRegistered cluster, Procedure procedure,
                                             NodeHealth health) {
        if (procedure.outOfOrder() == null) {
            return Set.of();
        }
        String target = request.targetVersion();
        boolean oldAbove = false;
        boolean outOfOrder = false;
        for (NodeOrdering.Ordered ordered : NodeOrdering.order(cluster, procedure, health.membership())) {
            String name = ordered.node().name();
            String version = health.version(name).orElse(null);
            if (request.exclude().contains(name) || version == null || !Versions.isValid(version)) {
                continue;
            }
            if (Versions.compare(version, target) < 0) {
                oldAbove = true;
            } else if (version.equals(target) && oldAbove && health.isActiveNow(name)) {
                outOfOrder = true;
            }
        }
        if (!outOfOrder) {
            return Set.of();
        }
        Set<String> left = new HashSet<>();
        for (ClusterRegistered.Node node : cluster.nodes()) {
            String version = health.version(node.name()).orElse(null);
            if (!health.isActiveNow(node.name()) && LEFT_MEMBERSHIP.equals(health.inactiveReason(node.name()))
                    && version != null && Versions.isValid(version) && Versions.compare(version, target) < 0) {
                left.add(node.name());
            }
        }
        return left;
    }
}
