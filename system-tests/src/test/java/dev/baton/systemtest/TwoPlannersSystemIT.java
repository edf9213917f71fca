package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import dev.baton.sandbox.world.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two planner instances split the clusters by partition; one is killed mid-rollout and the survivor takes its
 * clusters over. No cluster is ever driven by both: the fencing epochs of a cluster's commands never go down.
 */
class TwoPlannersSystemIT {
    private static final List<String> CLUSTERS = List.of("matrix-a", "matrix-b", "matrix-c");
    private static ServiceProcess second;

    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.of("two-planners", "/fleets/two-planners.yaml")
            .beforeRegistering(baton -> second = baton.services().startAnother("planner-service",
                    Map.of("BATON_PLANNER_INSTANCE_ID", "planner-2")));
    private static LocalBaton baton;

    @BeforeAll
    static void world() {
        baton = WORLD.baton();
    }

    @Test
    void theClustersOfAKilledPlannerAreTakenOverAndNoClusterIsEverDrivenByBoth() throws Exception {
        // both instances hold partitions of the planner group, and no partition is held twice
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Set<String>> assignments = plannerAssignments();
            assertThat(assignments).hasSize(2).allSatisfy(a -> assertThat(a).isNotEmpty());
            assertThat(assignments.get(0)).doesNotContainAnyElementsOf(assignments.get(1));
        });

        CLUSTERS.forEach(c -> baton.fleetManagement().requestUpgrade(c, "3.5.1"));
        EventLog log = baton.eventLog();
        await().atMost(Duration.ofMinutes(2)).until(() -> !log.events(NodeUpgraded.class).isEmpty());
        second.kill();
        System.out.println("[two-planners] killed planner-2 after the first node was upgraded");

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                log.events(RolloutCompleted.class).stream().map(RolloutCompleted::clusterId).collect(Collectors.toSet())
                        .containsAll(CLUSTERS));

        // planner-2 drove at least one cluster before it died, and the survivor carried on under a higher epoch
        assertThat(CLUSTERS).anySatisfy(cluster -> assertThat(log.events(NodeCommand.class).stream()
                .filter(c -> c.clusterId().equals(cluster)).map(NodeCommand::epoch).distinct().count()).isGreaterThan(1));
        for (String cluster : CLUSTERS) {
            List<Long> epochs = log.events(NodeCommand.class).stream().filter(c -> c.clusterId().equals(cluster))
                    .map(NodeCommand::epoch).toList();
            assertThat(epochs).as("fencing epochs of %s's commands, in publication order", cluster).isSorted();
            for (SimulatedNode node : baton.fleet().nodes(cluster)) {
                assertThat(node.executed().stream().filter(c -> c.equals("mx-install 3.5.1")).count())
                        .as("installs on %s", node.name()).isOne();
                assertThat(node.runningVersion()).isEqualTo("3.5.1");
            }
            assertThat(log.events(NodeUpgraded.class).stream().filter(u -> u.clusterId().equals(cluster)))
                    .extracting(NodeUpgraded::nodeName).doesNotHaveDuplicates().hasSize(3);
        }
        // the survivor holds every partition now
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(plannerAssignments()).hasSize(1));
    }

    /** The partitions of baton.requests.v1 each live member of the planner group holds. */
    private static List<Set<String>> plannerAssignments() throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", baton.kafka().bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("baton-planner")).all().get()
                    .get("baton-planner");
            List<Set<String>> assignments = new ArrayList<>();
            for (MemberDescription member : group.members()) {
                assignments.add(member.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals("baton.requests.v1")).map(tp -> Integer.toString(tp.partition()))
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
            return assignments;
        }
    }
}
