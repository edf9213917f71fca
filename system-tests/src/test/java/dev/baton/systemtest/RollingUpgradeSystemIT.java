package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutEvent;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The four packaged services run as separate processes against the sandbox (real Kafka, real
 * PostgreSQL, real SSH nodes) and roll a 3-node Dolphin cluster from 5.20.0 to 5.21.0 and a
 * 4-node Matrix cluster from 3.5.0 to 3.5.1. Everything is checked from what a user sees: the
 * Kafka topics read back with a plain consumer, the nodes themselves, and the audit REST API.
 */
class RollingUpgradeSystemIT {
    private static LocalBaton baton;

    @BeforeAll
    static void startBaton() throws Exception {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", "..")).toAbsolutePath().normalize();
        Path workDir = repoRoot.resolve("system-tests/target/system-it-" + UUID.randomUUID().toString().substring(0, 8));
        baton = LocalBaton.start(repoRoot, FleetSpec.fromClasspath("/fleets/demo.yaml"), workDir, "fleet-management-it");
        System.out.println("[system-it] services started, logs in " + workDir);
    }

    @AfterAll
    static void stopBaton() {
        if (baton != null) {
            baton.close();
        }
    }

    @Test
    void dolphinAndMatrixClustersRollToTheTargetOneNodeAtATimeInPlanOrder() throws Exception {
        baton.registerFleet();
        ClusterRegistered dolphin = cluster("dolphin-lab");
        ClusterRegistered matrix = cluster("matrix-prod");
        baton.awaitAllActive(dolphin, Duration.ofSeconds(60));
        baton.awaitAllActive(matrix, Duration.ofSeconds(60));

        request(dolphin, "5.21.0");
        request(matrix, "3.5.1");
        EventLog log = baton.eventLog();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(log.events(RolloutEvent.class).stream()
                        .filter(e -> e instanceof RolloutCompleted || e instanceof RolloutHalted || e instanceof RolloutRejected)
                        .map(RolloutEvent::clusterId).distinct()).hasSize(2));
        assertThat(log.events(RolloutHalted.class)).as("halted rollouts").isEmpty();
        assertThat(log.events(RolloutRejected.class)).as("rejected rollouts").isEmpty();

        // Matrix: highest address the matrix knows first, compared numerically; never the SSH address
        List<String> matrixOrder = matrix.nodes().stream()
                .sorted(Comparator.comparing((ClusterRegistered.Node n) -> numeric(n.clusterAddress())).reversed())
                .map(ClusterRegistered.Node::name).toList();
        assertThat(matrixOrder).containsExactly("srv4", "srv3", "srv2", "srv1");
        RolloutPlanned matrixPlan = plan("matrix-prod");
        assertThat(matrixPlan.nodes()).extracting(RolloutPlanned.PlannedNode::clusterAddress)
                .containsExactly("10.10.1.4", "10.10.1.3", "10.10.1.2", "10.10.1.1");
        assertRolledInOrder("matrix-prod", matrixOrder, "3.5.1");

        List<String> dolphinOrder = plan("dolphin-lab").nodes().stream().map(RolloutPlanned.PlannedNode::nodeName).toList();
        assertThat(dolphinOrder).containsExactly("dx1", "dx2", "dx3");
        assertRolledInOrder("dolphin-lab", dolphinOrder, "5.21.0");

        // every message on a baton.* topic is stored exactly once by the audit service
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(auditCount()).isEqualTo(log.publishedCount()));
        System.out.printf("[system-it] rolled dolphin-lab %s and matrix-prod %s; %d messages published, %d audited%n",
                dolphinOrder, matrixOrder, log.publishedCount(), auditCount());
    }

    /**
     * Nodes started in plan order, each reached the target (as published and as the node itself runs),
     * and no node's first command was published before its predecessor's NodeActive on the target.
     */
    private static void assertRolledInOrder(String clusterId, List<String> expectedOrder, String target) {
        EventLog log = baton.eventLog();
        assertThat(log.events(NodeUpgradeStarted.class).stream().filter(e -> e.clusterId().equals(clusterId))
                .map(NodeUpgradeStarted::nodeName)).containsExactlyElementsOf(expectedOrder);
        assertThat(log.events(NodeUpgraded.class).stream().filter(e -> e.clusterId().equals(clusterId)))
                .extracting(NodeUpgraded::nodeName, NodeUpgraded::runningVersion)
                .containsExactlyElementsOf(expectedOrder.stream().map(n -> org.assertj.core.groups.Tuple.tuple(n, target)).toList());
        for (SimulatedNode node : baton.fleet().nodes(clusterId)) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo(target);
        }
        for (int i = 1; i < expectedOrder.size(); i++) {
            String previous = expectedOrder.get(i - 1);
            String next = expectedOrder.get(i);
            EventLog.Entry previousActive = log.entriesOf(NodeActive.class).stream()
                    .filter(e -> e.event().clusterId().equals(clusterId) && e.event().nodeName().equals(previous)
                            && target.equals(((NodeActive) e.event()).runningVersion()))
                    .findFirst().orElseThrow(() -> new AssertionError(previous + " never reported active on " + target));
            EventLog.Entry firstCommand = log.entriesOf(NodeCommand.class).stream()
                    .filter(e -> e.event().clusterId().equals(clusterId) && e.event().nodeName().equals(next))
                    .findFirst().orElseThrow(() -> new AssertionError("no command for " + next));
            assertThat(firstCommand.timestamp()).as("first command of %s vs NodeActive of %s", next, previous)
                    .isAfterOrEqualTo(previousActive.timestamp());
        }
    }

    private static ClusterRegistered cluster(String clusterId) {
        return baton.fleet().registrations().stream().filter(c -> c.clusterId().equals(clusterId)).findFirst().orElseThrow();
    }

    private static RolloutPlanned plan(String clusterId) {
        return baton.eventLog().events(RolloutPlanned.class).stream().filter(p -> p.clusterId().equals(clusterId))
                .findFirst().orElseThrow();
    }

    private static void request(ClusterRegistered cluster, String target) {
        baton.fleetManagement().publish(new UpgradeRequested(UUID.randomUUID().toString(), cluster.clusterId(), target,
                1, null, null, null, false, false, List.of(), false, "fleet-management-it"));
    }

    private static long auditCount() throws Exception {
        String url = baton.services().service("audit-service").baseUrl() + "/api/v1/audit/events/count";
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return Long.parseLong(response.body().replaceAll("[^0-9]", ""));
    }

    private static BigInteger numeric(String address) {
        try {
            return new BigInteger(1, InetAddress.getByName(address).getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(address, e);
        }
    }
}
