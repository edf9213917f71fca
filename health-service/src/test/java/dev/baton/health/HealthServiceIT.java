package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.DeadLetter;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.Topics;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.ssh.SshClients;
import dev.baton.ssh.SshEndpoint;
import dev.baton.ssh.SshSettings;
import dev.baton.sandbox.world.FleetManagement;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.quarkus.FleetSandboxResource;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The health service against real Kafka and the simulated fleet's real SSH servers: registrations go in on
 * {@code baton.clusters.v1}, edges and memberships come out on {@code baton.health.v1}. Each test works on
 * its own node, so the tests do not depend on their order.
 */
@QuarkusTest
@WithTestResource(KafkaSandboxResource.class)
@WithTestResource(FleetSandboxResource.class)
class HealthServiceIT {
    private static final Duration EDGE_WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/api/v1/health/clusters")
    URI clustersApi;

    @TestHTTPResource("/q/health")
    URI healthApi;

    private final SimulatedFleet fleet = FleetSandboxResource.fleet();
    private TopicTail health;

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @BeforeEach
    void registerTheFleet() throws Exception {
        try (FleetManagement fleetManagement = new FleetManagement(bootstrap(), "it")) {
            // registering again with the same inventory is harmless: node states are kept
            fleet.registrations().forEach(fleetManagement::publish);
        }
        health = new TopicTail(bootstrap(), Topics.HEALTH);
    }

    @AfterEach
    void closeTopic() {
        health.close();
    }

    private ClusterRegistered cluster(String procedure) {
        return fleet.registrations().stream().filter(r -> r.procedure().equals(procedure)).findFirst().orElseThrow();
    }

    private List<String> untouchedNodes(ClusterRegistered cluster) {
        // the first Dolphin node is stopped and started, the second rebooted, the last Matrix node gets a new host key
        List<ClusterRegistered.Node> nodes = cluster.nodes();
        return cluster.procedure().equals("dolphin-expressware")
                ? nodes.subList(2, nodes.size()).stream().map(ClusterRegistered.Node::name).toList()
                : nodes.subList(0, nodes.size() - 1).stream().map(ClusterRegistered.Node::name).toList();
    }

    @Test
    void everyNodeBecomesActiveExactlyOnceOnTheVersionItRuns() {
        for (ClusterRegistered cluster : fleet.registrations()) {
            for (ClusterRegistered.Node node : cluster.nodes()) {
                SimulatedNode simulated = fleet.node(cluster.clusterId(), node.name());
                await(node.name()).pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                        assertThat(health.edges(cluster.clusterId(), node.name())).first()
                                .isInstanceOfSatisfying(NodeActive.class, active -> {
                                    assertThat(active.runningVersion()).isIn("5.20.0", "3.5.0")
                                            .isEqualTo(simulated.runningVersion());
                                    assertThat(active.reason()).isEqualTo("probe-stable");
                                    assertThat(active.since()).isNotNull();
                                }));
            }
        }
        // edges only: nodes nobody touches keep exactly one NodeActive while probing goes on
        await().pollInSameThread().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (ClusterRegistered cluster : fleet.registrations()) {
                for (String node : untouchedNodes(cluster)) {
                    assertThat(health.edges(cluster.clusterId(), node)).as(cluster.clusterId() + "/" + node).hasSize(1);
                }
            }
        });
    }

    @Test
    void theMatrixMembershipListsTheAddressesTheMatrixKnows() {
        ClusterRegistered matrix = cluster("matrix-server");
        List<String> clusterAddresses = matrix.nodes().stream().map(ClusterRegistered.Node::clusterAddress).toList();
        assertThat(clusterAddresses).allMatch(a -> a.startsWith("10.10.1.")).hasSize(4);

        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.events(MembershipObserved.class, matrix.clusterId())).anySatisfy(membership -> {
                    assertThat(membership.members()).extracting(MembershipObserved.Member::clusterAddress)
                            .containsExactlyInAnyOrderElementsOf(clusterAddresses)
                            .noneMatch(a -> a.startsWith("127.77."));
                    assertThat(membership.members()).extracting(MembershipObserved.Member::nodeName)
                            .containsExactlyInAnyOrderElementsOf(matrix.nodes().stream().map(ClusterRegistered.Node::name).toList());
                    assertThat(membership.members()).allMatch(MembershipObserved.Member::active);
                    assertThat(membership.mixedVersion()).isFalse();
                }));
    }

    @Test
    void aStoppedDolphinNodeGoesInactiveAndComesBackWhenStarted() throws Exception {
        ClusterRegistered dolphin = cluster("dolphin-expressware");
        ClusterRegistered.Node node = dolphin.nodes().get(0);
        awaitActive(dolphin.clusterId(), node.name(), 1);

        assertThat(exec(node, "dis_services stop")).isZero();
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(dolphin.clusterId(), node.name())).last()
                        .isInstanceOfSatisfying(NodeInactive.class, inactive -> {
                            assertThat(inactive.reason()).isEqualTo("service-down");
                            assertThat(inactive.runningVersion()).isEqualTo("5.20.0");
                        }));

        assertThat(exec(node, "dis_services start")).isZero();
        awaitActive(dolphin.clusterId(), node.name(), 2);
        assertThat(health.edges(dolphin.clusterId(), node.name()))
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("NodeActive", "NodeInactive", "NodeActive");
    }

    @Test
    void aRebootIsSeenAndTheNodeComesBackOnItsNewBoot() {
        ClusterRegistered dolphin = cluster("dolphin-expressware");
        ClusterRegistered.Node node = dolphin.nodes().get(1);
        SimulatedNode simulated = fleet.node(dolphin.clusterId(), node.name());
        awaitActive(dolphin.clusterId(), node.name(), 1);
        String bootBefore = simulated.bootId();

        simulated.reboot();

        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() -> {
            List<HealthEvent> edges = health.edges(dolphin.clusterId(), node.name());
            assertThat(edges).hasSize(3);
            assertThat(edges.get(1)).isInstanceOfSatisfying(NodeInactive.class,
                    inactive -> assertThat(inactive.reason()).isIn("rebooting", "unreachable"));
            assertThat(edges.get(2)).isInstanceOfSatisfying(NodeActive.class, active -> {
                assertThat(active.bootId()).isEqualTo(simulated.bootId()).isNotEqualTo(bootBefore);
                assertThat(active.runningVersion()).isEqualTo("5.20.0");
            });
        });
    }

    @Test
    void aChangedHostKeyMakesTheNodeInactiveAtOnceAndNothingRunsOnIt() {
        ClusterRegistered matrix = cluster("matrix-server");
        ClusterRegistered.Node node = matrix.nodes().get(matrix.nodes().size() - 1);
        SimulatedNode simulated = fleet.node(matrix.clusterId(), node.name());
        awaitActive(matrix.clusterId(), node.name(), 1);

        simulated.changeHostKey();
        // a host key changes with a reinstalled or replaced host, whose old connections are gone: drop the probe's
        simulated.faults().dropConnectionOn("pmxs status");
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                assertThat(health.edges(matrix.clusterId(), node.name())).last()
                        .isInstanceOfSatisfying(NodeInactive.class,
                                inactive -> assertThat(inactive.reason()).isEqualTo("host-key-mismatch")));
        int commandsWhileUntrusted = simulated.commandLog().size();
        await().pollInSameThread().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> simulated.commandLog().size() == commandsWhileUntrusted);

        simulated.faults().dropConnectionOn(null);
        simulated.restoreHostKey();
        awaitActive(matrix.clusterId(), node.name(), 2);
    }

    @Test
    void theRestViewShowsTheNodesAndRefusesAnUnknownCluster() throws Exception {
        ClusterRegistered dolphin = cluster("dolphin-expressware");
        String last = dolphin.nodes().get(dolphin.nodes().size() - 1).name();
        awaitActive(dolphin.clusterId(), last, 1);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(clustersApi + "/" + dolphin.clusterId()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(found.statusCode()).isEqualTo(200);
        JsonNode view = JSON.readTree(found.body());
        assertThat(view.path("clusterId").asText()).isEqualTo(dolphin.clusterId());
        JsonNode lastNode = view.path("nodes").get(dolphin.nodes().size() - 1);
        assertThat(lastNode.path("name").asText()).isEqualTo(last);
        assertThat(lastNode.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(lastNode.path("runningVersion").asText()).isEqualTo("5.20.0");
        assertThat(lastNode.path("bootId").asText()).isEqualTo(fleet.node(dolphin.clusterId(), last).bootId());
        assertThat(lastNode.path("since").asText()).isNotBlank();

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(clustersApi + "/no-such-cluster"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        assertThat(JSON.readTree(missing.body()).path("error").asText()).isEqualTo("unknown-cluster");
    }

    @Test
    void theServiceReportsItselfReadyAndLive() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() -> {
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(healthApi + "/ready")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(ready.body());
            assertThat(body.path("status").asText()).isEqualTo("UP");
            assertThat(body.path("checks").findValuesAsText("name")).contains("cluster-partitions");
        });
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(healthApi + "/live")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).path("checks").findValuesAsText("name")).contains("probe-loop");
    }

    @Test
    void aMalformedRegistrationIsDeadLetteredAndTheNextOneIsStillRead() throws Exception {
        ClusterRegistered dolphin = cluster("dolphin-expressware");
        ClusterRegistered copy = ClusterRegistrations.cluster("dolphin-copy", dolphin.procedure())
                .product(dolphin.product()).nodes(List.of(dolphin.nodes().get(dolphin.nodes().size() - 1))).build();
        try (KafkaProducer<String, byte[]> producer = producer();
             TopicTail deadLetters = new TopicTail(bootstrap(), Topics.DEADLETTER)) {
            producer.send(new ProducerRecord<>(Topics.CLUSTERS, null, "broken-cluster",
                    "{not json".getBytes(StandardCharsets.UTF_8),
                    EventCodec.toHeaders(EventEnvelope.of(copy, "/test", "it", null)))).get();
            producer.send(new ProducerRecord<>(Topics.CLUSTERS, null, copy.clusterId(), EventCodec.toJson(copy),
                    EventCodec.toHeaders(EventEnvelope.of(copy, "/test", "it", null)))).get();

            await().pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() ->
                    assertThat(deadLetters.events(DeadLetter.class, "broken-cluster")).singleElement().satisfies(letter -> {
                        assertThat(letter.sourceTopic()).isEqualTo(Topics.CLUSTERS);
                        assertThat(letter.service()).isEqualTo("/baton/health-service");
                        assertThat(letter.reason()).contains("ClusterRegistered");
                    }));
            awaitActive(copy.clusterId(), copy.nodes().get(0).name(), 1);
        }
    }

    private void awaitActive(String clusterId, String nodeName, int activeEdges) {
        await(clusterId + "/" + nodeName).pollInSameThread().atMost(EDGE_WAIT).untilAsserted(() -> {
            List<HealthEvent> edges = health.edges(clusterId, nodeName);
            assertThat(edges).filteredOn(NodeActive.class::isInstance).hasSize(activeEdges);
            assertThat(edges).last().isInstanceOf(NodeActive.class);
        });
    }

    /** Runs a command on a node over SSH, as an operator would; returns its exit status. */
    private int exec(ClusterRegistered.Node node, String command) throws Exception {
        try (SshClients clients = SshClients.forCommands(SshSettings.of(fleet.knownHostsFile(), fleet.clientPrivateKey()));
             SshClients.Lease lease = clients.lease(new SshEndpoint(node.sshHost(), node.sshPort(), node.sshUser()))) {
            try (Session session = lease.client().startSession()) {
                Session.Command cmd = session.exec(command);
                String output = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
                cmd.join(10, TimeUnit.SECONDS);
                assertThat(cmd.getExitStatus()).as(command + ": " + output).isNotNull();
                return cmd.getExitStatus();
            }
        }
    }
}
