package dev.baton.planner.rollout;

import static dev.baton.planner.rollout.EngineHarness.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.fixtures.ClusterRegistrations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A dry run that explains itself: why each node is where it is, its rendered steps, artifacts, guards, estimate. */
class PlanExplanationTest {
    private final EngineHarness h = new EngineHarness();

    private RolloutPlanned plan() {
        return h.published.stream().filter(RolloutPlanned.class::isInstance).map(RolloutPlanned.class::cast)
                .reduce((a, b) -> b).orElseThrow();
    }

    private static RolloutPlanned.PlannedNode node(RolloutPlanned plan, String name) {
        return plan.nodes().stream().filter(n -> n.nodeName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aMatrixDryRunSaysWhichAddressOrderedEachNodeAndWhereItCameFrom() {
        h.registerAllActive(RolloutEngineTest.referenceMatrix(), "3.5.0");
        // the membership reports srv1 and srv2; srv3 is not in it, so its inventory address is used
        h.membership("matrix-prod", Map.of("srv1", "10.10.1.1", "srv2", "10.10.1.20"));
        h.request(upgrade("matrix-prod", "3.5.1").dryRun());

        RolloutPlanned plan = plan();
        assertThat(plan.nodes()).extracting(RolloutPlanned.PlannedNode::nodeName).containsExactly("srv2", "srv3", "srv1");
        assertThat(node(plan, "srv2").reason()).isEqualTo("1st of 3 to upgrade by membership address, highest first, "
                + "compared as numbers: 10.10.1.20, as the cluster's membership reports it");
        assertThat(node(plan, "srv3").reason()).startsWith("2nd of 3").contains("10.10.1.3")
                .contains("the inventory's clusterAddress");
        assertThat(node(plan, "srv1").plannedSteps()).extracting(RolloutPlanned.PlannedStep::name)
                .containsExactlyElementsOf(node(plan, "srv1").steps());
        assertThat(node(plan, "srv1").plannedSteps()).allSatisfy(s -> assertThat(s.command()).isNotBlank()
                .doesNotContain("${"));
        assertThat(plan.guards()).anyMatch(g -> g.startsWith("at most 1 node(s) unavailable at once"))
                .anyMatch(g -> g.startsWith("the last active node on the old version"))
                .anyMatch(g -> g.contains("alert after PT2H, halt after PT8H"));
        assertThat(h.commands()).isEmpty();
        // the REST view carries the same explained plan (what `baton upgrade --dry-run` prints)
        assertThat(h.view().plan()).isEqualTo(plan);
    }

    @Test
    void aDolphinDryRunRendersEachCommandAndSaysWhichNodeBuildsAndWhichGetsThePush() {
        List<ClusterRegistered.Node> nodes = List.of(
                RolloutEngineTest.node("dx1", "127.77.1.1", "192.168.7.1"),
                RolloutEngineTest.node("dx2", "127.77.1.2", "192.168.7.2"),
                ClusterRegistrations.nodeWith("dx3", "127.77.1.3", n -> n.clusterAddress("192.168.7.3")
                        .addresses("192.168.7.3", "127.77.1.3").platform("aarch64", "rhel-9")));
        h.registerAllActive(ClusterRegistrations.cluster("dolphin-lab", "dolphin-expressware").nodes(nodes).build(), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0").maxUnavailable(2).dryRun());

        RolloutPlanned plan = plan();
        assertThat(node(plan, "dx1").reason()).isEqualTo("1st of 3 to upgrade in inventory order");
        RolloutPlanned.PlannedStep build = node(plan, "dx1").plannedSteps().get(0);
        assertThat(build.artifact()).isEqualTo("build x86_64/rhel-9/5.21.0");
        assertThat(build.command()).isEqualTo("sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        RolloutPlanned.PlannedStep push = node(plan, "dx2").plannedSteps().get(0);
        assertThat(push.artifact()).isEqualTo("push x86_64/rhel-9/5.21.0 built on dx1");
        assertThat(push.command()).isNull();
        assertThat(node(plan, "dx3").plannedSteps().get(0).artifact()).isEqualTo("build aarch64/rhel-9/5.21.0");
        assertThat(node(plan, "dx1").plannedSteps()).filteredOn(s -> s.name().equals("install")).singleElement()
                .satisfies(s -> assertThat(s.command()).endsWith("--use-rpms .").doesNotContain("--enforce"));
        assertThat(plan.guards()).anyMatch(g -> g.startsWith("at most 2 node(s) unavailable at once"))
                .anyMatch(g -> g.contains("within PT5M: rebooted once, then the rollout halts"))
                .noneMatch(g -> g.startsWith("the last active node"));
        // steps 10 + 2 + 15 min, health 5 min: 32 min a node; 3 nodes 2 at a time are 2 batches
        assertThat(plan.estimatedDuration()).isEqualTo(Duration.ofMinutes(64));
    }

    @Test
    void aForcedDryRunShowsTheForcedCommandAndSkippedAndExcludedNodesSayWhy() {
        h.registerAllActive(RolloutEngineTest.dolphin(3), "5.20.0");
        h.active("dolphin-lab", "dx3", "5.21.0");
        h.request(upgrade("dolphin-lab", "5.21.0").exclude("dx2").dryRun());

        RolloutPlanned plan = plan();
        assertThat(node(plan, "dx2").reason()).startsWith("excluded by the request");
        assertThat(node(plan, "dx3").reason()).isEqualTo("already runs 5.21.0: skipped (a forced request re-installs it)");
        assertThat(node(plan, "dx3").plannedSteps()).isEmpty();
        assertThat(plan.estimatedDuration()).isEqualTo(Duration.ofMinutes(32));

        EngineHarness forced = new EngineHarness();
        forced.registerAllActive(RolloutEngineTest.dolphin(1), "5.21.0");
        forced.request(upgrade("dolphin-lab", "5.20.0").force().dryRun());
        RolloutPlanned downgrade = forced.published.stream().filter(RolloutPlanned.class::isInstance)
                .map(RolloutPlanned.class::cast).findFirst().orElseThrow();
        assertThat(node(downgrade, "dx1").plannedSteps()).filteredOn(s -> s.name().equals("install")).singleElement()
                .satisfies(s -> assertThat(s.command()).endsWith("--use-rpms . --enforce"));
    }
}
