package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.sandbox.world.FleetManagement;
import dev.baton.sandbox.fleet.SimulatedNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two health instances as separate processes (the module's packaged {@code quarkus-run.jar}) share the clusters of
 * {@code /fleets/health-failover.yaml} by partition of {@code baton.clusters.v1}. Each instance tags its probes
 * ({@code BATON_HEALTH_PROBE_TAG}), so the simulated nodes' own command logs say who probed them. One instance is
 * killed with SIGKILL; its clusters move to the survivor, and no transition is announced twice on
 * {@code baton.health.v1}.
 */
class HealthFailoverIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration TAKEOVER = Duration.ofSeconds(45);

    @TempDir
    Path workDir;

    private final SandboxKafka kafka = SandboxKafka.shared();
    private SimulatedFleet fleet;
    private final List<HealthProcess> instances = new ArrayList<>();

    @BeforeEach
    void startTheFleet() {
        fleet = SimulatedFleet.start(FleetSpec.fromClasspath("/fleets/health-failover.yaml"), workDir.resolve("fleet"));
    }

    @AfterEach
    void stopEverything() {
        instances.forEach(HealthProcess::kill);
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void twoInstancesSplitTheClustersAndTheSurvivorTakesOverWithoutAnnouncingAnythingTwice() throws Exception {
        HealthProcess a = start("health-a");
        register();
        // every node announced active once, by instance a (the only one so far)
        try (TopicTail health = new TopicTail(kafka.bootstrapServers(), Topics.HEALTH)) {
            await("every node active").pollInSameThread().atMost(START).untilAsserted(() -> {
                for (SimulatedNode node : fleet.nodes()) {
                    assertThat(health.edges(node.clusterId(), node.name())).as(node.clusterId()).isNotEmpty();
                }
            });

            HealthProcess b = start("health-b");
            await("the partitions are split, and stay so").pollInSameThread().during(Duration.ofSeconds(1))
                    .atMost(START).untilAsserted(() -> {
                Set<Integer> ofA = a.partitions();
                Set<Integer> ofB = b.partitions();
                assertThat(ofA).isNotEmpty().doesNotContainAnyElementsOf(ofB);
                assertThat(ofB).isNotEmpty();
                assertThat(union(ofA, ofB)).hasSize(kafka.partitions());
            });

            // from now on each node is probed by exactly one instance, and both instances probe some
            Map<SimulatedNode, Integer> split = marks();
            await("both instances probe").pollInSameThread().atMost(START).untilAsserted(() ->
                    assertThat(fleet.nodes()).allSatisfy(node -> assertThat(tagsSince(node, split.get(node))).hasSize(1)));
            await().pollInSameThread().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(fleet.nodes()).allSatisfy(node ->
                            assertThat(tagsSince(node, split.get(node))).as(node + " probed by").hasSize(1)));
            Map<String, String> owner = fleet.nodes().stream().collect(Collectors.toMap(
                    SimulatedNode::clusterId, node -> tagsSince(node, split.get(node)).iterator().next()));
            assertThat(new TreeSet<>(owner.values())).containsExactly("health-a", "health-b");

            // b dies without a word
            b.kill();
            Map<SimulatedNode, Integer> death = marks();
            await("a takes over b's clusters").pollInSameThread().atMost(TAKEOVER).untilAsserted(() ->
                    assertThat(fleet.nodes()).allSatisfy(node ->
                            assertThat(tagsSince(node, death.get(node))).as(node + " probed by").contains("health-a")));
            // nobody probes b's former clusters but a; after a's first probe of a node, b's tag never shows again
            for (SimulatedNode node : fleet.nodes()) {
                List<String> tags = tagSequence(node, death.get(node));
                int firstOfA = tags.indexOf("health-a");
                assertThat(tags.subList(firstOfA, tags.size())).as(node + " after the takeover").containsOnly("health-a");
            }

            // no transition announced twice: every node (untouched all along) has exactly one edge, NodeActive
            await().pollInSameThread().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (SimulatedNode node : fleet.nodes()) {
                    List<HealthEvent> edges = health.edges(node.clusterId(), node.name());
                    assertThat(edges).as(node.clusterId() + "/" + node.name()).singleElement()
                            .isInstanceOfSatisfying(NodeActive.class,
                                    active -> assertThat(active.runningVersion()).isEqualTo("5.20.0"));
                }
            });
            assertThat(a.partitions()).hasSize(kafka.partitions());
            assertThat(a.nodeView("failover-d", "d1").path("state").asText()).isEqualTo("ACTIVE");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void register() throws Exception {
        try (FleetManagement fleetManagement = new FleetManagement(kafka.bootstrapServers(), "it")) {
            fleet.registrations().forEach(fleetManagement::publish);
        }
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    /** The current length of every node's command log. */
    private Map<SimulatedNode, Integer> marks() {
        Map<SimulatedNode, Integer> marks = new HashMap<>();
        fleet.nodes().forEach(node -> marks.put(node, node.commandLog().size()));
        return marks;
    }

    /** The instance tags of the probes a node received since {@code from}, in order. */
    private static List<String> tagSequence(SimulatedNode node, int from) {
        List<String> log = node.commandLog();
        return log.subList(from, log.size()).stream()
                .filter(line -> line.startsWith("true health-"))
                .map(line -> line.substring("true ".length(), line.indexOf(';')))
                .toList();
    }

    private static Set<String> tagsSince(SimulatedNode node, int from) {
        return new LinkedHashSet<>(tagSequence(node, from));
    }

    private HealthProcess start(String tag) throws IOException {
        HealthProcess instance = HealthProcess.start(tag, kafka.bootstrapServers(), fleet, workDir, Map.of(
                "BATON_HEALTH_INTERVAL", "PT0.3S",
                // the broker's smallest session timeout: a dead instance's partitions move after about 6 s
                "MP_MESSAGING_INCOMING_CLUSTERS_SESSION_TIMEOUT_MS", "6000",
                "MP_MESSAGING_INCOMING_CLUSTERS_HEARTBEAT_INTERVAL_MS", "1000"));
        instances.add(instance);
        return instance;
    }
}
