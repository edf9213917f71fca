package dev.baton.sandbox.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.SimulatedFleet;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(BatonSandboxExtension.class)
@WithFleet("/fleets/demo.yaml")
class BatonSandboxExtensionIT {
    private static SimulatedFleet firstSeen;

    @Test
    void aTestGetsKafkaAndARunningFleet(SandboxKafka kafka, SimulatedFleet fleet) throws Exception {
        assertThat(kafka.bootstrapServers()).isNotBlank();
        assertThat(fleet.registrations()).extracting(ClusterRegistered::clusterId).containsExactly("dolphin-lab", "matrix-prod");
        var node = fleet.node("matrix-prod", "srv1");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.sshHost(), node.sshPort()), 2000);
        }
        remember(fleet);
    }

    @Test
    void theFleetIsSharedByTheTestsOfAClass(SimulatedFleet fleet) {
        remember(fleet);
    }

    private static synchronized void remember(SimulatedFleet fleet) {
        if (firstSeen == null) {
            firstSeen = fleet;
        }
        assertThat(fleet).isSameAs(firstSeen);
    }
}
