package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.sandbox.fleet.FleetSpec;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RollingUpgradeBenchTest {
    private static final Path ROOT = Path.of("/repo");

    @Test
    void defaultsAreEverythingTheIssueAsksFor() {
        BenchOptions options = RollingUpgradeBench.parse(new String[0], ROOT);

        assertThat(options.rounds()).isEqualTo(3);
        assertThat(options.skipAnsible()).isFalse();
        assertThat(options.results()).isEqualTo(Path.of("/repo/bench/results"));
        assertThat(options.fleet()).isNull();
        assertThat(options.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(options.auditEvents()).isEqualTo(1_000_000);
        assertThat(options.clusterCounts()).containsExactly(100, 300, 1000);
        assertThat(options.clusterSize()).isEqualTo(3);
        assertThat(options.executors()).isEqualTo(2);
        assertThat(options.skipRollout()).isFalse();

        BenchOptions quick = RollingUpgradeBench.parse(new String[] {"--quick"}, ROOT);
        assertThat(quick.rounds()).isEqualTo(1);
        assertThat(quick.clusterCounts()).containsExactly(100);
        assertThat(quick.executors()).isEqualTo(1);
        assertThat(quick.auditEvents()).isZero();
    }

    @Test
    void eachPartCanBeChosenOrSkipped() {
        BenchOptions options = RollingUpgradeBench.parse(
                new String[] {"--audit", "1_000_000", "--no-rollout"}, ROOT);

        assertThat(options.auditEvents()).isEqualTo(1_000_000);
        assertThat(options.skipRollout()).isTrue();
        assertThatThrownBy(() -> RollingUpgradeBench.parse(
                new String[] {"--no-rollout", "--audit", "0", "--clusters", "0"}, ROOT)).hasMessageContaining("nothing to measure");
        assertThat(RollingUpgradeBench.parse(new String[] {"--audit", "0"}, ROOT).auditEvents()).isZero();
        assertThat(RollingUpgradeBench.parse(new String[] {"--clusters", "0"}, ROOT).clusterCounts()).isEmpty();
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--audit", "lots"}, ROOT))
                .hasMessageContaining("--audit: 'lots'");
        BenchOptions many = RollingUpgradeBench.parse(
                new String[] {"--no-rollout", "--clusters", "100", "--cluster-size", "3"}, ROOT);
        assertThat(many.clusterCounts()).containsExactly(100);
        assertThat(many.clusterSize()).isEqualTo(3);
        assertThat(RollingUpgradeBench.parse(new String[] {"--clusters", "10,30"}, ROOT).clusterCounts())
                .containsExactly(10, 30);
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--clusters", "10,x"}, ROOT))
                .hasMessageContaining("--clusters: 'x'");
        assertThat(RollingUpgradeBench.parse(new String[] {"--clusters", "5", "--executors", "2"}, ROOT).executors())
                .isEqualTo(2);
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--executors", "3"}, ROOT))
                .hasMessageContaining("--executors: '3' is not 1 or 2");
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--clusters", "0,5"}, ROOT))
                .hasMessageContaining("--clusters: '0'");
    }

    @Test
    void optionsAreReadAndMistakesNamed() {
        BenchOptions options = RollingUpgradeBench.parse(
                new String[] {"--rounds", "1", "--no-ansible", "--results", "/tmp/r", "--timeout", "PT2M"}, ROOT);

        assertThat(options.rounds()).isEqualTo(1);
        assertThat(options.skipAnsible()).isTrue();
        assertThat(options.results()).isEqualTo(Path.of("/tmp/r"));
        assertThat(options.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--rounds", "0"}, ROOT))
                .hasMessageContaining("--rounds");
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--timeout", "10m"}, ROOT))
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> RollingUpgradeBench.parse(new String[] {"--fast"}, ROOT))
                .hasMessageContaining("Unknown option: '--fast'");
    }

    @Test
    void matrixNodesAreUpgradedHighestClusterAddressFirstComparedNumerically() {
        assertThat(RolloutDriver.numeric("127.77.1.16")).isGreaterThan(RolloutDriver.numeric("127.77.1.9"));
        assertThat(RolloutDriver.bump("3.5.0", 2)).isEqualTo("3.5.2");
        assertThat(RolloutDriver.bump("3.5.9", 1)).isEqualTo("3.5.10");
    }

    @Test
    void eachRoundRollsTheSameNodesUnderItsOwnClusterId() {
        FleetSpec spec = FleetSpec.fromClasspath(RollingUpgradeBench.DEFAULT_FLEET);

        FleetSpec round2 = RolloutDriver.renamed(spec, "bench-matrix-r2");

        assertThat(round2.clusters()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("bench-matrix-r2");
            assertThat(c.nodes()).isEqualTo(spec.clusters().get(0).nodes());
            assertThat(c.version()).isEqualTo("3.5.0");
        });
    }

    @Test
    void eachRoundWarmsBatonUpOnATwoNodeClusterOfItsOwnThatSharesNoAddressWithTheMeasuredOne() {
        FleetSpec spec = RolloutDriver.renamed(FleetSpec.fromClasspath(RollingUpgradeBench.DEFAULT_FLEET), "bench-matrix-r2");

        FleetSpec round = RolloutDriver.withWarmUp(spec, 2);

        assertThat(round.clusters()).hasSize(2);
        assertThat(round.clusters().get(0)).isEqualTo(spec.clusters().get(0));
        FleetSpec.Cluster warmUp = round.clusters().get(1);
        assertThat(warmUp.id()).isEqualTo("warmup-r2-bench-matrix-r2-0001");
        assertThat(warmUp.nodes()).hasSize(2);
        assertThat(warmUp.nodes()).extracting(FleetSpec.Node::sshHost)
                .doesNotContainAnyElementsOf(spec.clusters().get(0).nodes().stream().map(FleetSpec.Node::sshHost).toList());
        assertThat(RolloutDriver.withWarmUp(spec, 3).clusters().get(1).id()).isNotEqualTo(warmUp.id());
    }
}
