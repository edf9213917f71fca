package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.openssh.OpenSshNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenSshScenarioTest {
    private final Procedure matrix = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();

    @Test
    void theOpenSshClusterHasTheSamePhysicalLimitAsTheSimulatedBenchCluster() {
        FleetSpec.Cluster simulated = FleetSpec.fromClasspath(RollingUpgradeBench.DEFAULT_FLEET).clusters().get(0);

        PhysicalLimit openssh = PhysicalLimit.of(matrix, OpenSshScenario.cluster("c"), "3.5.2", RolloutDriver.HEALTH_INTERVAL);

        assertThat(openssh.total()).isEqualTo(PhysicalLimit.of(matrix, simulated, "3.5.2", RolloutDriver.HEALTH_INTERVAL).total())
                .isEqualTo(Duration.ofMillis(33_600));
    }

    @Test
    void sixteenNodesOnTheirOwnLoopbackAddressesWhichAreAlsoTheirClusterAddresses() {
        FleetSpec.Cluster cluster = OpenSshScenario.cluster("openssh-matrix-r1");

        assertThat(cluster.nodes()).hasSize(16);
        assertThat(cluster.nodes().get(8)).satisfies(n -> {
            assertThat(n.name()).isEqualTo("mx09");
            assertThat(n.sshHost()).isEqualTo("127.79.0.9");
            assertThat(n.clusterAddress()).isEqualTo("127.79.0.9");
            assertThat(n.version()).isEqualTo("3.5.0");
        });
    }

    @Test
    void theUpgradeOrderIsHighestClusterAddressFirstComparedNumerically() {
        List<OpenSshNodes.Node> nodes = List.of(node("mx02", "127.79.0.2"), node("mx10", "127.79.0.10"), node("mx09", "127.79.0.9"));

        assertThat(OpenSshScenario.upgradeOrder(nodes)).extracting(OpenSshNodes.Node::name).containsExactly("mx10", "mx09", "mx02");
    }

    @Test
    void aNodeCountsAsRolledOnlyWhenItsOwnFilesSayItRunsTheTarget(@TempDir Path dir) throws Exception {
        Path members = Files.createDirectories(dir.resolve("members"));
        OpenSshNodes.StepTimes none = new OpenSshNodes.StepTimes(Duration.ZERO, Duration.ZERO, Duration.ZERO);
        OpenSshNodes.writeNodeFiles(dir.resolve("a"), "a", "127.79.0.1", members, "3.5.1", none);
        OpenSshNodes.writeNodeFiles(dir.resolve("b"), "b", "127.79.0.2", members, "3.5.1", none);
        OpenSshNodes.Node a = new OpenSshNodes.Node("a", "127.79.0.1", 1, "127.79.0.1", dir.resolve("a"));
        OpenSshNodes.Node b = new OpenSshNodes.Node("b", "127.79.0.2", 2, "127.79.0.2", dir.resolve("b"));

        assertThat(OpenSshScenario.notRolled(List.of(a, b), "3.5.1")).isNull();
        Files.delete(dir.resolve("b/running"));
        assertThat(OpenSshScenario.notRolled(List.of(a, b), "3.5.1")).isEqualTo("not on 3.5.1: b runs null");
        assertThat(OpenSshScenario.notRolled(List.of(a), "3.5.2")).isEqualTo("not on 3.5.2: a runs 3.5.1");
    }

    @Test
    void theOutcomeBecomesATableComparingBatonWithTheCommandModulePlaybook() {
        PhysicalLimit limit = PhysicalLimit.of(matrix, OpenSshScenario.cluster("c"), "3.5.2", RolloutDriver.HEALTH_INTERVAL);
        OpenSshScenario.Outcome outcome = new OpenSshScenario.Outcome(null, limit, List.of(Duration.ofSeconds(44), Duration.ofSeconds(42)),
                true, List.of(Duration.ofSeconds(88), Duration.ofSeconds(84)), true, List.of(Duration.ofSeconds(40),
                        Duration.ofSeconds(42)),
                true, List.of());

        ResultTable table = outcome.table();

        assertThat(outcome.completed()).isTrue();
        assertThat(table.scenario()).isEqualTo("16-node matrix-server (OpenSSH)");
        assertThat(table.runs()).extracting(ResultTable.Run::contender)
                .containsExactly("Baton", "Ansible (command)", "Ansible (raw)");
        // the table's Baton : Ansible is against the idiomatic playbook; the raw control gets its own line (medians 42 s : 40 s)
        assertThat(table.batonToAnsibleByRound()).containsExactly(0.5, 0.5);
        assertThat(outcome.batonToRawByRound()).containsExactly(1.1, 1.0);
        assertThat(outcome.markdown()).contains("Baton : Ansible wall time = **0.50**")
                .endsWith("Baton : Ansible (raw) wall time = 1.05 (medians; per round: 1.10, 1.00)\n");
        assertThat(outcome.csv()).contains("ratio-baton-to-ansible,baton:ansible,0.50,")
                .contains("\n16-node matrix-server (OpenSSH),ratio-baton-to-raw,baton:raw,1.05,")
                .contains("\n16-node matrix-server (OpenSSH),ratio-baton-to-raw-round-1,baton:raw,1.10,")
                .contains("\n16-node matrix-server (OpenSSH),ratio-baton-to-raw-round-2,baton:raw,1.00,");
        assertThat(table.hop()).isNull();
    }

    @Test
    void aSkippedOrIncompleteScenarioIsNotCompleted() {
        OpenSshScenario.Outcome skipped = OpenSshScenario.Outcome.skipped("/usr/sbin/sshd is missing");
        PhysicalLimit limit = PhysicalLimit.of(matrix, OpenSshScenario.cluster("c"), "3.5.2", RolloutDriver.HEALTH_INTERVAL);
        OpenSshScenario.Outcome ansibleFailed = new OpenSshScenario.Outcome(null, limit, List.of(Duration.ofSeconds(44)), true,
                List.of(Duration.ofSeconds(20)), false, List.of(), false, List.of());
        OpenSshScenario.Outcome rawFailed = new OpenSshScenario.Outcome(null, limit, List.of(Duration.ofSeconds(44)), true,
                List.of(Duration.ofSeconds(50)), true, List.of(Duration.ofSeconds(9)), false, List.of());

        assertThat(skipped.completed()).isFalse();
        assertThatThrownBy(skipped::table).hasMessageContaining("sshd is missing");
        assertThat(ansibleFailed.completed()).isFalse();
        assertThat(ansibleFailed.table().batonToAnsible()).isNaN();
        assertThat(rawFailed.completed()).isFalse();
        assertThat(rawFailed.batonToRawByRound()).isEmpty();
        assertThat(rawFailed.markdown()).doesNotContain("Baton : Ansible (raw)");
        assertThat(rawFailed.csv()).doesNotContain("ratio-baton-to-raw");
    }

    private static OpenSshNodes.Node node(String name, String address) {
        return new OpenSshNodes.Node(name, address, 22, address, Path.of("/nonexistent", name));
    }
}
