package dev.baton.planner.rollout;

import dev.baton.contracts.UpgradeRequested;
import dev.baton.planner.plan.Rejection;
import dev.baton.procedure.Versions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What rolling a finished rollout back means ({@code RolloutControl} action {@code rollback}, {@code baton rollback}):
 * which nodes go back, to which version, whether that needs force, or why it cannot be done. Pure: the engine turns a
 * {@link Target} into the {@link UpgradeRequested} it then decides like any other (preflight, plan, guards, dry run);
 * the REST API answers 409 for a {@link Refused} before it publishes anything.
 *
 * <pre>
 * 1. The rollout must be finished: COMPLETED, HALTED or ABORTED (a dry run or a rejected request upgraded nothing).
 * 2. The nodes to take back are those the rollout upgraded: DONE, coming from a version other than its target (a
 *    forced re-install, or an out-of-order node only restarted, changed no version). None: refused.
 * 3. Each must have a recorded from-version, and they must share it: one rollout has one target.
 * 4. Each must still run the rollout's target where health says what it runs: a node changed since is not this
 *    rollout's to undo.
 * 5. The new rollout's target is that from-version; every other node of the cluster is excluded; it is forced when it
 *    is a downgrade (preflight refuses a node newer than the target otherwise, and the procedure renders its
 *    {@code ${ifForced:...}} text, e.g. Dolphin's --enforce). The budget, delay and maintenance window are the
 *    rollout's own; a complete (offline) update is allowed when the rollout was one; a canary or stop-after is not
 *    repeated, nor an allowance for unknown compatibility.
 * </pre>
 */
public final class Rollback {
    /** The request id a rollback of {@code rolloutId} gets when its control names none. */
    public static final String REQUEST_PREFIX = "rollback-of-";

    private static final Set<RolloutState> FINISHED = Set.of(RolloutState.COMPLETED, RolloutState.HALTED,
            RolloutState.ABORTED);

    private Rollback() {
    }

    /** What a rollback of one rollout comes to. */
    public sealed interface Decision {
    }

    /** Cannot be done: the stable code and the sentence that says why and what to do. */
    public record Refused(Rejection rejection, String message) implements Decision {
        static Refused of(Rejection rejection, Object... args) {
            return new Refused(rejection, rejection.message(args));
        }
    }

    /**
     * The new rollout: {@code nodes} (in the rollout's plan order) back to {@code targetVersion}, forced or not; a
     * complete (offline) update allowed when the rollout was one (the way back mixes the same two versions).
     */
    public record Target(String targetVersion, List<String> nodes, boolean force, boolean allowOffline)
            implements Decision {
        public Target {
            nodes = List.copyOf(nodes);
        }
    }

    /** The default request id of a rollback (the control may name its own). */
    public static String requestId(String rolloutId, boolean dryRun) {
        return REQUEST_PREFIX + rolloutId + (dryRun ? "-dry-run" : "");
    }

    /**
     * @param rollout the rollout to take back
     * @param running what health last saw a node run (empty: not known, not checked)
     */
    public static Decision decide(RolloutView rollout, Function<String, Optional<String>> running) {
        if (!FINISHED.contains(rollout.state())) {
            if (rollout.state() == RolloutState.REJECTED || rollout.dryRun()) {
                return Refused.of(Rejection.ROLLBACK_NOTHING_UPGRADED, rollout.rolloutId(),
                        rollout.state() == RolloutState.REJECTED ? "it was rejected" : "it was a dry run");
            }
            return Refused.of(Rejection.ROLLBACK_NOT_FINISHED, rollout.rolloutId(), rollout.state());
        }
        String upgradedTo = rollout.targetVersion();
        List<RolloutView.NodeView> upgraded = rollout.nodes().stream()
                .filter(n -> n.state() == NodeState.DONE && !sameVersion(n.fromVersion(), upgradedTo)).toList();
        if (upgraded.isEmpty()) {
            return Refused.of(Rejection.ROLLBACK_NOTHING_UPGRADED, rollout.rolloutId(),
                    "no node of it is DONE on " + upgradedTo + " coming from another version");
        }
        List<String> unknown = upgraded.stream().filter(n -> !Versions.isValid(n.fromVersion()))
                .map(RolloutView.NodeView::nodeName).toList();
        if (!unknown.isEmpty()) {
            return Refused.of(Rejection.ROLLBACK_FROM_VERSION_UNKNOWN, rollout.rolloutId(), String.join(", ", unknown));
        }
        Map<String, List<String>> byFromVersion = new LinkedHashMap<>();
        upgraded.forEach(n -> byFromVersion.computeIfAbsent(n.fromVersion(), v -> new ArrayList<>()).add(n.nodeName()));
        if (byFromVersion.size() > 1) {
            List<String> groups = new ArrayList<>();
            byFromVersion.forEach((version, nodes) -> groups.add(String.join(", ", nodes) + " from " + version));
            return Refused.of(Rejection.ROLLBACK_MIXED_FROM_VERSIONS, rollout.rolloutId(), String.join("; ", groups));
        }
        for (RolloutView.NodeView node : upgraded) {
            Optional<String> now = running.apply(node.nodeName());
            if (now.isPresent() && Versions.isValid(now.get()) && !sameVersion(now.get(), upgradedTo)) {
                return Refused.of(Rejection.ROLLBACK_CHANGED_SINCE, node.nodeName(), now.get(), upgradedTo,
                        rollout.rolloutId());
            }
        }
        String backTo = byFromVersion.keySet().iterator().next();
        return new Target(backTo, upgraded.stream().map(RolloutView.NodeView::nodeName).toList(),
                Versions.compare(backTo, upgradedTo) < 0, rollout.offline());
    }

    /**
     * The request the rollback is decided as: the rollout's own budget, delay and maintenance window, every node of
     * {@code clusterNodes} but the target's excluded.
     */
    public static UpgradeRequested request(Target target, UpgradeRequested original, String requestId, boolean dryRun,
                                           String requestedBy, Collection<String> clusterNodes) {
        List<String> exclude = clusterNodes.stream().filter(n -> !target.nodes().contains(n)).sorted().toList();
        return new UpgradeRequested(requestId, original.clusterId(), target.targetVersion(), original.maxUnavailable(),
                null, null, original.delayBetweenNodes(), target.force(), target.allowOffline(), exclude, dryRun, requestedBy,
                original.maxUnavailablePercent(), original.maintenanceWindow(), false);
    }

    private static boolean sameVersion(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(b) || Versions.isValid(a) && Versions.isValid(b) && Versions.compare(a, b) == 0;
    }
}
