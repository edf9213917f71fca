package dev.baton.planner.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.planner.rollout.Cause;
import dev.baton.planner.rollout.RolloutView;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariant 9 inside the planner: when the engine fails on one message of a group, that message is refused (the
 * listener dead-letters it), what it had already changed is undone, and the rest of the group is decided as if it had
 * never come. Runs the real engine and coordinator (in-memory connector).
 */
@QuarkusTest
class RefusedObservationTest {
    @Inject
    RolloutCoordinator coordinator;

    @Test
    void theEngineFailingOnOneMessageUndoesItsHalfDoneEffectAndTheRestOfTheGroupIsDecided() {
        register("refuse-a");
        register("refuse-b");
        UpgradeRequested poisoned = request("refuse-a", "poisoned");
        UpgradeRequested good = request("refuse-b", "good");
        List<RuntimeException> refused = new ArrayList<>();

        coordinator.applyAll(List.of(
                new RolloutCoordinator.Observation("refuse-a", e -> {
                    e.onUpgradeRequested(poisoned, new Cause("c1", "fleet")); // changes the engine, then fails
                    throw new IllegalStateException("boom");
                }, refused::add),
                new RolloutCoordinator.Observation("refuse-b", e -> e.onUpgradeRequested(good, new Cause("c2", "fleet")),
                        failure -> {
                            throw new AssertionError("the good message was refused", failure);
                        })));

        assertThat(refused).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
        assertThat(rollouts("refuse-a", "poisoned")).as("the refused request's rollout").isEmpty();
        assertThat(rollouts("refuse-b", "good")).as("the good request's rollout").hasSize(1);
    }

    @Test
    void aMessageThatFailsLaterKeepsWhatEarlierGroupsCommitted() {
        register("refuse-c");
        UpgradeRequested first = request("refuse-c", "first");
        coordinator.apply("refuse-c", e -> e.onUpgradeRequested(first, new Cause("c3", "fleet")));
        List<RuntimeException> refused = new ArrayList<>();

        coordinator.applyAll(List.of(new RolloutCoordinator.Observation("refuse-c", e -> {
            e.forget("refuse-c"); // the worst half-done effect: the cluster's rollouts gone
            throw new IllegalStateException("boom");
        }, refused::add)));

        assertThat(refused).hasSize(1);
        assertThat(rollouts("refuse-c", "first")).as("the committed rollout").hasSize(1);
    }

    private List<RolloutView> rollouts(String clusterId, String requestId) {
        return coordinator.<List<RolloutView>>read(e -> e.rollouts(clusterId, requestId));
    }

    private void register(String clusterId) {
        ClusterRegistered cluster = ClusterRegistrations.cluster(clusterId, "matrix-server")
                .node("n1", "127.0.0.1", n -> n.clusterAddress("10.0.0.1").platform("x86_64", "rhel"))
                .node("n2", "127.0.0.2", n -> n.clusterAddress("10.0.0.2").platform("x86_64", "rhel")).build();
        coordinator.apply(clusterId, e -> e.onClusterRegistered(cluster));
    }

    private static UpgradeRequested request(String clusterId, String requestId) {
        return UpgradeRequests.upgrade(clusterId, "3.5.1").requestId(requestId).maxUnavailable(1).dryRun()
                .requestedBy("fleet").build();
    }
}
