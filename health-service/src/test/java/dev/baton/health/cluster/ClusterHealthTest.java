package dev.baton.health.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.MembershipObserved.Member;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.health.node.NodeStateMachine;
import dev.baton.health.node.Phase;
import dev.baton.health.node.ProbeObservation;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.procedure.HealthProbe;
import dev.baton.procedure.ProcedureCatalog;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterHealthTest {
    private static final String BOOT = "11111111-1111-1111-1111-111111111111";
    private static final ProcedureCatalog CATALOG = ProcedureCatalog.shipped();
    private static final HealthProbe MATRIX = CATALOG.get("matrix-server").orElseThrow().health();
    private static final HealthProbe DOLPHIN = CATALOG.get("dolphin-expressware").orElseThrow().health();

    private final Clock clock = Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC);
    private final List<HealthEvent> published = new ArrayList<>();

    private static ClusterRegistered.Node node(String name, int n) {
        return new ClusterRegistered.Node(name, "127.77.1." + n, 2200 + n, "root", "10.10.1." + n,
                List.of("10.10.1." + n, "10.10.2." + (10 - n)), "x86_64", "rhel9", Map.of());
    }

    private static ClusterRegistered cluster(String procedure, ClusterRegistered.Node... nodes) {
        return ClusterRegistrations.cluster("c1", procedure).nodes(List.of(nodes)).build();
    }

    private ClusterHealth health(ClusterRegistered registration, HealthProbe probe) {
        return new ClusterHealth(registration, registration.procedure(), probe,
                new NodeStateMachine(clock, probe.stableProbes(), 2));
    }

    private void good(ClusterHealth cluster, String node, String version, int times) {
        for (int i = 0; i < times; i++) {
            cluster.observe(node, ProbeObservation.good(version, BOOT), published::add);
        }
    }

    private <T> List<T> published(Class<T> type) {
        return published.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void withoutAMembershipCommandTheInventoryIsTheMembershipOnceEveryNodeIsKnown() {
        ClusterHealth cluster = health(cluster("dolphin-expressware", node("dx1", 1), node("dx2", 2)), DOLPHIN);

        good(cluster, "dx1", "5.20.0", 3);
        assertThat(published(MembershipObserved.class)).as("dx2 not yet known").isEmpty();
        good(cluster, "dx2", "5.21.0", 3);

        assertThat(published(NodeActive.class)).hasSize(2);
        assertThat(published.get(published.size() - 1)).isEqualTo(new MembershipObserved("c1", List.of(
                new Member("dx1", "10.10.1.1", "5.20.0", true),
                new Member("dx2", "10.10.1.2", "5.21.0", true)), true));
    }

    @Test
    void reportedAddressesAreMappedToNodesByClusterAddressOrOtherAddress() {
        ClusterHealth cluster = health(cluster("matrix-server", node("srv1", 1), node("srv2", 2), node("srv3", 3)), MATRIX);
        good(cluster, "srv1", "3.5.0", 3);
        good(cluster, "srv2", "3.5.0", 3);
        good(cluster, "srv3", "3.5.0", 3);
        assertThat(published(MembershipObserved.class)).as("nothing before the cluster reported its members").isEmpty();

        cluster.membershipReported(List.of("10.10.1.1", "10.10.2.8", "10.10.1.3", "10.10.9.9"), published::add);

        assertThat(published(MembershipObserved.class)).containsExactly(new MembershipObserved("c1", List.of(
                new Member("srv1", "10.10.1.1", "3.5.0", true),
                new Member("srv2", "10.10.2.8", "3.5.0", true),
                new Member("srv3", "10.10.1.3", "3.5.0", true),
                new Member(null, "10.10.9.9", null, false)), false));

        cluster.membershipReported(List.of("10.10.1.1", "10.10.2.8", "10.10.1.3", "10.10.9.9"), published::add);
        assertThat(published(MembershipObserved.class)).as("unchanged picture is not published again").hasSize(1);
    }

    @Test
    void whetherEachNodeHoldsTheSharedResourceIsInTheMembershipAndAChangeOfItAloneIsPublished() {
        ClusterHealth cluster = health(cluster("matrix-server", node("srv1", 1), node("srv2", 2)), MATRIX);
        for (int i = 0; i < 3; i++) {
            cluster.observe("srv1", ProbeObservation.good("3.5.0", BOOT), true, published::add);
            cluster.observe("srv2", ProbeObservation.good("3.5.0", BOOT), true, published::add);
        }
        cluster.membershipReported(List.of("10.10.1.1", "10.10.1.2"), published::add);
        assertThat(published(MembershipObserved.class)).last().isEqualTo(new MembershipObserved("c1", List.of(
                new Member("srv1", "10.10.1.1", "3.5.0", true, true),
                new Member("srv2", "10.10.1.2", "3.5.0", true, true)), false));
        int before = published(MembershipObserved.class).size();

        // psfs umount on srv2: still active, but it no longer holds PSFS
        cluster.observe("srv2", ProbeObservation.good("3.5.0", BOOT), false, published::add);

        assertThat(published(MembershipObserved.class)).hasSize(before + 1).last().isEqualTo(new MembershipObserved("c1",
                List.of(new Member("srv1", "10.10.1.1", "3.5.0", true, true),
                        new Member("srv2", "10.10.1.2", "3.5.0", true, false)), false));
        assertThat(published(NodeInactive.class)).isEmpty();
    }

    @Test
    void aDownNodeTheClusterNoLongerListsHasLeftTheMembership() {
        ClusterHealth cluster = health(cluster("matrix-server", node("srv1", 1), node("srv2", 2)), MATRIX);
        good(cluster, "srv1", "3.5.0", 3);
        good(cluster, "srv2", "3.5.0", 3);
        cluster.membershipReported(List.of("10.10.1.2"), published::add);

        cluster.observe("srv1", ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "exit 3"), published::add);
        cluster.observe("srv1", ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "exit 3"), published::add);

        assertThat(published(NodeInactive.class)).singleElement()
                .satisfies(inactive -> assertThat(inactive.reason()).isEqualTo("left-membership"));
        assertThat(published(MembershipObserved.class)).as("the listed member, then the inventory node it no longer lists")
                .last().isEqualTo(new MembershipObserved("c1", List.of(
                        new Member("srv2", "10.10.1.2", "3.5.0", true),
                        new Member("srv1", "10.10.1.1", "3.5.0", false)), false));
    }

    @Test
    void theMembershipSourceIsAnActiveNodeAndTheyTakeTurns() {
        ClusterHealth cluster = health(cluster("matrix-server", node("srv1", 1), node("srv2", 2), node("srv3", 3)), MATRIX);
        assertThat(cluster.membershipSource(0)).isEmpty();
        good(cluster, "srv1", "3.5.0", 3);
        good(cluster, "srv3", "3.5.0", 3);

        assertThat(List.of(0L, 1L, 2L)).extracting(turn -> cluster.membershipSource(turn).orElseThrow().name())
                .containsExactly("srv1", "srv3", "srv1");
    }

    @Test
    void theMembershipIsAskedOfActiveNodesFirstThenOfNodesWhoseLastProbeWasGoodThenOfTheRest() {
        ClusterHealth cluster = health(cluster("matrix-server", node("srv1", 1), node("srv2", 2), node("srv3", 3)), MATRIX);
        good(cluster, "srv1", "3.5.0", 3);
        good(cluster, "srv2", "3.5.1", 1);

        assertThat(cluster.membershipSources(0, null)).extracting(ClusterRegistered.Node::name)
                .as("active first, then starting, then the rest").containsExactly("srv1", "srv2", "srv3");
        assertThat(cluster.membershipSources(0, "srv1")).extracting(ClusterRegistered.Node::name)
                .containsExactly("srv2", "srv3");
    }

    @Test
    void anOutOfOrderMatrixShowsTheNewMemberAndTheOldServersThatLeft() {
        ClusterHealth cluster = health(cluster("matrix-server", node("srv1", 1), node("srv2", 2), node("srv3", 3)), MATRIX);
        good(cluster, "srv1", "3.5.0", 3);
        good(cluster, "srv2", "3.5.0", 3);
        good(cluster, "srv3", "3.5.0", 3);
        cluster.membershipReported(List.of("10.10.1.1", "10.10.1.2", "10.10.1.3"), published::add);

        // srv1 (lowest address) upgraded first: the old servers above it leave, the matrix lists srv1 only
        cluster.observe("srv1", ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "stopped"), published::add);
        good(cluster, "srv1", "3.5.1", 3);
        cluster.membershipReported(List.of("10.10.1.1"), published::add);
        for (String old : List.of("srv2", "srv3")) {
            cluster.observe(old, ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "left"), published::add);
            cluster.observe(old, ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "left"), published::add);
        }

        assertThat(published(NodeInactive.class)).extracting(NodeInactive::nodeName, NodeInactive::reason,
                NodeInactive::runningVersion).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("srv2", "left-membership", "3.5.0"),
                        org.assertj.core.groups.Tuple.tuple("srv3", "left-membership", "3.5.0"));
        assertThat(published(MembershipObserved.class)).last().isEqualTo(new MembershipObserved("c1", List.of(
                new Member("srv1", "10.10.1.1", "3.5.1", true),
                new Member("srv2", "10.10.1.2", "3.5.0", false),
                new Member("srv3", "10.10.1.3", "3.5.0", false)), false));
    }

    @Test
    void aClusterTakenOverContinuesFromWhatWasAnnounced() {
        AnnouncedEdges announced = new AnnouncedEdges();
        announced.record(new NodeActive("c1", "dx1", "5.20.0", BOOT, Instant.parse("2024-05-01T09:00:00Z"), "probe-stable"));
        announced.record(new NodeActive("c1", "dx2", "5.20.0", BOOT, Instant.parse("2024-05-01T09:00:00Z"), "probe-stable"));
        announced.record(new NodeInactive("c1", "dx2", "5.20.0", BOOT, Instant.parse("2024-05-01T09:01:00Z"), "service-down"));
        ClusterHealth cluster = new ClusterHealth(cluster("dolphin-expressware", node("dx1", 1), node("dx2", 2)),
                "dolphin-expressware", DOLPHIN, new NodeStateMachine(clock, 3, 2), null, announced);

        good(cluster, "dx1", "5.20.0", 5);
        cluster.observe("dx2", ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "exit 3"), published::add);
        cluster.observe("dx2", ProbeObservation.failed(Outcome.SERVICE_DOWN, BOOT, "exit 3"), published::add);

        assertThat(published).as("nothing the previous owner announced is announced again")
                .noneMatch(e -> e instanceof NodeActive || e instanceof NodeInactive);
        good(cluster, "dx2", "5.20.0", 3);
        assertThat(published(NodeActive.class)).singleElement().satisfies(a -> assertThat(a.nodeName()).isEqualTo("dx2"));
    }

    @Test
    void aClusterTakenOverKeepsWhoHeldTheSharedResourceUntilEachNodeIsProbedAgain() {
        AnnouncedEdges announced = new AnnouncedEdges();
        Instant at = Instant.parse("2024-05-01T09:00:00Z");
        announced.record(new NodeActive("c1", "srv1", "3.5.0", BOOT, at, "probe-stable"));
        announced.record(new NodeActive("c1", "srv2", "3.5.0", BOOT, at, "probe-stable"));
        announced.record(new MembershipObserved("c1", List.of(new Member("srv1", "10.10.1.1", "3.5.0", true, true),
                new Member("srv2", "10.10.1.2", "3.5.0", true, false)), false));
        ClusterHealth cluster = new ClusterHealth(cluster("matrix-server", node("srv1", 1), node("srv2", 2)),
                "matrix-server", MATRIX, new NodeStateMachine(clock, 3, 2), null, announced);
        cluster.membershipReported(List.of("10.10.1.1", "10.10.1.2"), published::add);

        // srv1 probed again (still holds it); srv2 not yet: it keeps what was announced, not "unknown"
        cluster.observe("srv1", ProbeObservation.good("3.5.0", BOOT), true, published::add);

        assertThat(cluster.membership().orElseThrow().members()).extracting(Member::holdsSharedResource)
                .containsExactly(true, false);
        assertThat(published(MembershipObserved.class)).allSatisfy(m -> assertThat(m.members())
                .extracting(Member::holdsSharedResource).containsExactly(true, false));
    }

    @Test
    void aRetiredClusterPublishesNothing() {
        ClusterHealth cluster = health(cluster("dolphin-expressware", node("dx1", 1)), DOLPHIN);
        good(cluster, "dx1", "5.20.0", 2);

        cluster.retire();
        good(cluster, "dx1", "5.20.0", 3);

        assertThat(published).isEmpty();
    }

    @Test
    void aStateIsOnlyCommittedOnceItsEdgeWasPublished() {
        ClusterHealth cluster = health(cluster("dolphin-expressware", node("dx1", 1)), DOLPHIN);
        good(cluster, "dx1", "5.20.0", 2);

        assertThatThrownBy(() -> cluster.observe("dx1", ProbeObservation.good("5.20.0", BOOT), e -> {
            throw new IllegalStateException("Kafka is away");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(cluster.node("dx1").orElseThrow().phase()).isEqualTo(Phase.STARTING);

        good(cluster, "dx1", "5.20.0", 1);
        assertThat(published(NodeActive.class)).hasSize(1);
        assertThat(cluster.node("dx1").orElseThrow().phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void registeringAgainKeepsTheStateOfUnchangedNodes() {
        ClusterRegistered first = cluster("dolphin-expressware", node("dx1", 1), node("dx2", 2));
        ClusterHealth cluster = health(first, DOLPHIN);
        good(cluster, "dx1", "5.20.0", 3);
        good(cluster, "dx2", "5.20.0", 3);

        ClusterRegistered.Node moved = new ClusterRegistered.Node("dx2", "127.77.1.99", 22, "root", "10.10.1.2",
                List.of(), "x86_64", "rhel9", Map.of());
        ClusterHealth again = new ClusterHealth(cluster("dolphin-expressware", node("dx1", 1), moved),
                "dolphin-expressware", DOLPHIN, new NodeStateMachine(clock, 3, 2), cluster);

        assertThat(again.node("dx1").orElseThrow().phase()).isEqualTo(Phase.ACTIVE);
        assertThat(again.node("dx2").orElseThrow().phase()).as("another endpoint: start over").isEqualTo(Phase.UNKNOWN);
        assertThat(again.tracks(moved)).isTrue();
        assertThat(again.tracks(node("dx2", 2))).isFalse();
    }
}
