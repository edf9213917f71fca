package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.MembershipObserved.Member;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.ssh.SshClients;
import dev.baton.ssh.SshEndpoint;
import dev.baton.ssh.SshSettings;
import dev.baton.sandbox.world.FleetManagement;
import dev.baton.sandbox.fleet.SimulatedNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The situations the issue names, against real Kafka and the simulated fleet's real SSH servers
 * ({@code /fleets/health-scenarios.yaml}: one node or one cluster per situation, so the tests do not depend on their
 * order), with the packaged service running as a process: an upgrade with reboot, a flapping node, a node that never
 * returns, an update installed but not loaded, and the Matrix out-of-order and last-old-server situations as
 * {@code MembershipObserved} shows them.
 */
class HealthScenariosIT {
    private static final Duration EDGE_WAIT = Duration.ofSeconds(30);
    private static final String DOLPHIN = "dolphin-scenarios";
    private static final String SIA = "sh ./Dolphin_eXpressWare-5.21.0.sh";

    @TempDir
    static Path workDir;

    private static final SandboxKafka kafka = SandboxKafka.shared();
    private static SimulatedFleet fleet;
    private static HealthProcess service;
    private static TcpListener web1Listener;
    private static HttpServer api1Server;
    private static final AtomicInteger api1Status = new AtomicInteger(200);
    private TopicTail health;

    @BeforeAll
    static void startTheFleetAndTheService() throws Exception {
        fleet = SimulatedFleet.start(FleetSpec.fromClasspath("/fleets/health-scenarios.yaml"), workDir.resolve("fleet"));
        web1Listener = TcpListener.open(fleet.node("dolphin-checked", "web1").sshHost(), 0);
        Path procedures = Files.createDirectories(workDir.resolve("procedures"));
        Files.writeString(procedures.resolve("dolphin-checked.yaml"), """
                name: dolphin-checked
                product: dolphin-expressware
                steps:
                  - name: restart
                    command: "dis_services restart"
                health:
                  command: "dis_services status"
                  activePattern: "^Node status: active$"
                  versionCommand: "dis_services status"
                  versionPattern: "^Running version: (\\\\d+(?:\\\\.\\\\d+)*)$"
                  check:
                    tcp: {port: %d}
                  stableProbes: 3
                """.formatted(web1Listener.port()));
        api1Server = HttpServer.create(new InetSocketAddress(fleet.node("dolphin-http", "api1").sshHost(), 0), 0);
        api1Server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(api1Status.get(), -1);
            exchange.close();
        });
        api1Server.start();
        Files.writeString(procedures.resolve("dolphin-http.yaml"), """
                name: dolphin-http
                product: dolphin-expressware
                steps:
                  - name: restart
                    command: "dis_services restart"
                health:
                  versionCommand: "dis_services status"
                  versionPattern: "^Running version: (\\\\d+(?:\\\\.\\\\d+)*)$"
                  check:
                    http: {port: %d, path: /healthz, expectStatus: 200}
                  probeTimeout: PT2S
                """.formatted(api1Server.getAddress().getPort()));
        service = HealthProcess.start("health-scenarios", kafka.bootstrapServers(), fleet, workDir,
                Map.of("BATON_HEALTH_INTERVAL", "PT0.3S", "BATON_HEALTH_PROCEDURES", procedures.toString()));
        try (FleetManagement fleetManagement = new FleetManagement(kafka.bootstrapServers(), "it")) {
            fleet.registrations().forEach(fleetManagement::publish);
        }
    }

    @AfterAll
    static void stopEverything() {
        if (service != null) {
            service.close();
        }
        if (web1Listener != null) {
            web1Listener.close();
        }
        if (api1Server != null) {
            api1Server.stop(0);
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @BeforeEach
    void readTheHealthTopic() {
        health = new TopicTail(kafka.bootstrapServers(), Topics.HEALTH);
    }

    @AfterEach
    void closeTopic() {
        if (health != null) {
            health.close();
        }
    }

    @Test
    void anUpgradeWithRebootIsOneInactiveThenOneActiveOnTheNewVersionAndBoot() throws Exception {
        SimulatedNode node = fleet.node(DOLPHIN, "upgraded");
        awaitEdges(DOLPHIN, "upgraded", 1);
        String bootBefore = node.bootId();

        assertThat(exec(node, SIA + " --build-rpm")).isZero();
        execUntilTheConnectionDrops(node, SIA + " --install-node --use-rpms . --reboot");

        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "upgraded")).hasSize(3));
        // edges only: nothing more while the node stays up on its new boot
        await().pollInSameThread().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "upgraded")).hasSize(3));
        List<HealthEvent> edges = health.edges(DOLPHIN, "upgraded");
        assertThat(edges.get(0)).isInstanceOfSatisfying(NodeActive.class,
                active -> assertThat(active.runningVersion()).isEqualTo("5.20.0"));
        assertThat(edges.get(1)).isInstanceOfSatisfying(NodeInactive.class, inactive -> {
            assertThat(inactive.reason()).isIn("unreachable", "rebooting", "service-down");
            assertThat(inactive.runningVersion()).isEqualTo("5.20.0");
        });
        assertThat(edges.get(2)).isInstanceOfSatisfying(NodeActive.class, active -> {
            assertThat(active.runningVersion()).isEqualTo("5.21.0").isEqualTo(node.runningVersion());
            assertThat(active.bootId()).isEqualTo(node.bootId()).isNotEqualTo(bootBefore);
            assertThat(active.reason()).isEqualTo("rebooted");
        });
    }

    @Test
    void aFlappingNodeGetsNoActiveEdgeUntilItIsStable() {
        SimulatedNode node = fleet.node(DOLPHIN, "flapping");
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "flapping")).singleElement().isInstanceOfSatisfying(NodeInactive.class,
                        inactive -> assertThat(inactive.reason()).isEqualTo("service-down")));
        int probesBefore = statusQueries(node);

        // it keeps flapping: many more probes, every other one good, and still never announced active
        await().pollInSameThread().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "flapping")).noneMatch(NodeActive.class::isInstance));
        assertThat(statusQueries(node)).as("probed while flapping").isGreaterThanOrEqualTo(probesBefore + 4);

        node.faults().flapStatus(false);
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "flapping")).hasSize(2).last()
                        .isInstanceOfSatisfying(NodeActive.class, active -> {
                            assertThat(active.runningVersion()).isEqualTo("5.20.0");
                            assertThat(active.reason()).isEqualTo("probe-stable");
                        }));
    }

    @Test
    void aNodeThatNeverReturnsStaysInactiveWithItsReason() throws Exception {
        SimulatedNode node = fleet.node(DOLPHIN, "lost");
        awaitEdges(DOLPHIN, "lost", 1);

        node.reboot();

        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "lost")).hasSize(2).last().isInstanceOfSatisfying(NodeInactive.class,
                        inactive -> {
                            assertThat(inactive.reason()).isIn("unreachable", "rebooting");
                            assertThat(inactive.runningVersion()).isEqualTo("5.20.0");
                        }));
        await().pollInSameThread().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "lost")).hasSize(2));
        JsonNode lost = nodeView(DOLPHIN, "lost");
        assertThat(lost.path("state").asText()).isEqualTo("INACTIVE");
        assertThat(lost.path("reason").asText()).isIn("unreachable", "rebooting");
        assertThat(lost.path("lastDetail").asText()).as("why the last probe failed").isNotBlank();
        assertThat(node.up()).isFalse();
    }

    @Test
    void anUpdateInstalledButNotLoadedReportsTheOldRunningVersion() throws Exception {
        SimulatedNode node = fleet.node(DOLPHIN, "stubborn");
        awaitEdges(DOLPHIN, "stubborn", 1);

        assertThat(exec(node, SIA + " --build-rpm")).isZero();
        assertThat(exec(node, SIA + " --install-node --use-rpms .")).isZero();
        assertThat(node.installedVersion()).isEqualTo("5.21.0");
        assertThat(node.runningVersion()).isEqualTo("5.20.0");

        // still active on what runs, 5.20.0: no edge claims 5.21.0
        await().pollInSameThread().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "stubborn")).singleElement().isInstanceOfSatisfying(NodeActive.class,
                        active -> assertThat(active.runningVersion()).isEqualTo("5.20.0")));
        JsonNode view = nodeView(DOLPHIN, "stubborn");
        assertThat(view.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(view.path("runningVersion").asText()).isEqualTo("5.20.0");

        // once the services can be restarted, 5.21.0 runs and is announced
        node.faults().refuseStop(false);
        assertThat(exec(node, "dis_services restart")).isZero();
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(DOLPHIN, "stubborn")).hasSize(2).last().isInstanceOfSatisfying(NodeActive.class,
                        active -> {
                            assertThat(active.runningVersion()).isEqualTo("5.21.0");
                            assertThat(active.reason()).isEqualTo("version-changed");
                        }));
    }

    @Test
    void anOutOfOrderMatrixUpgradeShowsTheNewServerAloneAndTheOldOnesOut() throws Exception {
        String matrix = "matrix-out-of-order";
        for (String name : List.of("srv1", "srv2", "srv3")) {
            awaitEdges(matrix, name, 1);
        }
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(lastMembers(matrix)).isEqualTo(new MembershipObserved(matrix, List.of(
                        new Member("srv1", "10.20.1.1", "3.5.0", true),
                        new Member("srv2", "10.20.1.2", "3.5.0", true),
                        new Member("srv3", "10.20.1.3", "3.5.0", true)), false)));
        // PSFS (the procedure's shared resource) is mounted on every server, probed in the same exec as the status
        assertThat(lastMembership(matrix).members()).extracting(Member::holdsSharedResource).containsOnly(true);

        // srv1 has the lowest address: upgrading it first is out of order, and the old servers leave the matrix
        SimulatedNode srv1 = fleet.node(matrix, "srv1");
        assertThat(exec(srv1, "pmxs stop")).isZero();
        assertThat(exec(srv1, "mx-install 3.5.1")).isZero();
        assertThat(exec(srv1, "pmxs start")).isZero();

        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() -> {
            assertThat(lastMembers(matrix)).isEqualTo(new MembershipObserved(matrix, List.of(
                    new Member("srv1", "10.20.1.1", "3.5.1", true),
                    new Member("srv2", "10.20.1.2", "3.5.0", false),
                    new Member("srv3", "10.20.1.3", "3.5.0", false)), false));
            for (String old : List.of("srv2", "srv3")) {
                assertThat(health.edges(matrix, old)).hasSize(2).last().isInstanceOfSatisfying(NodeInactive.class,
                        inactive -> {
                            assertThat(inactive.reason()).isEqualTo("left-membership");
                            assertThat(inactive.runningVersion()).isEqualTo("3.5.0");
                        });
            }
        });

        // the reference's remedy: stop Matrix Server on the out-of-order node, and the old servers rejoin
        assertThat(exec(srv1, "pmxs stop")).isZero();
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(lastMembers(matrix)).isEqualTo(new MembershipObserved(matrix, List.of(
                        new Member("srv2", "10.20.1.2", "3.5.0", true),
                        new Member("srv3", "10.20.1.3", "3.5.0", true),
                        new Member("srv1", "10.20.1.1", "3.5.1", false)), false)));
    }

    @Test
    void theLastOldMatrixServerIsSeenAloneInAMixedMatrixAndOutOnceItCannotRejoin() throws Exception {
        String matrix = "matrix-last-old";
        for (String name : List.of("srv3", "srv2")) {
            // in order: highest address first, each back on 3.5.1 before the next
            awaitLastEdgeActiveOn(matrix, name, "3.5.0");
            SimulatedNode node = fleet.node(matrix, name);
            assertThat(exec(node, "pmxs stop")).isZero();
            assertThat(exec(node, "mx-install 3.5.1")).isZero();
            assertThat(exec(node, "pmxs start")).isZero();
            awaitLastEdgeActiveOn(matrix, name, "3.5.1");
        }
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(lastMembers(matrix)).isEqualTo(new MembershipObserved(matrix, List.of(
                        new Member("srv1", "10.30.1.1", "3.5.0", true),
                        new Member("srv2", "10.30.1.2", "3.5.1", true),
                        new Member("srv3", "10.30.1.3", "3.5.1", true)), true)));

        // srv1 is the last server on the old release: after a reboot it may no longer join
        SimulatedNode srv1 = fleet.node(matrix, "srv1");
        srv1.reboot();
        await().pollInSameThread().atMost(EDGE_WAIT).until(() -> srv1.up() && srv1.runningVersion() != null);
        assertThat(srv1.active()).as("not admitted back into the matrix").isFalse();

        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() -> {
            assertThat(lastMembers(matrix)).isEqualTo(new MembershipObserved(matrix, List.of(
                    new Member("srv2", "10.30.1.2", "3.5.1", true),
                    new Member("srv3", "10.30.1.3", "3.5.1", true),
                    new Member("srv1", "10.30.1.1", "3.5.0", false)), false));
            assertThat(health.edges(matrix, "srv1")).last().isInstanceOf(NodeInactive.class);
        });
        await().pollInSameThread().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(health.edges(matrix, "srv1")).last().isInstanceOf(NodeInactive.class));
        assertThat(nodeView(matrix, "srv1").path("lastDetail").asText()).contains("cannot join the matrix");
    }

    @Test
    void aProcedureWithAVersionCommandAndATcpCheckNeedsBothToBeActive() throws Exception {
        String cluster = "dolphin-checked";
        SimulatedNode web1 = fleet.node(cluster, "web1");
        awaitLastEdgeActiveOn(cluster, "web1", "5.20.0");
        assertThat(web1.commandLog()).as("the version command runs as its own exec")
                .contains("true health-scenarios; dis_services status");

        web1Listener.close();
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(cluster, "web1")).hasSize(2).last().isInstanceOfSatisfying(NodeInactive.class,
                        inactive -> assertThat(inactive.reason()).isEqualTo("service-down")));
        assertThat(nodeView(cluster, "web1").path("lastDetail").asText()).startsWith("tcp " + web1.sshHost() + ":");
        assertThat(web1.active()).as("the product itself is fine; only the check fails").isTrue();

        web1Listener = TcpListener.open(web1.sshHost(), web1Listener.port());
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(cluster, "web1")).hasSize(3).last().isInstanceOf(NodeActive.class));
    }

    @Test
    void aProcedureWithOnlyAnHttpCheckFollowsTheStatusTheNodeServes() throws Exception {
        String cluster = "dolphin-http";
        SimulatedNode api1 = fleet.node(cluster, "api1");
        awaitLastEdgeActiveOn(cluster, "api1", "5.20.0");
        assertThat(api1.commandLog()).as("no status command: the version command carries the boot id")
                .contains("true health-scenarios; cat /proc/sys/kernel/random/boot_id; dis_services status");

        api1Status.set(503);
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(cluster, "api1")).hasSize(2).last().isInstanceOfSatisfying(NodeInactive.class,
                        inactive -> assertThat(inactive.reason()).isEqualTo("service-down")));
        assertThat(nodeView(cluster, "api1").path("lastDetail").asText()).contains("answered 503, expected 200");

        api1Status.set(200);
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(cluster, "api1")).hasSize(3).last().isInstanceOf(NodeActive.class));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void awaitEdges(String clusterId, String nodeName, int count) {
        await(clusterId + "/" + nodeName).pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(clusterId, nodeName)).hasSize(count));
    }

    private void awaitLastEdgeActiveOn(String clusterId, String nodeName, String version) {
        await(clusterId + "/" + nodeName + " on " + version).pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(clusterId, nodeName)).last().isInstanceOfSatisfying(NodeActive.class,
                        active -> assertThat(active.runningVersion()).isEqualTo(version)));
    }

    private MembershipObserved lastMembership(String clusterId) {
        List<MembershipObserved> all = health.events(MembershipObserved.class, clusterId);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The last membership without who holds PSFS (the scenarios below are about who is in the matrix). */
    private MembershipObserved lastMembers(String clusterId) {
        MembershipObserved last = lastMembership(clusterId);
        return last == null ? null : new MembershipObserved(last.clusterId(), last.members().stream().map(m -> new Member(
                m.nodeName(), m.clusterAddress(), m.runningVersion(), m.active())).toList(), last.mixedVersion());
    }

    private static int statusQueries(SimulatedNode node) {
        return (int) node.commandLog().stream().filter(c -> c.contains("dis_services status")).count();
    }

    private JsonNode nodeView(String clusterId, String nodeName) throws Exception {
        return service.nodeView(clusterId, nodeName);
    }

    /** A connection of its own (no pool shared between commands: one of them may reboot the node). */
    private SshClients clients() {
        return SshClients.forCommands(SshSettings.of(fleet.knownHostsFile(), fleet.clientPrivateKey()));
    }

    private static SshEndpoint endpoint(SimulatedNode node) {
        return new SshEndpoint(node.sshHost(), node.sshPort(), node.sshUser());
    }

    /** Runs a command on a node over SSH, as an operator would; returns its exit status. */
    private int exec(SimulatedNode node, String command) throws Exception {
        try (SshClients clients = clients(); SshClients.Lease lease = clients.lease(endpoint(node));
             Session session = lease.client().startSession()) {
            Session.Command cmd = session.exec(command);
            String output = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
            cmd.join(30, TimeUnit.SECONDS);
            assertThat(cmd.getExitStatus()).as(command + ": " + output).isNotNull();
            return cmd.getExitStatus();
        }
    }

    /** Runs a command that reboots the node: its connection drops without an exit status. */
    private void execUntilTheConnectionDrops(SimulatedNode node, String command) throws Exception {
        try (SshClients clients = clients(); SshClients.Lease lease = clients.lease(endpoint(node));
             Session session = lease.client().startSession()) {
            Session.Command cmd = session.exec(command);
            String output = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
            assertThat(output).as(command).contains("Rebooting the Cluster Node");
            cmd.join(10, TimeUnit.SECONDS);
        } catch (net.schmizz.sshj.connection.ConnectionException | net.schmizz.sshj.transport.TransportException dropped) {
            // expected: the node went down under the session
        }
    }
}
