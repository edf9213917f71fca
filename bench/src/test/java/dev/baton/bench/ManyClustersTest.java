package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.world.EventLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ManyClustersTest {
    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    private final List<EventLog.Entry> entries = new ArrayList<>();

    @Test
    void theFleetHasDistinctLoopbackAddressesForAnyNumberOfClusters() {
        FleetSpec spec = FleetSpec.parse(ManyClusters.fleetYaml("many", 300, 3, Duration.ofMillis(500)));

        assertThat(spec.clusters()).hasSize(300).allSatisfy(c -> {
            assertThat(c.product()).isEqualTo(FleetSpec.Product.MATRIX_SERVER);
            assertThat(c.nodes()).hasSize(3);
            assertThat(c.nodes()).allSatisfy(n -> assertThat(n.faults().slowCommands())
                    .containsEntry("pmxs stop", Duration.ofMillis(500)).containsEntry("mx-install", Duration.ofMillis(500))
                    .containsEntry("pmxs start", Duration.ofMillis(500)));
        });
        Set<String> hosts = new HashSet<>();
        spec.clusters().forEach(c -> c.nodes().forEach(n -> hosts.add(n.sshHost())));
        assertThat(hosts).hasSize(900).allMatch(h -> h.startsWith("127.78.") || h.startsWith("127.79."));
        assertThat(spec.cluster("many-0251").nodes().get(0).sshHost()).isEqualTo("127.79.1.1");
        assertThat(spec.cluster("many-0250").nodes().get(2).sshHost()).isEqualTo("127.78.250.3");
    }

    @Test
    void completionRunsFromTheFirstRequestToTheLastCompletionAndCountsEveryNode() {
        rollout("many-0001", 0, 10_000);
        rollout("many-0002", 1_000, 19_000);

        ManyClusters.Outcome outcome = ManyClusters.outcome(entries, List.of("many-0001", "many-0002"), 2, "3.5.1",
                Duration.ofMillis(4200), 1);

        assertThat(outcome.completion()).isEqualTo(Duration.ofSeconds(19));
        assertThat(outcome.nodeUpgradesPerSecond()).isEqualTo(4 / 19.0);
        assertThat(outcome.clusterWall().max()).isEqualTo(Duration.ofSeconds(18));
        assertThat(outcome.clusterWall().p50()).isEqualTo(Duration.ofSeconds(10));
        assertThat(outcome.hop().count()).isEqualTo(2);
        assertThat(outcome.csv()).contains("2 clusters x 2 nodes at once, 1 executor(s),completion-time,baton,19.000,s");
        assertThat(outcome.markdown()).contains("| node upgrades per second | 0.21 |");
    }

    @Test
    void theClustersWhoseRolloutEndedAreFoundInOnePass() {
        rollout("many-0001", 0, 10_000);
        at(11_000, UpgradeRequests.upgrade("many-0002", "3.5.1").requestId("r-late").maxUnavailable(1).requestedBy("bench").build());

        assertThat(ManyClusters.finished(entries, List.of("many-0001", "many-0002"))).containsExactly("many-0001");
        assertThat(ManyClusters.finished(entries, List.of("many-0002"))).isEmpty();
    }

    @Test
    void theSummaryPutsOneAndTwoExecutorsSideBySideWithTheSpeedUp() throws Exception {
        rollout("many-0001", 0, 10_000);
        ManyClusters.Outcome one = ManyClusters.outcome(entries, List.of("many-0001"), 2, "3.5.1", Duration.ofMillis(4200), 1);
        entries.clear();
        rollout("many-0001", 0, 5_000);
        ManyClusters.Outcome two = ManyClusters.outcome(entries, List.of("many-0001"), 2, "3.5.1", Duration.ofMillis(4200), 2);

        String markdown = ManyClusters.summaryMarkdown(List.of(one, two));
        assertThat(markdown).contains("| 1 × 2 (limit 4.2 s each) | 1 | 10.0 s | 0.2 |");
        assertThat(markdown).contains("| 1 × 2 (limit 4.2 s each) | 2 | 5.0 s | 0.4 |").contains("| 2.00x |");
        assertThat(ManyClusters.summaryCsv(List.of(one, two)).lines()).hasSize(3)
                .element(2).asString().startsWith("1,2,2,4.200,5.000,0.400,");

        java.awt.image.BufferedImage chart = ResultChart.renderManyClusters(List.of(one, two));
        assertThat(chart.getHeight()).isGreaterThan(100);
        assertThat(bar(chart, 50 + 13)).as("one executor's bar, 10 s").isGreaterThan(bar(chart, 50 + 34 + 13));
        assertThat(bar(chart, 50 + 13)).isCloseTo(2 * bar(chart, 50 + 34 + 13), org.assertj.core.data.Offset.offset(2));
    }

    /** Length in pixels of the coloured bar on row {@code y} of the many-clusters chart (from its left edge at 230). */
    private static int bar(java.awt.image.BufferedImage image, int y) {
        int x = 230;
        while (x < image.getWidth() && image.getRGB(x, y) != java.awt.Color.WHITE.getRGB()
                && image.getRGB(x, y) != java.awt.Color.BLACK.getRGB()) {
            x++;
        }
        return x - 230;
    }

    /** A two-node rollout of {@code cluster}: requested at {@code from}, completed at {@code to} (milliseconds). */
    private void rollout(String cluster, long from, long to) {
        String rollout = "ro-" + cluster;
        at(from, UpgradeRequests.upgrade(cluster, "3.5.1").requestId("r-" + cluster).maxUnavailable(1).requestedBy("bench")
                .build());
        at(from + 10, new RolloutPlanned(rollout, cluster, "3.5.1", "membership-address-desc", 1, false, List.of(
                new RolloutPlanned.PlannedNode("n2", "127.78.1.2", "3.5.0", "upgrade", List.of()),
                new RolloutPlanned.PlannedNode("n1", "127.78.1.1", "3.5.0", "upgrade", List.of()))));
        at(from + 20, new StepStarted("c1", rollout, cluster, "n2", "stop", null, null, null, null));
        at(from + 1000, new StepSucceeded("c3", rollout, cluster, "n2", "start", 0, "", null, null));
        at(from + 2000, new NodeActive(cluster, "n2", "3.5.1", "b", T0, "version-changed"));
        at(from + 2100, new StepStarted("c4", rollout, cluster, "n1", "stop", null, null, null, null));
        at(from + 3000, new StepSucceeded("c6", rollout, cluster, "n1", "start", 0, "", null, null));
        at(to - 10, new NodeActive(cluster, "n1", "3.5.1", "b", T0, "version-changed"));
        at(to, new RolloutCompleted(rollout, cluster, null, null, null));
        // the hop needs the next node's NodeCommand too
        at(from + 2050, new dev.baton.contracts.NodeCommand("c4", rollout, cluster, "n1", "stop",
                dev.baton.contracts.NodeCommand.Kind.RUN, "pmxs stop", new dev.baton.contracts.SshTarget("127.78.1.1", 22, "root"),
                Duration.ofMinutes(5), true, 1, 1));
    }

    private void at(long millis, BatonEvent event) {
        entries.add(new EventLog.Entry("topic", 0, entries.size(), T0.plusMillis(millis), event, null));
    }
}
