package dev.baton.planner.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RolloutEngineTest {
    private static final Cause CAUSE = new Cause("evt-1", "alice");

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger ids = new AtomicInteger();
    private RolloutEngine engine;
    private final List<BatonEvent> published = new ArrayList<>();

    @BeforeEach
    void setUp() {
        engine = new RolloutEngine(ProcedureCatalog.shipped(), clock, Duration.ofSeconds(30),
                () -> "r" + ids.incrementAndGet());
    }

    /** Matrix: ssh on 127.77.2.N, the matrix knows srv N as 10.10.1.(N*3) — srv4 is 10.10.1.12, srv3 10.10.1.9. */
    private static ClusterRegistered matrix() {
        List<ClusterRegistered.Node> nodes = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            nodes.add(new ClusterRegistered.Node("srv" + n, "127.77.2." + n, 2222, "root", "10.10.1." + (n * 3),
                    List.of("10.10.1." + (n * 3), "10.10.2." + (5 - n)), "x86_64", "rhel-9", Map.of()));
        }
        return new ClusterRegistered("matrix-prod", "matrix-server", "matrix-server", null, nodes);
    }

    private static ClusterRegistered dolphin() {
        List<ClusterRegistered.Node> nodes = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            nodes.add(new ClusterRegistered.Node("dx" + n, "127.77.1." + n, 2222, "root", "127.77.1." + n,
                    List.of(), "x86_64", "rhel-9", Map.of()));
        }
        return new ClusterRegistered("dolphin-lab", "dolphin-expressware", "dolphin-expressware", null, nodes);
    }

    private void run(List<Emission> emissions) {
        emissions.forEach(e -> published.add(e.event()));
    }

    private void active(String cluster, String node, String version) {
        run(engine.onHealth(new NodeActive(cluster, node, version, "boot", Instant.now(), "probe-stable"), CAUSE));
    }

    /** Registers the cluster and has health report every node active on {@code version}. */
    private void registerAllActive(ClusterRegistered cluster, String version) {
        run(engine.onClusterRegistered(cluster));
        cluster.nodes().forEach(node -> active(cluster.clusterId(), node.name(), version));
    }

    private static UpgradeRequested request(String cluster, String target) {
        return new UpgradeRequested("req-1", cluster, target, null, null, null, null, false, false, List.of(), false, "alice");
    }

    private List<NodeCommand> commands() {
        return published.stream().filter(NodeCommand.class::isInstance).map(NodeCommand.class::cast).toList();
    }

    private NodeCommand lastCommand() {
        List<NodeCommand> commands = commands();
        return commands.get(commands.size() - 1);
    }

    private void succeed(NodeCommand command) {
        run(engine.onStepResult(new StepSucceeded(command.commandId(), command.rolloutId(), command.clusterId(),
                command.nodeName(), command.step(), 0, "ok", null, null), CAUSE));
    }

    /** Drives every step of the node that holds the baton to success, then reports it active on {@code version}. */
    private void upgradeCurrentNode(int steps, String version) {
        for (int i = 0; i < steps; i++) {
            succeed(lastCommand());
        }
        active(lastCommand().clusterId(), lastCommand().nodeName(), version);
    }

    private List<String> eventNames() {
        return published.stream().map(e -> e.getClass().getSimpleName() + (e.nodeName() == null ? "" : "(" + e.nodeName() + ")")
                + (e instanceof NodeCommand c ? ":" + c.step() : "")).toList();
    }

    @Test
    void matrixNodesAreUpgradedHighestMembershipAddressFirstOneAtATime() {
        registerAllActive(matrix(), "3.5.0");
        run(engine.onUpgradeRequested(request("matrix-prod", "3.5.1"), CAUSE));
        for (int i = 0; i < 4; i++) {
            upgradeCurrentNode(3, "3.5.1");
        }

        assertThat(eventNames()).containsExactly(
                "RolloutAccepted", "RolloutPlanned",
                "NodeUpgradeStarted(srv4)", "NodeCommand(srv4):stop", "NodeCommand(srv4):install", "NodeCommand(srv4):start",
                "NodeUpgraded(srv4)",
                "NodeUpgradeStarted(srv3)", "NodeCommand(srv3):stop", "NodeCommand(srv3):install", "NodeCommand(srv3):start",
                "NodeUpgraded(srv3)",
                "NodeUpgradeStarted(srv2)", "NodeCommand(srv2):stop", "NodeCommand(srv2):install", "NodeCommand(srv2):start",
                "NodeUpgraded(srv2)",
                "NodeUpgradeStarted(srv1)", "NodeCommand(srv1):stop", "NodeCommand(srv1):install", "NodeCommand(srv1):start",
                "NodeUpgraded(srv1)",
                "RolloutCompleted");
        assertThat(commands()).allSatisfy(c -> assertThat(c.target().host()).startsWith("127.77.2."));
        assertThat(commands().get(1).command()).isEqualTo("mx-install 3.5.1");
    }

    @Test
    void orderingUsesTheAddressTheMembershipReportsNumerically() {
        run(engine.onClusterRegistered(matrix()));
        // the matrix reports srv1 as 10.10.1.10 and srv2 as 10.10.1.9: 10 > 9 numerically, though "10" < "9" as text
        run(engine.onHealth(new MembershipObserved("matrix-prod", List.of(
                new MembershipObserved.Member("srv1", "10.10.1.10", "3.5.0", true),
                new MembershipObserved.Member("srv2", "10.10.1.9", "3.5.0", true),
                new MembershipObserved.Member("srv3", "10.10.1.2", "3.5.0", true),
                new MembershipObserved.Member("srv4", "10.10.1.1", "3.5.0", true)), false), CAUSE));
        for (int n = 1; n <= 4; n++) {
            active("matrix-prod", "srv" + n, "3.5.0");
        }
        run(engine.onUpgradeRequested(request("matrix-prod", "3.5.1"), CAUSE));

        assertThat(engine.rollout("r1").orElseThrow().nodes()).extracting(RolloutView.NodeView::nodeName)
                .containsExactly("srv1", "srv2", "srv3", "srv4");
    }

    @Test
    void nextNodeWaitsForNodeActiveOnTheTargetVersionNotJustTheLastStep() {
        registerAllActive(dolphin(), "5.20.0");
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21.0"), CAUSE));
        for (int i = 0; i < 3; i++) {
            succeed(lastCommand());
        }
        int before = published.size();
        active("dolphin-lab", "dx1", "5.20.0"); // installed but not loaded: still the old version running
        run(engine.onHealth(new NodeInactive("dolphin-lab", "dx1", null, "boot", Instant.now(), "service-down"), CAUSE));
        run(engine.onTick());

        assertThat(published.subList(before, published.size())).isEmpty();
        assertThat(engine.rollout("r1").orElseThrow().waitingFor()).isEqualTo("health: dx1 active on 5.21.0");

        active("dolphin-lab", "dx1", "5.21.0");
        assertThat(eventNames().subList(eventNames().size() - 3, eventNames().size()))
                .containsExactly("NodeUpgraded(dx1)", "NodeUpgradeStarted(dx2)", "NodeCommand(dx2):build-rpm");
    }

    @Test
    void aFailedStepHaltsTheRolloutAndNothingMoreIsSent() {
        registerAllActive(dolphin(), "5.20.0");
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21.0"), CAUSE));
        NodeCommand build = lastCommand();
        run(engine.onStepResult(new StepFailed(build.commandId(), build.rolloutId(), build.clusterId(), build.nodeName(),
                build.step(), null, null, "HOST_KEY_MISMATCH", "host key of 127.77.1.1 changed"), CAUSE));
        int before = published.size();
        succeed(build); // a late duplicate
        active("dolphin-lab", "dx1", "5.21.0");
        clock.advance(Duration.ofHours(1));
        run(engine.onTick());

        assertThat(eventNames()).contains("RolloutHalted(dx1)");
        assertThat(published.subList(before, published.size())).isEmpty();
        assertThat(engine.rollout("r1").orElseThrow().state()).isEqualTo(RolloutState.HALTED);
    }

    @Test
    void aRedeliveredStepResultDoesNotSendTheNextStepTwice() {
        registerAllActive(dolphin(), "5.20.0");
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21.0"), CAUSE));
        NodeCommand build = lastCommand();
        succeed(build);
        succeed(build);

        assertThat(commands()).extracting(NodeCommand::step).containsExactly("build-rpm", "stop-services");
    }

    @Test
    void noNodeActiveWithinTheHealthTimeoutHaltsAndKeepsTheBudget() {
        registerAllActive(dolphin(), "5.20.0");
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21.0"), CAUSE));
        for (int i = 0; i < 3; i++) {
            succeed(lastCommand());
        }
        clock.advance(Duration.ofMinutes(6));
        run(engine.onTick());
        run(engine.onControl(new RolloutControl("r1", "dolphin-lab", RolloutControl.Action.RESUME, null, "bob"), CAUSE));

        assertThat(eventNames()).contains("RolloutHalted(dx1)", "RolloutResumed");
        // resumed, but dx1 still holds the only unit of budget: dx2 must not start
        assertThat(commands()).extracting(NodeCommand::nodeName).containsOnly("dx1");
    }

    @Test
    void requestsForUnknownClustersOrBadVersionsAreRejectedWithAReason() {
        run(engine.onClusterRegistered(dolphin()));
        run(engine.onUpgradeRequested(request("nope", "5.21.0"), CAUSE));
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21-beta"), CAUSE));

        assertThat(published).map(e -> ((RolloutRejected) e).code()).containsExactly("UNKNOWN_CLUSTER", "BAD_VERSION");
        assertThat(((RolloutRejected) published.get(0)).message()).contains("nope").contains("baton.clusters.v1");
    }

    @Test
    void preflightWaitsForHealthThenRejectsANodeThatStaysInactive() {
        run(engine.onClusterRegistered(dolphin()));
        active("dolphin-lab", "dx1", "5.20.0");
        active("dolphin-lab", "dx2", "5.20.0");
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21.0"), CAUSE));
        assertThat(published).isEmpty();
        assertThat(engine.rollout("r1").orElseThrow().waitingFor()).contains("dx3");

        clock.advance(Duration.ofSeconds(31));
        run(engine.onTick());

        assertThat(published).singleElement().isInstanceOfSatisfying(RolloutRejected.class,
                r -> assertThat(r.code()).isEqualTo("PREFLIGHT_NODE_NOT_ACTIVE"));
    }

    @Test
    void rollingFromAVersionTheReleaseNotesDoNotAllowIsRejected() {
        run(engine.onClusterRegistered(dolphin()));
        for (int n = 1; n <= 3; n++) {
            active("dolphin-lab", "dx" + n, n == 2 ? "5.18.0" : "5.20.0");
        }
        run(engine.onUpgradeRequested(request("dolphin-lab", "5.21.0"), CAUSE));

        assertThat(published).singleElement().isInstanceOfSatisfying(RolloutRejected.class,
                r -> assertThat(r.code()).isEqualTo("ROLLING_NOT_SUPPORTED"));
    }
}
