package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.openssh.JumpHostCluster;
import dev.baton.sandbox.openssh.OpenSshNodes;
import dev.baton.sandbox.world.LocalBaton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fleet behind a bastion: a Matrix cluster of REAL OpenSSH hosts (Debian's sshd, one per node) that the services
 * reach only through a jump host (a second sshd), with a private key that has a passphrase, configured the same way
 * for every service ({@code BATON_SSH_PRIVATE_KEY_PASSPHRASE}, {@code BATON_SSH_JUMP_HOST}). Health sees the nodes
 * active (so preflight admits the rollout), the executor runs every step through the bastion, and the cluster rolls
 * to the new version; once the bastion stops, every node is inactive; the passphrase is in no service's
 * log. Skipped without {@code /usr/sbin/sshd}, unless
 * {@code BATON_REQUIRE_OPENSSH=1}, then it fails.
 */
class JumpHostSystemIT {
    private static final String CLUSTER = "jump-matrix";
    private static final String TARGET = "3.5.1";
    private static final String PASSPHRASE = "correct bastion horse staple";
    /** LocalBaton needs a simulated fleet; this one is never registered. */
    private static final String UNUSED_FLEET = """
            clusters:
              - id: jump-unused
                product: matrix-server
                version: 3.5.0
                nodes:
                  - {name: unused, sshHost: 127.80.255.1}
            """;
    private static final String NODES = """
            clusters:
              - id: jump-matrix
                product: matrix-server
                version: 3.5.0
                nodes:
                  - {name: n1, sshHost: 127.80.0.1, clusterAddress: 10.20.0.1}
                  - {name: n2, sshHost: 127.80.0.2, clusterAddress: 10.20.0.2}
                  - {name: n3, sshHost: 127.80.0.3, clusterAddress: 10.20.0.3}
            """;
    private static JumpHostCluster cluster;

    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.ofYaml("jump-host-it", UNUSED_FLEET)
            .requires(JumpHostSystemIT::requireOpenSsh)
            .serviceEnvironment(workDir -> {
                cluster = JumpHostCluster.start(FleetSpec.parse(NODES).clusters().get(0), workDir.resolve("jump"),
                        PASSPHRASE);
                return cluster.sshEnvironment();
            })
            .withoutRegisteringTheFleet();

    @AfterAll
    static void stopTheNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aClusterBehindAJumpHostWithAnEncryptedKeyRollsToTheNewVersion() throws Exception {
        LocalBaton baton = WORLD.baton();
        ClusterRegistered registration = cluster.registration(CLUSTER);
        baton.fleetManagement().publish(registration);
        baton.awaitAllActive(registration, Duration.ofSeconds(90));

        baton.fleetManagement().requestUpgrade(CLUSTER, TARGET);
        await("the rollout of " + CLUSTER).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished(CLUSTER));
        assertThat(baton.eventLog().events(RolloutCompleted.class)).extracting(RolloutCompleted::clusterId)
                .as("completed rollouts (service logs in %s)", WORLD.workDir()).contains(CLUSTER);
        assertThat(cluster.nodes().nodes()).extracting(OpenSshNodes.Node::runningVersion).containsOnly(TARGET);

        // the nodes are on this machine's loopback, so reachable without the bastion too: that the services did go
        // through it shows when it stops (health's probes fail; the executor uses the same client and settings)
        cluster.stopBastion();
        await("every node inactive without the bastion").atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(baton.eventLog().events(NodeInactive.class)).filteredOn(e -> e.clusterId().equals(CLUSTER))
                        .extracting(NodeInactive::nodeName).contains("n1", "n2", "n3"));
        try (Stream<Path> logs = Files.list(WORLD.workDir())) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                assertThat(Files.readString(log)).as("the passphrase in %s", log).doesNotContain(PASSPHRASE);
            }
        }
    }

    private static void requireOpenSsh() {
        Optional<String> missing = OpenSshNodes.missingTools();
        if (missing.isPresent() && "1".equals(System.getenv("BATON_REQUIRE_OPENSSH"))) {
            throw new AssertionError("BATON_REQUIRE_OPENSSH=1 but " + missing.get());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse("")
                + " (set BATON_REQUIRE_OPENSSH=1 to make this a failure)");
    }
}
