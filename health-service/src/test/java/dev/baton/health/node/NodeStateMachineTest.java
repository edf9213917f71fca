package dev.baton.health.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.sandbox.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStateMachineTest {
    private static final String BOOT_1 = "11111111-1111-1111-1111-111111111111";
    private static final String BOOT_2 = "22222222-2222-2222-2222-222222222222";
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final NodeStateMachine machine = new NodeStateMachine(clock, 3, 2);
    private NodeHealth node = NodeHealth.unknown("dolphin-prod", "dx1");

    /** Feeds one observation half a second after the previous one and returns the edges it caused. */
    private List<HealthEvent> probe(ProbeObservation observation) {
        clock.advance(Duration.ofMillis(500));
        Transition transition = machine.observe(node, observation);
        node = transition.next();
        return transition.edges();
    }

    private List<HealthEvent> good(String version, String bootId, int times) {
        List<HealthEvent> edges = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            edges.addAll(probe(ProbeObservation.good(version, bootId)));
        }
        return edges;
    }

    private List<HealthEvent> failed(Outcome outcome, String bootId) {
        return probe(ProbeObservation.failed(outcome, bootId, "test"));
    }

    private void becomeActive(String version) {
        assertThat(good(version, BOOT_1, 3)).hasSize(1);
    }

    @Test
    void activeOnlyAfterStableProbesOnTheSameVersion() {
        assertThat(good("5.20.0", BOOT_1, 2)).isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.STARTING);

        List<HealthEvent> edges = good("5.20.0", BOOT_1, 1);

        assertThat(edges).containsExactly(
                new NodeActive("dolphin-prod", "dx1", "5.20.0", BOOT_1, T0.plusMillis(1500), "probe-stable"));
        assertThat(node.phase()).isEqualTo(Phase.ACTIVE);
        assertThat(good("5.20.0", BOOT_1, 5)).as("edges only: no repeat while it stays active").isEmpty();
    }

    @Test
    void aStabilityWindowNeedsTheProbesAndTheTime() {
        NodeStateMachine patient = new NodeStateMachine(clock, 3, 2, Duration.ofSeconds(3));
        List<HealthEvent> edges = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofMillis(500));
            Transition transition = patient.observe(node, ProbeObservation.good("5.20.0", BOOT_1));
            node = transition.next();
            edges.addAll(transition.edges());
        }
        assertThat(edges).as("six probes span 2.5 s: not yet 3 s").isEmpty();

        clock.advance(Duration.ofMillis(500));
        assertThat(patient.observe(node, ProbeObservation.good("5.20.0", BOOT_1)).edges()).singleElement()
                .isInstanceOf(NodeActive.class);
    }

    @Test
    void aVersionChangeInsideTheWindowRestartsIt() {
        good("5.20.0", BOOT_1, 2);
        assertThat(good("5.21.0", BOOT_1, 2)).isEmpty();

        assertThat(good("5.21.0", BOOT_1, 1)).singleElement()
                .isInstanceOfSatisfying(NodeActive.class, a -> assertThat(a.runningVersion()).isEqualTo("5.21.0"));
    }

    @Test
    void aFailureInsideTheWindowRestartsIt() {
        good("5.20.0", BOOT_1, 2);
        failed(Outcome.SERVICE_DOWN, BOOT_1);

        assertThat(good("5.20.0", BOOT_1, 2)).isEmpty();
        assertThat(good("5.20.0", BOOT_1, 1)).hasSize(1);
    }

    @Test
    void oneFailedProbeDoesNotFlipAnActiveNode() {
        becomeActive("5.20.0");

        assertThat(failed(Outcome.SERVICE_DOWN, BOOT_1)).isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.SUSPECT);
        assertThat(good("5.20.0", BOOT_1, 2)).isEmpty();
        assertThat(node.phase()).as("still suspect until a whole window passed").isEqualTo(Phase.SUSPECT);
        assertThat(good("5.20.0", BOOT_1, 1)).isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.ACTIVE);
        assertThat(failed(Outcome.UNREACHABLE, null)).as("failures a whole window apart never add up").isEmpty();
        assertThat(good("5.20.0", BOOT_1, 3)).isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void anActiveNodeThatStartsFlappingGoesInactive() {
        becomeActive("5.20.0");

        assertThat(failed(Outcome.SERVICE_DOWN, BOOT_1)).isEmpty();
        assertThat(good("5.20.0", BOOT_1, 1)).isEmpty();
        assertThat(failed(Outcome.SERVICE_DOWN, BOOT_1)).as("the second failure inside one window")
                .singleElement().isInstanceOfSatisfying(NodeInactive.class,
                        inactive -> assertThat(inactive.reason()).isEqualTo("service-down"));
        assertThat(node.phase()).isEqualTo(Phase.INACTIVE);
    }

    @Test
    void aFlappingNodeIsNeverAnnouncedActiveUntilItIsStable() {
        List<HealthEvent> edges = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            edges.addAll(good("5.20.0", BOOT_1, 1 + i % 2));
            edges.addAll(failed(Outcome.SERVICE_DOWN, BOOT_1));
        }
        assertThat(edges).singleElement().isInstanceOfSatisfying(NodeInactive.class,
                inactive -> assertThat(inactive.reason()).isEqualTo("service-down"));

        assertThat(good("5.20.0", BOOT_1, 2)).isEmpty();
        assertThat(good("5.20.0", BOOT_1, 1)).singleElement().isInstanceOfSatisfying(NodeActive.class,
                active -> assertThat(active.reason()).isEqualTo("probe-stable"));
    }

    @Test
    void twoFailedProbesInARowMakeItInactiveWithTheLastReason() {
        becomeActive("5.20.0");
        Instant secondFailure = clock.instant().plusMillis(1000);

        assertThat(failed(Outcome.UNREACHABLE, null)).isEmpty();
        List<HealthEvent> edges = failed(Outcome.SERVICE_DOWN, BOOT_1);

        assertThat(edges).containsExactly(
                new NodeInactive("dolphin-prod", "dx1", "5.20.0", BOOT_1, secondFailure, "service-down"));
        assertThat(node.phase()).isEqualTo(Phase.INACTIVE);
        assertThat(failed(Outcome.SERVICE_DOWN, BOOT_1)).as("edges only").isEmpty();
    }

    @Test
    void comesBackAfterTheStableWindowAgain() {
        becomeActive("5.20.0");
        failed(Outcome.SERVICE_DOWN, BOOT_1);
        failed(Outcome.SERVICE_DOWN, BOOT_1);

        assertThat(good("5.20.0", BOOT_1, 2)).isEmpty();
        assertThat(good("5.20.0", BOOT_1, 1)).singleElement()
                .isInstanceOfSatisfying(NodeActive.class, a -> assertThat(a.reason()).isEqualTo("probe-stable"));
    }

    @Test
    void aNewBootIdOnAnActiveNodeIsAReboot() {
        becomeActive("5.20.0");

        List<HealthEvent> edges = good("5.20.0", BOOT_2, 1);

        assertThat(edges).singleElement().isInstanceOfSatisfying(NodeInactive.class, inactive -> {
            assertThat(inactive.reason()).isEqualTo("rebooting");
            assertThat(inactive.bootId()).isEqualTo(BOOT_2);
            assertThat(inactive.runningVersion()).isEqualTo("5.20.0");
        });
        assertThat(node.phase()).isEqualTo(Phase.STARTING);
        assertThat(good("5.20.0", BOOT_2, 1)).isEmpty();
        assertThat(good("5.20.0", BOOT_2, 1)).singleElement()
                .isInstanceOfSatisfying(NodeActive.class, a -> assertThat(a.bootId()).isEqualTo(BOOT_2));
    }

    @Test
    void unreachableThenBackOnANewBootIsARebootEvenAfterASingleFailure() {
        becomeActive("5.20.0");

        assertThat(failed(Outcome.UNREACHABLE, null)).isEmpty();
        List<HealthEvent> edges = failed(Outcome.SERVICE_DOWN, BOOT_2);

        assertThat(edges).singleElement().isInstanceOfSatisfying(NodeInactive.class,
                inactive -> assertThat(inactive.reason()).isEqualTo("rebooting"));
    }

    @Test
    void unreachableThenBackOnTheSameBootIsNotAReboot() {
        becomeActive("5.20.0");

        assertThat(failed(Outcome.UNREACHABLE, null)).isEmpty();
        assertThat(good("5.20.0", BOOT_1, 1)).isEmpty();
        assertThat(node.phase()).as("still announced active, suspect until a window passed").isEqualTo(Phase.SUSPECT);
        assertThat(good("5.20.0", BOOT_1, 2)).isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void downThenUpOnANewBootAndVersionIsOneInactiveAndOneActiveAfterReboot() {
        becomeActive("5.20.0");

        List<HealthEvent> edges = new ArrayList<>();
        edges.addAll(failed(Outcome.SERVICE_DOWN, BOOT_1));
        for (int i = 0; i < 4; i++) {
            edges.addAll(failed(Outcome.UNREACHABLE, null));
        }
        edges.addAll(good("5.21.0", BOOT_2, 5));

        assertThat(edges).hasSize(2);
        assertThat(edges.get(0)).isInstanceOfSatisfying(NodeInactive.class, inactive -> {
            assertThat(inactive.reason()).isEqualTo("unreachable");
            assertThat(inactive.bootId()).isEqualTo(BOOT_1);
            assertThat(inactive.runningVersion()).isEqualTo("5.20.0");
        });
        assertThat(edges.get(1)).isInstanceOfSatisfying(NodeActive.class, active -> {
            assertThat(active.reason()).isEqualTo("rebooted");
            assertThat(active.bootId()).isEqualTo(BOOT_2);
            assertThat(active.runningVersion()).isEqualTo("5.21.0");
        });
    }

    @Test
    void aTakenOverNodeIsNotAnnouncedAgain() {
        node = NodeHealth.announced("dolphin-prod", "dx1", Announcement.ACTIVE, "5.20.0", T0, "probe-stable", BOOT_1, BOOT_1);

        assertThat(good("5.20.0", BOOT_1, 5)).as("already announced active on this version").isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.ACTIVE);
    }

    @Test
    void aTakenOverInactiveNodeIsNotAnnouncedInactiveAgain() {
        node = NodeHealth.announced("dolphin-prod", "dx1", Announcement.INACTIVE, "5.20.0", T0, "unreachable", BOOT_1, BOOT_1);

        assertThat(failed(Outcome.UNREACHABLE, null)).isEmpty();
        assertThat(failed(Outcome.UNREACHABLE, null)).isEmpty();
        assertThat(good("5.20.0", BOOT_2, 3)).singleElement().isInstanceOfSatisfying(NodeActive.class,
                active -> assertThat(active.reason()).isEqualTo("rebooted"));
    }

    @Test
    void aStableNewVersionOnAnActiveNodeIsAVersionChangeEdge() {
        becomeActive("5.20.0");

        assertThat(good("5.21.0", BOOT_1, 2)).as("not yet stable on 5.21.0").isEmpty();
        assertThat(node.runningVersion()).isEqualTo("5.20.0");
        List<HealthEvent> edges = good("5.21.0", BOOT_1, 1);

        assertThat(edges).singleElement().isInstanceOfSatisfying(NodeActive.class, active -> {
            assertThat(active.runningVersion()).isEqualTo("5.21.0");
            assertThat(active.reason()).isEqualTo("version-changed");
        });
        assertThat(node.runningVersion()).isEqualTo("5.21.0");
        assertThat(good("5.21.0", BOOT_1, 3)).isEmpty();
    }

    @Test
    void aHostKeyMismatchIsAnnouncedAtOnce() {
        becomeActive("5.20.0");

        assertThat(failed(Outcome.HOST_KEY_MISMATCH, null)).singleElement().isInstanceOfSatisfying(NodeInactive.class,
                inactive -> assertThat(inactive.reason()).isEqualTo("host-key-mismatch"));
        assertThat(failed(Outcome.HOST_KEY_MISMATCH, null)).isEmpty();
    }

    @Test
    void aNodeNeverSeenActiveIsAnnouncedInactiveAfterTwoFailures() {
        assertThat(failed(Outcome.UNREACHABLE, null)).isEmpty();
        assertThat(node.phase()).isEqualTo(Phase.UNKNOWN);

        assertThat(failed(Outcome.UNREACHABLE, null)).singleElement().isInstanceOfSatisfying(NodeInactive.class,
                inactive -> assertThat(inactive.reason()).isEqualTo("unreachable"));
    }

    @Test
    void withAOneProbeWindowARebootIsAnnouncedAndTheNodeIsActiveAgainAtOnce() {
        NodeStateMachine eager = new NodeStateMachine(clock, 1, 2);
        node = eager.observe(node, ProbeObservation.good("3.5.0", BOOT_1)).next();

        List<HealthEvent> edges = eager.observe(node, ProbeObservation.good("3.5.0", BOOT_2)).edges();

        assertThat(edges).extracting(e -> e.getClass().getSimpleName()).containsExactly("NodeInactive", "NodeActive");
    }
}
