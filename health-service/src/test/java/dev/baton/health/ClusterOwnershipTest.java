package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.health.cluster.ClusterHealth;
import dev.baton.health.node.NodeStateMachine;
import dev.baton.procedure.HealthProbe;
import dev.baton.procedure.ProcedureCatalog;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterOwnershipTest {
    private static final HealthProbe MATRIX = ProcedureCatalog.shipped().get("matrix-server").orElseThrow().health();

    private final ClusterOwnership ownership = new ClusterOwnership();

    private static ClusterHealth state(String clusterId) {
        ClusterRegistered registration = ClusterRegistrations.cluster(clusterId, "matrix-server").build();
        return new ClusterHealth(registration, "matrix-server", MATRIX,
                new NodeStateMachine(Clock.systemUTC(), MATRIX.stableProbes(), 2));
    }

    @Test
    void nothingIsAssignedOrOwnedBeforeTheFirstAssignment() {
        assertThat(ownership.assigned()).isFalse();
        assertThat(ownership.ownedPartitions()).isEmpty();
        assertThat(ownership.owns(0)).isFalse();
    }

    @Test
    void anAssignmentOwnsItsPartitionsAndAllAreFreshWithoutParkedStates() {
        assertThat(ownership.reclaim(List.of(3, 1))).containsExactly(1, 3);
        ownership.own(List.of(3, 1));

        assertThat(ownership.assigned()).isTrue();
        assertThat(ownership.ownedPartitions()).containsExactlyInAnyOrder(1, 3);
        assertThat(ownership.owns(3)).isTrue();
        assertThat(ownership.owns(2)).isFalse();
    }

    @Test
    void releasingNamesTheClustersOnThosePartitionsOnly() {
        ownership.own(List.of(0, 1));
        ownership.place("a", 0);
        ownership.place("b", 1);

        assertThat(ownership.release(List.of(0))).containsExactly("a");
        assertThat(ownership.ownedPartitions()).containsExactly(1);
        assertThat(ownership.assigned()).as("stays assigned").isTrue();
    }

    @Test
    void aParkedStateIsKeptWhenItsPartitionComesStraightBackAndThatPartitionIsNotReadAgain() {
        ownership.own(List.of(0, 1));
        ownership.place("a", 0);
        ClusterHealth a = state("a");
        ownership.release(List.of(0, 1));
        ownership.park("a", a);

        assertThat(ownership.reclaim(List.of(0, 1))).containsExactly(1);
        assertThat(ownership.unpark("a")).isSameAs(a);
        assertThat(ownership.unpark("a")).isNull();
    }

    @Test
    void aParkedStateIsDroppedWhenItsPartitionDoesNotComeBack() {
        ownership.own(List.of(0, 1));
        ownership.place("a", 0);
        ownership.release(List.of(0));
        ownership.park("a", state("a"));

        assertThat(ownership.reclaim(List.of(1))).containsExactly(1);
        assertThat(ownership.unpark("a")).isNull();
        assertThat(ownership.release(List.of(0))).as("its partition is forgotten too").isEmpty();
    }

    @Test
    void forgettingDropsTheParkedStateAndThePartition() {
        ownership.own(List.of(0));
        ownership.place("a", 0);
        ownership.park("a", state("a"));

        ownership.forget("a");

        assertThat(ownership.unpark("a")).isNull();
        assertThat(ownership.release(List.of(0))).isEmpty();
    }
}
