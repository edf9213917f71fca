package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.fleet.FleetSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhysicalLimitTest {
    private final Procedure matrix = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();

    @Test
    void theBenchClusterNeedsThreeHalfSecondStepsAndTheHealthWindowPerNode() {
        FleetSpec.Cluster cluster = FleetSpec.fromClasspath(RollingUpgradeBench.DEFAULT_FLEET).clusters().get(0);

        PhysicalLimit limit = PhysicalLimit.of(matrix, cluster, "3.5.2", Duration.ofMillis(300));

        assertThat(limit.nodes()).hasSize(16);
        assertThat(limit.nodes().get(0).steps()).containsOnlyKeys("stop", "install", "start")
                .allSatisfy((step, time) -> assertThat(time).isEqualTo(Duration.ofMillis(500)));
        // matrix-server's stableProbes is 3: the first good probe plus two more 0.3 s apart
        assertThat(limit.nodes().get(0).stabilisation()).isEqualTo(Duration.ofMillis(600));
        assertThat(limit.stepTime()).isEqualTo(Duration.ofSeconds(24));
        assertThat(limit.stabilisationTime()).isEqualTo(Duration.ofMillis(9600));
        assertThat(limit.total()).isEqualTo(Duration.ofMillis(33600));
    }

    @Test
    void aStepNoSlowCommandMatchesCostsNothingAndTheLongestMatchWins() {
        Map<String, Duration> slow = Map.of("pmxs", Duration.ofSeconds(1), "pmxs start", Duration.ofSeconds(3));

        assertThat(PhysicalLimit.simulatedDuration("pmxs start", slow)).isEqualTo(Duration.ofSeconds(3));
        assertThat(PhysicalLimit.simulatedDuration("pmxs stop", slow)).isEqualTo(Duration.ofSeconds(1));
        assertThat(PhysicalLimit.simulatedDuration("mx-install 3.5.1", slow)).isZero();
    }

    @Test
    void aClusterWithoutSlowCommandsIsBoundOnlyByTheHealthWindow() {
        FleetSpec.Cluster cluster = FleetSpec.parse("""
                clusters:
                  - id: m
                    product: matrix-server
                    version: 3.5.0
                    nodes: [{name: a}, {name: b}]
                """).clusters().get(0);

        PhysicalLimit limit = PhysicalLimit.of(matrix, cluster, "3.5.1", Duration.ofSeconds(1));

        assertThat(limit.stepTime()).isZero();
        assertThat(limit.total()).isEqualTo(Duration.ofSeconds(4));
    }
}
