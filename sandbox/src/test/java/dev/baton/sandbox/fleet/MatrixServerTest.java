package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Matrix Server rules of reference/matrix-server-3.5.1-rolling-upgrade.txt, each test citing its sentence. */
class MatrixServerTest {

    private ClusterBench prod;

    @BeforeEach
    void demoMatrix() {
        prod = ClusterBench.demo("matrix-prod");
    }

    /** The health service's Matrix probe in one exec (health ProbeReading.command): each part's exit status echoed. */
    @Test
    void theHealthProbeWithPsfsRidingAlongAnswersInOneExec() {
        String probe = "cat /proc/sys/kernel/random/boot_id; pmxs status; echo __baton_status_exit__ $?; psfs status;"
                + " echo __baton_shared_exit__ $?";
        assertThat(prod.run("srv1", probe).stdout()).contains("Matrix Server 3.5.0 is running\n__baton_status_exit__ 0\n"
                + "PSFS filesystem /psfs is mounted\n__baton_shared_exit__ 0\n");

        prod.run("srv1", "pmxs stop");
        assertThat(prod.run("srv1", probe).stdout()).contains("__baton_status_exit__ 3\n"
                + "PSFS filesystem /psfs is not mounted\n__baton_shared_exit__ 3\n");
    }

    private void upgrade(String node, String version) {
        assertThat(prod.run(node, "pmxs stop").exitCode()).isZero();
        assertThat(prod.run(node, "mx-install " + version).exitCode()).isZero();
        assertThat(prod.run(node, "pmxs start").exitCode()).isZero();
    }

    private MatrixServer matrix() {
        return (MatrixServer) prod.product;
    }

    @Test
    void membershipListsTheClusterAddressesLikeTheReferenceSample() {
        // "Run the command mx --numeric server status to determine the IP addresses known to the matrix. In our
        // example, the output is as follows": 10.10.1.1 / 10.10.1.2 / 10.10.1.3
        ClusterBench sample = ClusterBench.of("""
                clusters:
                  - id: sample
                    product: matrix-server
                    version: 3.5.0
                    nodes:
                      - {name: srv1, clusterAddress: 10.10.1.1, addresses: [10.10.1.1, 10.10.2.3]}
                      - {name: srv2, clusterAddress: 10.10.1.2, addresses: [10.10.1.2, 10.10.2.2]}
                      - {name: srv3, clusterAddress: 10.10.1.3, addresses: [10.10.1.3, 10.10.2.1]}
                """, "sample");

        CommandResult status = sample.run("srv2", "mx --numeric server status");

        assertThat(status.exitCode()).isZero();
        assertThat(status.stdout()).isEqualTo("10.10.1.1\n10.10.1.2\n10.10.1.3\n");
    }

    @Test
    void aFlappingStatusAlternatesWhileTheServerStaysAMember() {
        prod.faults("srv2").flapStatus(true);

        CommandResult first = prod.run("srv2", "pmxs status");
        assertThat(first.exitCode()).isEqualTo(3);
        assertThat(first.stdout()).contains("is stopped");
        assertThat(prod.run("srv2", "pmxs status").stdout()).contains("Matrix Server 3.5.0 is running");
        assertThat(prod.run("srv2", "pmxs status").exitCode()).isEqualTo(3);
        assertThat(prod.run("srv1", "mx --numeric server status").stdout()).contains("10.10.1.2");
    }

    @Test
    void membershipIsSortedNumericallyNotAsText() {
        ClusterBench wide = ClusterBench.of("""
                clusters:
                  - id: wide
                    product: matrix-server
                    version: 3.5.0
                    nodes:
                      - {name: a, clusterAddress: 10.10.1.10}
                      - {name: b, clusterAddress: 10.10.1.9}
                      - {name: c, clusterAddress: 10.10.1.100}
                      - {name: d, clusterAddress: 9.200.1.1}
                """, "wide");

        assertThat(wide.run("a", "mx --numeric server status").stdout())
                .isEqualTo("9.200.1.1\n10.10.1.9\n10.10.1.10\n10.10.1.100\n");
    }

    @Test
    void membershipUsesTheClusterAddressNotTheOtherInterface() {
        // "server srv1: network interfaces 10.10.1.1 and 10.10.2.3" - the matrix knows srv1 by 10.10.1.1.
        String members = prod.run("srv1", "mx --numeric server status").stdout();

        assertThat(members).isEqualTo("10.10.1.1\n10.10.1.2\n10.10.1.3\n10.10.1.4\n");
        assertThat(members).doesNotContain("10.10.2.").doesNotContain("127.77.");
    }

    @Test
    void mxAnswersOnlyOnARunningMember() {
        prod.run("srv2", "pmxs stop");

        CommandResult stopped = prod.run("srv2", "mx --numeric server status");

        assertThat(stopped.exitCode()).isEqualTo(1);
        assertThat(stopped.stderr()).contains("not running");
        assertThat(prod.run("srv1", "mx --numeric server status").stdout()).isEqualTo("10.10.1.1\n10.10.1.3\n10.10.1.4\n");
    }

    @Test
    void pmxsStopStartAndStatus() {
        CommandResult running = prod.run("srv1", "pmxs status");
        assertThat(running.exitCode()).isZero();
        assertThat(running.stdout()).isEqualTo("Matrix Server 3.5.0 is running\n");

        assertThat(prod.run("srv1", "/etc/init.d/pmxs stop").exitCode()).isZero();
        CommandResult stopped = prod.run("srv1", "pmxs status");
        assertThat(stopped.exitCode()).isEqualTo(3);
        assertThat(stopped.stdout()).contains("Matrix Server is stopped");
        assertThat(prod.runningVersion("srv1")).isNull();

        assertThat(prod.run("srv1", "pmxs start").exitCode()).isZero();
        assertThat(prod.run("srv1", "pmxs status").exitCode()).isZero();
        assertThat(prod.run("srv1", "psfs status").stdout()).isEqualTo("PSFS filesystem /psfs is mounted\n");
    }

    @Test
    void mxInstallOnlyWhileStopped() {
        CommandResult running = prod.run("srv4", "mx-install 3.5.1");
        assertThat(running.exitCode()).isEqualTo(1);
        assertThat(running.stderr()).contains("stop it first");
        assertThat(prod.installedVersion("srv4")).isEqualTo("3.5.0");

        upgrade("srv4", "3.5.1");

        assertThat(prod.runningVersion("srv4")).isEqualTo("3.5.1");
        assertThat(prod.run("srv4", "pmxs status").stdout()).isEqualTo("Matrix Server 3.5.1 is running\n");
    }

    @Test
    void upgradingHighestAddressFirstKeepsEveryoneInTheMatrix() {
        // "indicates that srv3 (IP address 10.10.1.3) should be upgraded first": highest address first.
        // "During the rolling upgrade, the matrix will include a mix of servers running 3.5.1 and the older release."
        upgrade("srv4", "3.5.1");
        upgrade("srv3", "3.5.1");

        for (String node : new String[] {"srv1", "srv2", "srv3", "srv4"}) {
            assertThat(prod.run(node, "pmxs status").exitCode()).as(node).isZero();
        }
        assertThat(prod.run("srv1", "mx --numeric server status").stdout()).isEqualTo("10.10.1.1\n10.10.1.2\n10.10.1.3\n10.10.1.4\n");

        upgrade("srv2", "3.5.1");
        upgrade("srv1", "3.5.1");
        assertThat(matrix().members()).containsExactly("srv1", "srv2", "srv3", "srv4");
    }

    @Test
    void anOutOfOrderUpgradeMakesTheOldServersLeave() {
        // "If a server is accidentally upgraded out of order, when a higher-number server joins the matrix, the
        // servers still running the old version of Matrix Server will think they need to leave the matrix"
        upgrade("srv2", "3.5.1");

        for (String old : new String[] {"srv1", "srv3", "srv4"}) {
            CommandResult status = prod.run(old, "pmxs status");
            assertThat(status.exitCode()).as(old).isEqualTo(3);
            assertThat(status.stdout()).as(old).contains("Matrix Server 3.5.0 is running but has left the matrix");
            assertThat(prod.runningVersion(old)).isEqualTo("3.5.0");
            assertThat(prod.run(old, "mx --numeric server status").exitCode()).isEqualTo(1);
        }
        assertThat(prod.run("srv2", "mx --numeric server status").stdout()).isEqualTo("10.10.1.2\n");
    }

    @Test
    void stoppingTheOutOfOrderServerLetsTheOldServersRejoin() {
        // "To correct this problem, stop Matrix Server on the node that was upgraded out of order. Continue
        // upgrading the other nodes before starting Matrix Server on that node."
        upgrade("srv2", "3.5.1");

        prod.run("srv2", "pmxs stop");

        assertThat(prod.run("srv1", "mx --numeric server status").stdout()).isEqualTo("10.10.1.1\n10.10.1.3\n10.10.1.4\n");
        upgrade("srv4", "3.5.1");
        upgrade("srv3", "3.5.1");
        assertThat(matrix().members()).containsExactly("srv1", "srv3", "srv4");
        assertThat(prod.run("srv2", "pmxs start").exitCode()).isZero();
        assertThat(matrix().members()).containsExactly("srv1", "srv2", "srv3", "srv4");
        upgrade("srv1", "3.5.1");
        assertThat(matrix().members()).containsExactly("srv1", "srv2", "srv3", "srv4");
    }

    @Test
    void aCorrectlyUpgradedServerDoesNotStopTheRemedy() {
        upgrade("srv4", "3.5.1");
        upgrade("srv2", "3.5.1");   // out of order: srv3 (old) has a higher address than srv2 (new)
        assertThat(matrix().members()).containsExactly("srv2", "srv4");

        prod.run("srv2", "pmxs stop");

        assertThat(matrix().members()).containsExactly("srv1", "srv3", "srv4");
    }

    @Test
    void oldServersRejoinWhileAnOldServerIsActive() {
        // "As long as the matrix includes at least one active server running the old release, other servers running
        // that version will be able to join the matrix (for example, following a reboot)."
        upgrade("srv4", "3.5.1");
        upgrade("srv3", "3.5.1");

        prod.reboot("srv2");

        assertThat(prod.run("srv2", "pmxs status").exitCode()).isZero();
        assertThat(matrix().members()).containsExactly("srv1", "srv2", "srv3", "srv4");
    }

    @Test
    void afterTheLastOldServerLeftOnlyNewServersCanJoin() {
        // "However, after the last server running the older release has left the matrix, only servers running 3.5.1
        // can join the matrix."
        upgrade("srv4", "3.5.1");
        upgrade("srv3", "3.5.1");
        prod.down("srv2");            // an old server is down ...
        prod.run("srv1", "pmxs stop"); // ... and the last active old server leaves

        prod.boot("srv2");

        CommandResult status = prod.run("srv2", "pmxs status");
        assertThat(status.exitCode()).isEqualTo(3);
        assertThat(status.stdout()).contains("Matrix Server 3.5.0 is running but cannot join the matrix");
        assertThat(prod.run("srv1", "pmxs start").stdout()).contains("cannot join the matrix");
        assertThat(matrix().members()).containsExactly("srv3", "srv4");

        // a server running the new release still joins
        prod.run("srv2", "pmxs stop");
        prod.run("srv2", "mx-install 3.5.1");
        prod.run("srv2", "pmxs start");
        assertThat(matrix().members()).containsExactly("srv2", "srv3", "srv4");
    }

    @Test
    void oldServersMayReformTheMatrixWhenNoNewServerIsAMember() {
        upgrade("srv4", "3.5.1");
        prod.run("srv1", "pmxs stop");
        prod.run("srv2", "pmxs stop");
        prod.run("srv3", "pmxs stop");
        prod.run("srv4", "pmxs stop");

        prod.run("srv1", "pmxs start");

        assertThat(matrix().members()).containsExactly("srv1");
    }

    @Test
    void psfsCannotBeMountedOnAnOldServerAfterTheLastOldServerUnmountedIt() {
        // "After the PSFS filesystem has been unmounted on the last node running the older release, the filesystem
        // cannot be mounted on a node running the older release unless it is first unmounted on the nodes running
        // 3.5.1."
        upgrade("srv4", "3.5.1");
        upgrade("srv3", "3.5.1");
        assertThat(prod.run("srv4", "psfs status").exitCode()).isZero();
        prod.run("srv1", "psfs umount");
        // srv2 (old) still has it mounted, so srv1 (old) may mount again
        assertThat(prod.run("srv1", "psfs mount").exitCode()).isZero();
        prod.run("srv1", "psfs umount");
        prod.run("srv2", "psfs umount");

        CommandResult refused = prod.run("srv1", "psfs mount");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("unmounted on the last server running the older release")
                .contains("srv3").contains("srv4");
        assertThat(prod.run("srv1", "psfs status").exitCode()).isEqualTo(3);
        prod.run("srv3", "psfs umount");
        assertThat(prod.run("srv1", "psfs mount").exitCode()).as("srv4 still has it mounted").isEqualTo(1);
        prod.run("srv4", "psfs umount");
        assertThat(prod.run("srv1", "psfs mount").exitCode()).isZero();
        assertThat(prod.run("srv2", "psfs mount").exitCode()).isZero();
        // "During the upgrade, a mix of servers running 3.5.1 and the older release may have a PSFS filesystem mounted."
        assertThat(prod.run("srv4", "psfs mount").exitCode()).isZero();
    }

    @Test
    void stoppingMatrixServerUnmountsPsfsAndStartingMountsItWhenAllowed() {
        upgrade("srv4", "3.5.1");
        assertThat(prod.run("srv4", "psfs status").stdout()).contains("is mounted");
        prod.run("srv1", "pmxs stop");
        assertThat(prod.run("srv1", "psfs status").exitCode()).isEqualTo(3);
        prod.run("srv2", "psfs umount");
        prod.run("srv3", "psfs umount");

        CommandResult start = prod.run("srv1", "pmxs start");

        assertThat(start.exitCode()).isZero();
        assertThat(start.stdout()).contains("Mounting PSFS filesystem /psfs:").contains("[FAILED]");
        assertThat(prod.run("srv1", "pmxs status").exitCode()).isZero();
        assertThat(prod.run("srv1", "psfs status").exitCode()).isEqualTo(3);
    }

    @Test
    void psfsNeedsARunningMember() {
        prod.run("srv1", "pmxs stop");

        CommandResult mount = prod.run("srv1", "psfs mount");

        assertThat(mount.exitCode()).isEqualTo(1);
        assertThat(mount.stderr()).contains("not running");
    }

    @Test
    void refuseStopKeepsTheServerRunning() {
        prod.faults("srv4").refuseStop(true);

        CommandResult stop = prod.run("srv4", "pmxs stop");

        assertThat(stop.exitCode()).isEqualTo(1);
        assertThat(stop.stdout()).contains("[FAILED]");
        assertThat(prod.run("srv4", "pmxs status").exitCode()).isZero();
        assertThat(prod.run("srv4", "mx-install 3.5.1").exitCode()).isEqualTo(1);
    }

    @Test
    void failStartUntilRebootIsClearedByAReboot() {
        prod.faults("srv4").failStartUntilReboot(true);
        prod.run("srv4", "pmxs stop");

        CommandResult start = prod.run("srv4", "pmxs start");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.stdout()).contains("[FAILED]");
        assertThat(prod.runningVersion("srv4")).isNull();

        prod.reboot("srv4");

        assertThat(prod.faults("srv4").failStartUntilReboot()).isFalse();
        assertThat(prod.run("srv4", "pmxs status").exitCode()).isZero();
        assertThat(prod.run("srv4", "psfs status").exitCode()).isZero();
    }

    @Test
    void newIsTheHighestVersionComparedNumerically() {
        ClusterBench ten = ClusterBench.of("""
                clusters:
                  - id: ten
                    product: matrix-server
                    version: 3.5.9
                    nodes:
                      - {name: a, clusterAddress: 10.0.0.1}
                      - {name: b, clusterAddress: 10.0.0.2}
                """, "ten");
        ten.run("a", "pmxs stop");
        ten.run("a", "mx-install 3.5.10");

        ten.run("a", "pmxs start");

        // 3.5.10 is the new release (textually it would sort below 3.5.9): a is out of order below b.
        assertThat(ten.run("b", "pmxs status").stdout()).contains("3.5.9 is running but has left the matrix");
        assertThat(ten.run("a", "pmxs status").exitCode()).isZero();
    }

    @Test
    void badArgumentsAreExplained() {
        assertThat(prod.run("srv1", "pmxs frobnicate").exitCode()).isEqualTo(2);
        assertThat(prod.run("srv1", "mx-install").stderr()).contains("Usage: mx-install <version>");
        prod.run("srv1", "pmxs stop");
        assertThat(prod.run("srv1", "mx-install latest").stderr()).contains("'latest' is not a Matrix Server version");
        assertThat(prod.run("srv1", "mx server").exitCode()).isEqualTo(2);
    }
}
