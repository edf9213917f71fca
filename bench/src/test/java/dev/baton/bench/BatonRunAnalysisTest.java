package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.fixtures.NodeCommands;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.world.EventLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatonRunAnalysisTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private final List<EventLog.Entry> entries = new ArrayList<>();

    @Test
    void wallTimeRunsFromTheRequestToTheCompletionAndEachHopFromNodeActiveToTheNextNodesFirstStep() {
        // an earlier NodeActive of "a" on the old version must not count as the hop's start
        at(-5000, new NodeActive("m", "a", "3.5.1", "boot-1", T0, "probe-stable"));
        at(0, UpgradeRequests.upgrade("m", "3.5.2").requestId("r1").maxUnavailable(1).requestedBy("bench").build());
        at(40, plan("a", "b", "c"));
        at(50, command("a", "stop"));
        at(60, started("a", "stop"));
        at(1500, succeeded("a", "start"));
        at(2000, new NodeActive("m", "a", "3.5.2", "boot-1", T0, "version-changed"));
        at(2030, command("b", "stop"));
        at(2045, started("b", "stop"));
        at(3500, succeeded("b", "start"));
        at(2090, started("b", "install")); // a later step of the same node is not the hop's end
        at(4000, new NodeActive("m", "b", "3.5.2", "boot-1", T0, "version-changed"));
        at(4100, command("c", "stop"));
        at(4250, started("c", "stop"));
        at(5500, succeeded("c", "start"));
        at(6000, new NodeActive("m", "c", "3.5.2", "boot-1", T0, "version-changed"));
        at(6020, new RolloutCompleted("ro-1", "m", null, null, null));
        // records of other partitions arrive out of time order
        java.util.Collections.reverse(entries);

        BatonRunAnalysis run = BatonRunAnalysis.of(entries, "m", "3.5.2");

        assertThat(run.wallTime()).isEqualTo(Duration.ofMillis(6020));
        assertThat(run.planOrder()).containsExactly("a", "b", "c");
        assertThat(run.hops()).extracting(BatonRunAnalysis.Hop::previousNode, BatonRunAnalysis.Hop::nextNode)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "b"), org.assertj.core.groups.Tuple.tuple("b", "c"));
        assertThat(run.hops()).extracting(BatonRunAnalysis.Hop::toStepStarted)
                .containsExactly(Duration.ofMillis(45), Duration.ofMillis(250));
        assertThat(run.hops()).extracting(BatonRunAnalysis.Hop::toCommand)
                .containsExactly(Duration.ofMillis(30), Duration.ofMillis(100));
        assertThat(run.hopToStepStarted().max()).isEqualTo(Duration.ofMillis(250));
        assertThat(run.hopToStepStarted().p50()).isEqualTo(Duration.ofMillis(45));
        // where the wall time went, adding up to it exactly
        BatonRunAnalysis.Breakdown parts = run.breakdown();
        assertThat(parts.start()).isEqualTo(Duration.ofMillis(60));
        assertThat(parts.steps()).isEqualTo(Duration.ofMillis(1440 + 1455 + 1250));
        assertThat(parts.health()).isEqualTo(Duration.ofMillis(1500));
        assertThat(parts.hops()).isEqualTo(Duration.ofMillis(295));
        assertThat(parts.end()).isEqualTo(Duration.ofMillis(20));
        assertThat(parts.total()).isEqualTo(run.wallTime());
    }

    @Test
    void aRolloutThatDidNotCompleteIsReportedNotMeasured() {
        at(0, UpgradeRequests.upgrade("m", "3.5.2").requestId("r1").maxUnavailable(1).requestedBy("bench").build());
        at(40, plan("a", "b"));

        assertThatThrownBy(() -> BatonRunAnalysis.of(entries, "m", "3.5.2"))
                .hasMessageContaining("did not complete");
    }

    @Test
    void aNodeWithoutItsStepStartedIsReportedNotMeasured() {
        at(0, UpgradeRequests.upgrade("m", "3.5.2").requestId("r1").maxUnavailable(1).requestedBy("bench").build());
        at(40, plan("a", "b"));
        at(60, started("a", "stop"));
        at(1500, succeeded("a", "start"));
        at(2000, new NodeActive("m", "a", "3.5.2", "boot-1", T0, "version-changed"));
        at(2030, command("b", "stop"));
        at(6020, new RolloutCompleted("ro-1", "m", null, null, null));

        assertThatThrownBy(() -> BatonRunAnalysis.of(entries, "m", "3.5.2"))
                .hasMessageContaining("node b").hasMessageContaining("StepStarted false");
    }

    private void at(long millis, BatonEvent event) {
        entries.add(new EventLog.Entry("topic", 0, entries.size(), T0.plusMillis(millis), event, null));
    }

    private static RolloutPlanned plan(String... nodes) {
        return new RolloutPlanned("ro-1", "m", "3.5.2", "membership-address-desc", 1, false,
                java.util.Arrays.stream(nodes).map(n -> new RolloutPlanned.PlannedNode(n, "10.0.0.1", "3.5.1", "upgrade",
                        List.of("stop", "install", "start"))).toList());
    }

    private static NodeCommand command(String node, String step) {
        return NodeCommands.run("m", node, step, "pmxs " + step).commandId("c-" + node + "-" + step).rolloutId("ro-1")
                .target(new SshTarget("127.77.1.1", 22, "root")).timeout(Duration.ofMinutes(5)).disruptive().build();
    }

    private static StepSucceeded succeeded(String node, String step) {
        return new StepSucceeded("c-" + node + "-" + step, "ro-1", "m", node, step, 0, "", null, null);
    }

    private static StepStarted started(String node, String step) {
        return new StepStarted("c-" + node + "-" + step, "ro-1", "m", node, step, null, null, null, null);
    }
}
