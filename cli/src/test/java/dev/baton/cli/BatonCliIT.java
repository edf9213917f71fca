package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.LocalBaton;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The CLI against the four packaged services running as processes on the sandbox (real Kafka,
 * PostgreSQL and SSH nodes): clusters registered from a file and from an Ansible inventory, a dry
 * run printing the plan in the procedure's order, an upgrade followed to the end, a canary
 * paused and resumed, the rollout list, the compliance report, the audit verification, and exit
 * codes for what is not there.
 */
class BatonCliIT {
    private static LocalBaton baton;
    private static Path workDir;

    /** What one command printed and how it ended. */
    record Run(int status, String out, String err) {
    }

    @BeforeAll
    static void startBaton() throws Exception {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", "..")).toAbsolutePath().normalize();
        workDir = repoRoot.resolve("cli/target/cli-it-" + UUID.randomUUID().toString().substring(0, 8));
        baton = LocalBaton.start(repoRoot, FleetSpec.fromClasspath("/fleets/cli-it.yaml"), workDir, "cli-it");
    }

    @AfterAll
    static void stopBaton() {
        if (baton != null) {
            baton.close();
        }
    }

    private static Run baton(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BatonCli.commandLine(new BatonCli(Map.of(
                "BATON_PLANNER_URL", baton.services().service("planner-service").baseUrl(),
                "BATON_AUDIT_URL", baton.services().service("audit-service").baseUrl(),
                "BATON_HEALTH_URL", baton.services().service("health-service").baseUrl(),
                "USER", "alice"), false));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int status = commandLine.execute(args);
        System.out.println("[cli-it] baton " + String.join(" ", args) + " -> " + status + "\n" + out + err);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void registerDryRunUpgradeWatchAndAuditAMatrixCluster() throws Exception {
        ClusterRegistered matrix = baton.fleet().registration("cli-matrix");
        Path file = Files.writeString(workDir.resolve("cli-matrix.json"), BatonJson.mapper().writeValueAsString(matrix));

        Run register = baton("cluster", "register", "-f", file.toString());
        assertThat(register.status()).isEqualTo(ExitCode.OK);
        assertThat(register.out()).startsWith("registered cluster cli-matrix (matrix-server, procedure matrix-server, 3 nodes)");
        baton.awaitAllActive(matrix, Duration.ofSeconds(60));
        assertThat(baton("cluster", "list").out()).containsPattern("cli-matrix +matrix-server +srv1, srv2, srv3");

        // dry run: the plan in the order the procedure demands (highest cluster address first, numerically)
        Run plan = baton("upgrade", "cli-matrix", "--to", "3.5.1", "--dry-run");
        assertThat(plan.status()).isEqualTo(ExitCode.OK);
        assertThat(plan.out().lines().limit(4)).containsExactly(
                "plan for cli-matrix -> 3.5.1 (dry run: no node touched), in upgrade order:",
                "  1. srv2         10.10.1.10       3.5.0 -> 3.5.1",
                "  2. srv3         10.10.1.9        3.5.0 -> 3.5.1",
                "  3. srv1         10.10.1.2        3.5.0 -> 3.5.1");
        // ... explained: why each node is there, the commands it will get, the guards, the longest it can take
        assertThat(plan.out()).contains("why, and what each node gets:\n  srv2: 1st of 3 to upgrade by membership address,"
                + " highest first, compared as numbers: 10.10.1.10")
                .contains("      stop               disruptive PT5M   pmxs stop\n")
                .contains("      install            disruptive PT15M  mx-install 3.5.1\n")
                .contains("  - the last active node on the old version is not taken down")
                .containsPattern("at most PT\\w+ by the procedure's time-outs");
        assertThat(baton.fleet().nodes("cli-matrix")).allSatisfy(n -> assertThat(n.runningVersion()).isEqualTo("3.5.0"));

        Run upgrade = baton("upgrade", "cli-matrix", "--to", "3.5.1", "--watch");
        assertThat(upgrade.status()).isEqualTo(ExitCode.OK);
        assertThat(upgrade.out()).contains("rollout completed: every node runs 3.5.1");
        assertThat(baton.fleet().nodes("cli-matrix")).extracting(SimulatedNode::runningVersion).containsOnly("3.5.1");

        Run list = baton("status", "--cluster", "cli-matrix", "-o", "json");
        JsonNode rollouts = BatonJson.mapper().readTree(list.out());
        assertThat(rollouts).hasSize(2);
        JsonNode done = null;
        for (JsonNode r : rollouts) {
            if (!r.path("dryRun").asBoolean()) {
                done = r;
            }
        }
        assertThat(done).isNotNull();
        assertThat(done.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("requestedBy").asText()).isEqualTo("cli:alice");
        String rolloutId = done.path("rolloutId").asText();

        Run report = baton("audit", "report", rolloutId);
        assertThat(report.status()).isEqualTo(ExitCode.OK);
        assertThat(report.out()).contains("compliance report of rollout " + rolloutId + " (cli-matrix -> 3.5.1)")
                .contains("requested by cli:alice").contains("outcome COMPLETED");
        assertThat(report.out()).containsPattern("srv2 +3\\.5\\.0 +-> 3\\.5\\.1 +UPGRADED");

        Run events = baton("audit", "events", "--rollout", rolloutId, "--type", "NodeUpgraded", "-o", "json");
        assertThat(BatonJson.mapper().readTree(events.out())).extracting(e -> e.path("nodeName").asText())
                .containsExactly("srv2", "srv3", "srv1");

        Run verify = baton("audit", "verify");
        assertThat(verify.status()).isEqualTo(ExitCode.OK);
        assertThat(verify.out()).startsWith("audit store intact: ");
    }

    @Test
    void aClusterImportedFromAnAnsibleInventoryIsUpgradedWithACanaryAndResumed() throws Exception {
        StringBuilder ini = new StringBuilder("[dolphins]\n");
        for (SimulatedNode node : baton.fleet().nodes("cli-dolphin")) {
            ini.append(node.name()).append(" ansible_host=").append(node.sshHost()).append(" ansible_port=")
                    .append(node.sshPort()).append('\n');
        }
        ini.append("[dolphins:vars]\nansible_user=root\nansible_password=never-copied\n");
        Path inventory = Files.writeString(workDir.resolve("hosts.ini"), ini.toString());

        Run imported = baton("cluster", "import-ansible", inventory.toString(), "--cluster-id", "cli-dolphin",
                "--product", "dolphin-expressware", "--group", "dolphins");
        assertThat(imported.status()).isEqualTo(ExitCode.OK);
        baton.awaitAllActive(baton.fleet().registration("cli-dolphin"), Duration.ofSeconds(60));
        Run show = baton("cluster", "show", "cli-dolphin");
        assertThat(show.out()).containsPattern("dx1 +ACTIVE +5\\.20\\.0").containsPattern("dx2 +ACTIVE +5\\.20\\.0");

        // a canary of one node, then the rollout pauses until 'baton resume'
        Run upgrade = baton("upgrade", "cli-dolphin", "--to", "5.21.0", "--canary", "1", "-o", "json");
        assertThat(upgrade.status()).isEqualTo(ExitCode.OK);
        String rolloutId = BatonJson.mapper().readTree(upgrade.out()).path("rolloutId").asText();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
                BatonJson.mapper().readTree(baton("status", rolloutId, "-o", "json").out()).path("state").asText().equals("PAUSED"));
        assertThat(baton.fleet().nodes("cli-dolphin")).extracting(SimulatedNode::runningVersion)
                .containsExactly("5.21.0", "5.20.0");

        assertThat(baton("resume", rolloutId).status()).isEqualTo(ExitCode.OK);
        Run watch = baton("watch", rolloutId, "-o", "json");
        assertThat(watch.status()).isEqualTo(ExitCode.OK);
        String last = watch.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(BatonJson.mapper().readTree(last).path("state").asText()).isEqualTo("COMPLETED");
        assertThat(baton.fleet().nodes("cli-dolphin")).extracting(SimulatedNode::runningVersion).containsOnly("5.21.0");
        assertThat(baton.eventLog().entries().toString()).doesNotContain("never-copied");
    }

    @Test
    void aTargetVersionThatIsNotAVersionIsExitFourNamingTheFieldAtOnce() {
        Run upgrade = baton("upgrade", "cli-matrix", "--to", "x.y");
        assertThat(upgrade.status()).isEqualTo(ExitCode.REJECTED);
        assertThat(upgrade.err().strip()).isEqualTo("baton: planner rejected the request: targetVersion 'x.y' is not a"
                + " version: a version is numbers separated by dots, like 5.21.0 or 3.5.1 (field targetVersion)");
    }

    @Test
    void whatDoesNotExistIsExitThreeOnOneLine() {
        Run status = baton("status", "no-such-rollout");
        assertThat(status.status()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(status.err().strip()).isEqualTo("baton: planner: no rollout with id no-such-rollout");

        Run pause = baton("pause", "no-such-rollout");
        assertThat(pause.status()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(pause.err().lines()).hasSize(1);
    }
}
