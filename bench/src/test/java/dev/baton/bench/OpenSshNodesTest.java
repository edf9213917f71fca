package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.procedure.HealthProbe;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.procedure.StepDefinition;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.openssh.OpenSshNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files {@link OpenSshNodes} gives each node: sshd_config, known_hosts lines, and the product's shell scripts, run
 * here with {@code /bin/sh} in a temporary directory (no sshd) and read with the matrix-server procedure's own health
 * patterns.
 */
class OpenSshNodesTest {
    private static final OpenSshNodes.StepTimes NO_WAIT = new OpenSshNodes.StepTimes(Duration.ZERO, Duration.ZERO, Duration.ZERO);

    private final HealthProbe health = ProcedureCatalog.shipped().get("matrix-server").orElseThrow().health();
    private final List<StepDefinition> steps = ProcedureCatalog.shipped().get("matrix-server").orElseThrow().steps();

    @TempDir
    Path dir;
    private Path members;

    /** What a command printed on stdout and stderr, and its exit status. */
    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void threeNodes() throws IOException {
        members = Files.createDirectories(dir.resolve("cluster/members"));
        OpenSshNodes.writeNodeFiles(dir.resolve("mx10"), "mx10", "127.79.0.10", members, "3.5.0", NO_WAIT);
        OpenSshNodes.writeNodeFiles(dir.resolve("mx09"), "mx09", "127.79.0.9", members, "3.5.0", NO_WAIT);
        OpenSshNodes.writeNodeFiles(dir.resolve("mx02"), "mx02", "127.79.0.2", members, "3.5.0", NO_WAIT);
    }

    @Test
    void eachSessionGetsTheNodesHomeAndScripts() {
        List<String> config = OpenSshNodes.sessionEnvironment("mx07", Path.of("/w/nodes/mx07/home"));

        assertThat(config).contains(
                "SetEnv BATON_NODE_DIR=\"/w/nodes/mx07/home\" HOME=\"/w/nodes/mx07/home\" PATH=\"/w/nodes/mx07/home/bin:/usr/bin:/bin\"");
        // sshd_config takes the first value of a keyword: exactly one SetEnv line carries all three variables
        assertThat(config.stream().filter(l -> l.startsWith("SetEnv"))).hasSize(1);
    }

    @Test
    void aKnownHostsLineNamesTheHostAndPortInBracketsAndDropsTheKeysComment() {
        assertThat(OpenSshNodes.knownHostsLine("127.79.0.7", 40707, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK mx07\n"))
                .isEqualTo("[127.79.0.7]:40707 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK");
    }

    @Test
    void theStepTimesComeFromTheNodesSlowCommandsLikeTheSimulatedNode() throws IOException {
        FleetSpec.Node node = OpenSshScenario.cluster("c").nodes().get(0);

        OpenSshNodes.StepTimes times = OpenSshScenario.stepTimes(node);

        assertThat(times).isEqualTo(new OpenSshNodes.StepTimes(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500)));
        assertThat(OpenSshNodes.nodeEnv("mx01", "127.79.0.1", members, times).lines())
                .contains("MX_STOP_SECONDS=0.5", "MX_INSTALL_SECONDS=0.5", "MX_START_SECONDS=0.5", "MX_CLUSTER_ADDRESS='127.79.0.1'");
    }

    @Test
    void aRunningNodeIsActiveOnItsVersionAndEveryRunningNodeIsAMemberLowestAddressFirst() throws Exception {
        Run status = sh("mx09", health.command());
        Run membership = sh("mx09", health.membershipCommand());

        assertThat(status.exit()).isZero();
        assertThat(health.isActive(status.exit(), status.out())).isTrue();
        assertThat(health.runningVersion(status.out())).contains("3.5.0");
        assertThat(membership.exit()).isZero();
        assertThat(health.memberAddresses(membership.out())).containsExactly("127.79.0.2", "127.79.0.9", "127.79.0.10");
        assertThat(sh("mx09", "mx server status").out().lines()).containsExactly("mx02", "mx09", "mx10");
    }

    @Test
    void theProceduresStepsUpgradeANodeAndItLeavesTheMatrixWhileStopped() throws Exception {
        List<String> commands = steps.stream().map(s -> s.render(Map.of("targetVersion", "3.5.1"))).toList();
        assertThat(commands).containsExactly("pmxs stop", "mx-install 3.5.1", "pmxs start");

        Run stop = sh("mx10", commands.get(0));
        assertThat(stop.exit()).isZero();
        assertThat(stop.out().lines()).containsExactly(
                String.format("%-59s%s", "Unmounting PSFS filesystem /psfs:", "[  OK  ]"),
                String.format("%-59s%s", "Stopping Matrix Server 3.5.0:", "[  OK  ]"));
        Run stopped = sh("mx10", health.command());
        assertThat(stopped.exit()).isEqualTo(3);
        assertThat(stopped.out()).isEqualTo("Matrix Server is stopped (installed version 3.5.0)\n");
        assertThat(health.isActive(stopped.exit(), stopped.out())).isFalse();
        assertThat(health.memberAddresses(sh("mx02", health.membershipCommand()).out())).containsExactly("127.79.0.2", "127.79.0.9");
        Run notRunning = sh("mx10", health.membershipCommand());
        assertThat(notRunning.exit()).isEqualTo(1);
        assertThat(notRunning.err()).isEqualTo("mx: cannot connect to Matrix Server on mx10: it is not running\n");

        Run install = sh("mx10", commands.get(1));
        assertThat(install.exit()).isZero();
        assertThat(install.out()).isEqualTo("Installing Matrix Server 3.5.1 (replacing 3.5.0) ...\n"
                + "Matrix Server 3.5.1 is installed; start it with 'pmxs start'\n");
        assertThat(Files.readString(dir.resolve("mx10/installed-version"))).isEqualTo("3.5.1\n");
        assertThat(health.isActive(3, sh("mx10", health.command()).out())).isFalse();

        Run start = sh("mx10", commands.get(2));
        assertThat(start.exit()).isZero();
        assertThat(start.out()).contains("Starting Matrix Server 3.5.1:").contains("Mounting PSFS filesystem /psfs:");
        Run active = sh("mx10", health.command());
        assertThat(health.isActive(active.exit(), active.out())).isTrue();
        assertThat(health.runningVersion(active.out())).contains("3.5.1");
        assertThat(health.memberAddresses(sh("mx02", health.membershipCommand()).out()))
                .containsExactly("127.79.0.2", "127.79.0.9", "127.79.0.10");
        assertThat(members).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("."));
    }

    @Test
    void mistakesAreRefusedWithTheSimulatedProductsMessagesAndChangeNothing() throws Exception {
        Run whileRunning = sh("mx02", "mx-install 3.5.1");
        assertThat(whileRunning.exit()).isEqualTo(1);
        assertThat(whileRunning.err())
                .isEqualTo("mx-install: Matrix Server 3.5.0 is running on this server; stop it first with 'pmxs stop'\n");
        assertThat(Files.readString(dir.resolve("mx02/installed-version"))).isEqualTo("3.5.0\n");

        sh("mx02", "pmxs stop");
        for (String bad : List.of("3.x", "3..5", ".3", "3.5.", "''")) {
            Run refused = sh("mx02", "mx-install " + bad);
            assertThat(refused.exit()).as(bad).isEqualTo(1);
            assertThat(refused.err()).as(bad).contains("is not a Matrix Server version");
        }
        assertThat(sh("mx02", "mx-install").exit()).isEqualTo(2);
        assertThat(sh("mx02", "pmxs").exit()).isEqualTo(2);
        assertThat(sh("mx02", "pmxs restart").exit()).isEqualTo(2);
        assertThat(sh("mx02", "mx server").exit()).isEqualTo(2);
        assertThat(sh("mx02", "pmxs stop").out()).isEqualTo("Matrix Server is not running\n");
        assertThat(Files.readString(dir.resolve("mx02/installed-version"))).isEqualTo("3.5.0\n");

        sh("mx02", "pmxs start");
        assertThat(sh("mx02", "pmxs start").out()).isEqualTo("Matrix Server 3.5.0 is already running\n");
    }

    @Test
    void theNodesBashrcMovesEachSessionToTheNodesOwnHome() {
        assertThat(OpenSshNodes.BASHRC.lines()).contains("cd \"$HOME\" || exit 1");
    }

    /** Runs {@code command} as sshd would on the node: its SetEnv environment, through /bin/sh -c. */
    private Run sh(String node, String command) throws Exception {
        Path home = dir.resolve(node);
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile());
        builder.environment().clear();
        builder.environment().putAll(Map.of("BATON_NODE_DIR", home.toString(), "HOME", home.toString(),
                "PATH", home.resolve("bin") + ":/usr/bin:/bin"));
        Path out = Files.createTempFile(dir, "out", "");
        Path err = Files.createTempFile(dir, "err", "");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(command).isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
