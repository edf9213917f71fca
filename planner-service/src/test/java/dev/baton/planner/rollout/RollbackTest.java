package dev.baton.planner.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.UpgradeRequested;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.planner.plan.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link Rollback}: which nodes go back, to which version, forced or not, or why not. */
class RollbackTest {
    private static final Function<String, Optional<String>> UNKNOWN = node -> Optional.empty();

    private final List<RolloutView.NodeView> nodes = new ArrayList<>();

    private RollbackTest node(String name, String from, NodeState state) {
        nodes.add(new RolloutView.NodeView(name, null, from, state, null, null, null, null));
        return this;
    }

    private RolloutView rollout(RolloutState state, String target) {
        return rollout(state, target, false);
    }

    private RolloutView rollout(RolloutState state, String target, boolean dryRun) {
        return rollout(state, target, dryRun, false);
    }

    private RolloutView rollout(RolloutState state, String target, boolean dryRun, boolean offline) {
        return new RolloutView("ro-1", "req-1", "dolphin-lab", target, state, dryRun, 1, offline, null, null, "alice",
                Instant.EPOCH, null, List.copyOf(nodes), null);
    }

    @Test
    void theDoneNodesGoBackToTheirFromVersionForcedBecauseItIsADowngrade() {
        node("dx1", "5.20.0", NodeState.DONE).node("dx2", "5.20.0", NodeState.DONE);

        assertThat(Rollback.decide(rollout(RolloutState.COMPLETED, "5.21.0"), UNKNOWN))
                .isEqualTo(new Rollback.Target("5.20.0", List.of("dx1", "dx2"), true, false));
    }

    @Test
    void nodesTheRolloutDidNotChangeAreLeftOut() {
        node("dx1", "5.20.0", NodeState.DONE).node("dx2", "5.21.0", NodeState.DONE) // forced re-install: no change
                .node("dx3", "5.21.0", NodeState.SKIPPED).node("dx4", "5.20.0", NodeState.FAILED)
                .node("dx5", "5.20.0", NodeState.PENDING);

        assertThat(Rollback.decide(rollout(RolloutState.HALTED, "5.21.0"), UNKNOWN))
                .isEqualTo(new Rollback.Target("5.20.0", List.of("dx1"), true, false));
    }

    @Test
    void rollingBackAForcedDowngradeIsAnUpgradeAndNotForced() {
        node("dx1", "5.21.0", NodeState.DONE);

        assertThat(Rollback.decide(rollout(RolloutState.ABORTED, "5.20.0"), UNKNOWN))
                .isEqualTo(new Rollback.Target("5.21.0", List.of("dx1"), false, false));
    }

    @Test
    void theWayBackFromACompleteUpdateMayBeCompleteToo() {
        node("dx1", "5.18.0", NodeState.DONE);

        assertThat(Rollback.decide(rollout(RolloutState.COMPLETED, "5.21.0", false, true), UNKNOWN))
                .isEqualTo(new Rollback.Target("5.18.0", List.of("dx1"), true, true));
    }

    @Test
    void onlyAFinishedRolloutThatUpgradedANodeCanBeRolledBack() {
        node("dx1", "5.20.0", NodeState.DONE).node("dx2", "5.20.0", NodeState.UPGRADING);
        for (RolloutState open : List.of(RolloutState.REQUESTED, RolloutState.RUNNING, RolloutState.PAUSED)) {
            assertThat(Rollback.decide(rollout(open, "5.21.0"), UNKNOWN)).as("%s", open)
                    .isInstanceOfSatisfying(Rollback.Refused.class, r -> {
                        assertThat(r.rejection()).isEqualTo(Rejection.ROLLBACK_NOT_FINISHED);
                        assertThat(r.message()).contains("ro-1 is " + open);
                    });
        }
        assertThat(refusal(rollout(RolloutState.PLANNED, "5.21.0", true))).isEqualTo(Rejection.ROLLBACK_NOTHING_UPGRADED);
        assertThat(refusal(rollout(RolloutState.REJECTED, "5.21.0"))).isEqualTo(Rejection.ROLLBACK_NOTHING_UPGRADED);

        nodes.clear();
        node("dx1", "5.21.0", NodeState.SKIPPED).node("dx2", "5.20.0", NodeState.FAILED);
        assertThat(refusal(rollout(RolloutState.HALTED, "5.21.0"))).isEqualTo(Rejection.ROLLBACK_NOTHING_UPGRADED);
    }

    @Test
    void fromVersionsThatDifferOrAreUnknownAreRefusedNamingTheNodes() {
        node("dx1", "5.20.0", NodeState.DONE).node("dx2", "5.20.1", NodeState.DONE).node("dx3", "5.20.0", NodeState.DONE);
        Rollback.Decision mixed = Rollback.decide(rollout(RolloutState.COMPLETED, "5.21.0"), UNKNOWN);
        assertThat(mixed).isInstanceOfSatisfying(Rollback.Refused.class, r -> {
            assertThat(r.rejection()).isEqualTo(Rejection.ROLLBACK_MIXED_FROM_VERSIONS);
            assertThat(r.message()).contains("(dx1, dx3 from 5.20.0; dx2 from 5.20.1)");
        });

        nodes.clear();
        node("dx1", "5.20.0", NodeState.DONE).node("dx2", null, NodeState.DONE);
        Rollback.Decision unknown = Rollback.decide(rollout(RolloutState.COMPLETED, "5.21.0"), UNKNOWN);
        assertThat(unknown).isInstanceOfSatisfying(Rollback.Refused.class, r -> {
            assertThat(r.rejection()).isEqualTo(Rejection.ROLLBACK_FROM_VERSION_UNKNOWN);
            assertThat(r.message()).contains("node(s) dx2 ran before it");
        });
    }

    @Test
    void aNodeThatNoLongerRunsWhatTheRolloutLeftItOnIsNotItsToUndo() {
        node("dx1", "5.20.0", NodeState.DONE).node("dx2", "5.20.0", NodeState.DONE);
        Map<String, String> running = Map.of("dx1", "5.21.0", "dx2", "5.22.0");

        Rollback.Decision decision = Rollback.decide(rollout(RolloutState.COMPLETED, "5.21.0"),
                node -> Optional.ofNullable(running.get(node)));

        assertThat(decision).isInstanceOfSatisfying(Rollback.Refused.class, r -> {
            assertThat(r.rejection()).isEqualTo(Rejection.ROLLBACK_CHANGED_SINCE);
            assertThat(r.message()).startsWith("node dx2 runs 5.22.0 now, not the 5.21.0 rollout ro-1 left it on");
        });
    }

    @Test
    void theRequestKeepsTheBudgetDelayAndWindowExcludesTheOthersAndRepeatsNoCanary() {
        UpgradeRequested original = UpgradeRequests.upgrade("dolphin-lab", "5.21.0").maxUnavailable(2).canary(1)
                .stopAfter(1).delayBetweenNodes(Duration.ofSeconds(30)).allowOffline().allowUnknownCompatibility()
                .maintenanceWindow(new UpgradeRequested.MaintenanceWindow(List.of("SAT"), "22:00", "04:00", "UTC"))
                .build();
        Rollback.Target target = new Rollback.Target("5.20.0", List.of("dx1", "dx3"), true, false);

        UpgradeRequested request = Rollback.request(target, original, "rollback-of-ro-1", false, "bob",
                List.of("dx1", "dx2", "dx3", "dx4"));

        assertThat(request.requestId()).isEqualTo("rollback-of-ro-1");
        assertThat(request.targetVersion()).isEqualTo("5.20.0");
        assertThat(request.force()).isTrue();
        assertThat(request.exclude()).containsExactly("dx2", "dx4");
        assertThat(request.maxUnavailable()).isEqualTo(2);
        assertThat(request.delayBetweenNodes()).isEqualTo(Duration.ofSeconds(30));
        assertThat(request.maintenanceWindow()).isEqualTo(original.maintenanceWindow());
        assertThat(request.canary()).isNull();
        assertThat(request.stopAfter()).isNull();
        assertThat(request.allowOffline()).isFalse(); // the original allowed it, but it was not a complete update
        assertThat(request.allowUnknownCompatibility()).isFalse();
        assertThat(request.requestedBy()).isEqualTo("bob");
        assertThat(Rollback.requestId("ro-1", true)).isEqualTo("rollback-of-ro-1-dry-run");
    }

    private static Rejection refusal(RolloutView rollout) {
        return ((Rollback.Refused) Rollback.decide(rollout, UNKNOWN)).rejection();
    }
}
