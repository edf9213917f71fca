package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.NodeActive;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.FleetManagement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code BATON_HEALTH_IDLE_INTERVAL}: a settled node (active, nothing going on) is probed at the idle interval, and a
 * step reported on it on {@code baton.results.v1} brings it back to the short interval at once. Real health service
 * (packaged jar), real Kafka, a simulated Matrix cluster; the probes are counted in the node's own command log.
 */
class IdleProbingIT {
    private static final String CLUSTER = "idle-matrix";
    private static final Duration IDLE = Duration.ofSeconds(3);

    @TempDir
    static Path workDir;

    private static final SandboxKafka kafka = SandboxKafka.shared();
    private static SimulatedFleet fleet;
    private static HealthProcess service;
    private static FleetManagement fleetManagement;

    @BeforeAll
    static void start() throws Exception {
        fleet = SimulatedFleet.start(FleetSpec.parse("""
                sshUser: root
                clusters:
                  - {id: idle-matrix, product: matrix-server, version: 3.5.0, nodes: [{name: m1}, {name: m2}]}
                """), workDir.resolve("fleet"));
        service = HealthProcess.start("idle-probing", kafka.bootstrapServers(), fleet, workDir,
                Map.of("BATON_HEALTH_INTERVAL", "PT0.3S", "BATON_HEALTH_IDLE_INTERVAL", IDLE.toString()));
        fleetManagement = new FleetManagement(kafka.bootstrapServers(), "idle-probing-it");
        fleet.registrations().forEach(fleetManagement::publish);
    }

    @AfterAll
    static void stop() throws Exception {
        HealthProcess.closeAll(fleetManagement, service, fleet);
    }

    @Test
    void aSettledNodeIsProbedAtTheIdleIntervalUntilAStepIsReportedOnIt() throws Exception {
        try (TopicTail health = new TopicTail(kafka.bootstrapServers(), Topics.HEALTH)) {
            await("both nodes active").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(health.events(NodeActive.class, CLUSTER)).extracting(NodeActive::nodeName)
                            .contains("m1", "m2"));
        }
        SimulatedNode m1 = fleet.node(CLUSTER, "m1");

        // settled: the loop chose the idle interval for its next run (the REST view shows that choice); no timing is
        // asserted, only which interval the node's loop uses
        await("m1 settled").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(service.nodeView(CLUSTER, "m1").path("probeInterval").asText()).isEqualTo("PT3S"));

        // a step succeeded on it (as the executor reports): probed again at once, and on the short interval again
        int hinted = probes(m1);
        fleetManagement.publish(new StepSucceeded("idle-it-cmd", "idle-it-rollout", CLUSTER, "m1", "stop", 0, "", null, null));
        await("m1 busy").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(probes(m1)).as("probed after the step was reported").isGreaterThan(hinted);
            assertThat(service.nodeView(CLUSTER, "m1").path("probeInterval").asText()).isEqualTo("PT0.3S");
        });
        assertThat(service.nodeView(CLUSTER, "m2").path("probeInterval").asText()).as("the other node stays idle")
                .isEqualTo("PT3S");
    }

    private static int probes(SimulatedNode node) {
        return (int) node.commandLog().stream().filter(c -> c.contains("pmxs status")).count();
    }
}
