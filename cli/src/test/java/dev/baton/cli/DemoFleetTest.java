package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.sandbox.fleet.FleetSpec;
import org.junit.jupiter.api.Test;

/** The fleet ./baton demo rolls by default: what the root README promises. */
class DemoFleetTest {
    @Test
    void fiveMatrixNodesAndFourDolphinNodesOneOfWhichRefusesToStop() {
        FleetSpec spec = FleetSpec.fromClasspath(DemoCommand.DEFAULT_FLEET);

        FleetSpec.Cluster matrix = spec.cluster("matrix-prod");
        FleetSpec.Cluster dolphin = spec.cluster("dolphin-lab");
        assertThat(matrix.product()).isEqualTo(FleetSpec.Product.of("matrix-server"));
        assertThat(matrix.nodes()).hasSize(5);
        assertThat(dolphin.product()).isEqualTo(FleetSpec.Product.of("dolphin-expressware"));
        assertThat(dolphin.nodes()).hasSize(4);
        assertThat(dolphin.nodes()).filteredOn(n -> n.faults().refuseStop()).extracting(FleetSpec.Node::name)
                .containsExactly("dx3");
        assertThat(DemoCommand.TARGETS).containsEntry("matrix-server", "3.5.1").containsEntry("dolphin-expressware", "5.21.0");
        assertThat(dolphin.node("dx3").faults().describe()).containsExactly("refuseStop (its services won't stop)");
    }
}
