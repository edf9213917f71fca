package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.openssh.OpenSshNodes;
import dev.baton.sandbox.openssh.JumpHostCluster;
import dev.baton.sandbox.openssh.OpenSshServer;
import dev.baton.sandbox.world.FleetManagement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health service (packaged jar, real Kafka) probing a Matrix cluster of REAL OpenSSH hosts (Debian's sshd, one per
 * node, {@link OpenSshNodes}) that sit behind a jump host (a second sshd, the bastion, reached ProxyJump-style through
 * a direct-tcpip channel), with a private key that has a passphrase: the same {@code baton.ssh.*} keys as the executor
 * ({@code BATON_SSH_PRIVATE_KEY_PASSPHRASE}, {@code BATON_SSH_JUMP_HOST}). Both nodes become active on their version;
 * when the bastion stops they become inactive, so the probes did go through it. Skipped without {@code /usr/sbin/sshd},
 * unless {@code BATON_REQUIRE_OPENSSH=1}, then it fails.
 */
class OpenSshJumpHostIT {
    private static final String CLUSTER = "openssh-jump";
    private static final String PASSPHRASE = "bastion horse battery staple";

    @TempDir
    static Path workDir;

    private static final SandboxKafka kafka = SandboxKafka.shared();
    private static JumpHostCluster cluster;
    private static HealthProcess service;
    private static FleetManagement fleetManagement;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> missing = OpenSshServer.missingTools();
        if (missing.isPresent() && "1".equals(System.getenv("BATON_REQUIRE_OPENSSH"))) {
            throw new AssertionError("BATON_REQUIRE_OPENSSH=1 but " + missing.get());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse("")
                + " (set BATON_REQUIRE_OPENSSH=1 to make this a failure)");
        cluster = JumpHostCluster.start(FleetSpec.parse("""
                clusters:
                  - id: openssh-jump
                    product: matrix-server
                    version: 3.5.0
                    nodes:
                      - {name: j1, sshHost: 127.78.0.1}
                      - {name: j2, sshHost: 127.78.0.2}
                """).clusters().get(0), workDir, PASSPHRASE);
        Map<String, String> env = new HashMap<>(cluster.sshEnvironment());
        env.put("BATON_HEALTH_INTERVAL", "PT0.5S");
        service = HealthProcess.start("openssh-jump", kafka.bootstrapServers(), cluster.knownHosts(), cluster.privateKey(),
                workDir, env);
        fleetManagement = new FleetManagement(kafka.bootstrapServers(), "openssh-jump-it");
        fleetManagement.publish(cluster.registration(CLUSTER));
    }

    @AfterAll
    static void stop() throws Exception {
        HealthProcess.closeAll(fleetManagement, service, cluster);
    }

    @Test
    void nodesBehindTheJumpHostWithAnEncryptedKeyAreActiveAndGoInactiveWithoutTheBastion() throws Exception {
        try (TopicTail health = new TopicTail(kafka.bootstrapServers(), Topics.HEALTH)) {
            await("both nodes active through the bastion").atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(health.events(NodeActive.class, CLUSTER))
                            .as("NodeActive on %s; service log:%n%s", Topics.HEALTH, service.tail())
                            .extracting(NodeActive::nodeName, NodeActive::runningVersion)
                            .contains(tuple("j1", "3.5.0"),
                                    tuple("j2", "3.5.0")));
            assertThat(service.tail()).as("the passphrase never reaches the log").doesNotContain(PASSPHRASE);

            cluster.stopBastion();

            await("both nodes inactive without the bastion").atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(health.events(NodeInactive.class, CLUSTER)).extracting(NodeInactive::nodeName)
                            .contains("j1", "j2"));
        }
        assertThat(service.tail()).doesNotContain(PASSPHRASE);
    }
}
