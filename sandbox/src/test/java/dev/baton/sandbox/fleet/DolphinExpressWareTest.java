package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Dolphin eXpressWare rules of reference/dolphin-expressware-rolling-update.txt, each test citing its sentence. */
class DolphinExpressWareTest {

    private static final String INSTALL = "sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms .";

    private ClusterBench lab;

    @BeforeEach
    void demoLab() {
        lab = ClusterBench.demo("dolphin-lab");
    }

    @Test
    void stopPrintsTheReferenceLinesAndDisablesTheNode() {
        // "# dis_services stop" followed by the six "Stopping Dolphin ... [  OK  ]" lines;
        // "this Cluster Node will show up as disabled (not active)."
        CommandResult stop = lab.run("dx1", "dis_services stop");

        assertThat(stop.exitCode()).isZero();
        assertThat(stop.stdout()).isEqualTo("""
                Stopping Dolphin SuperSockets drivers                      [  OK  ]
                Stopping Dolphin SISCI driver                              [  OK  ]
                Stopping Dolphin Node Manager                              [  OK  ]
                Stopping Dolphin IRM driver                                [  OK  ]
                Stopping Dolphin PX driver                                 [  OK  ]
                Stopping Dolphin KOSIF driver                              [  OK  ]
                """);
        CommandResult status = lab.run("dx1", "dis_services status");
        assertThat(status.exitCode()).isEqualTo(3);
        assertThat(status.stdout()).contains("Running version: none\n", "Installed version: 5.20.0\n", "Node status: disabled\n");
        assertThat(lab.active("dx1")).isFalse();
        assertThat(lab.active("dx2")).isTrue();
    }

    // "It requires that you stop all applications which use the eXpressWare software stack (like a database server
    // using SuperSockets)"; "If the services can not be stopped for some reason, you can still update the Cluster
    // Node, but you have to reboot it to enable the updated services."
    @Test
    void anApplicationUsingTheServicesKeepsThemFromStoppingUntilItIsStoppedAndItStartsAgainAtBoot() {
        ClusterBench apps = ClusterBench.of("""
                clusters:
                  - id: dolphin-apps
                    product: dolphin-expressware
                    version: 5.20.0
                    installers: [5.21.0]
                    applications: [sockets-db]
                    nodes:
                      - name: dx1
                """, "dolphin-apps");
        assertThat(apps.run("dx1", "service sockets-db status").stdout()).isEqualTo("sockets-db is running\n");

        CommandResult refused = apps.run("dx1", "dis_services stop");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("in use by sockets-db");
        assertThat(apps.active("dx1")).isTrue();

        assertThat(apps.run("dx1", "service sockets-db stop").exitCode()).isZero();
        assertThat(apps.run("dx1", "dis_services stop").exitCode()).isZero();
        CommandResult noServices = apps.run("dx1", "service sockets-db start");
        assertThat(noServices.exitCode()).isEqualTo(1);
        assertThat(noServices.stderr()).contains("Dolphin SuperSockets is not running");
        apps.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        assertThat(apps.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms .").exitCode()).isZero();
        assertThat(apps.run("dx1", "service sockets-db start").exitCode()).isZero();
        assertThat(apps.run("dx1", "service sockets-db status").exitCode()).isZero();

        apps.reboot("dx1");
        assertThat(apps.run("dx1", "service sockets-db status").stdout()).isEqualTo("sockets-db is running\n");
    }

    @Test
    void aFailCommandsFaultFailsTheInstallWithItsMessageUntilItIsCleared() {
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        lab.machine("dx1").faults().failCommand("--install-node", "error: not enough space on /opt");

        CommandResult full = lab.run("dx1", INSTALL);
        assertThat(full.exitCode()).isEqualTo(1);
        assertThat(full.stderr()).contains("error: not enough space on /opt");
        assertThat(lab.run("dx1", "dis_services status").stdout()).contains("Installed version: 5.20.0");

        lab.machine("dx1").faults().failCommand("--install-node", null);
        assertThat(lab.run("dx1", INSTALL).exitCode()).isZero();
        assertThat(lab.run("dx1", "dis_services status").stdout()).contains("Installed version: 5.21.0");
    }

    // "If for some reason you want to re-install the same version, or even an older version ... you need to use the
    // --enforce option."
    @Test
    void anOlderVersionInstallsOnlyWithEnforce() {
        ClusterBench newer = ClusterBench.of("""
                clusters:
                  - id: dolphin-down
                    product: dolphin-expressware
                    version: 5.21.0
                    installers: [5.20.0]
                    nodes:
                      - name: dx1
                """, "dolphin-down");
        newer.run("dx1", "sh ./Dolphin_eXpressWare-5.20.0.sh --build-rpm");
        CommandResult refused = newer.run("dx1", "sh ./Dolphin_eXpressWare-5.20.0.sh --install-node --use-rpms .");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr() + refused.stdout()).contains("--enforce");

        assertThat(newer.run("dx1", "sh ./Dolphin_eXpressWare-5.20.0.sh --install-node --use-rpms . --enforce").exitCode())
                .isZero();
        assertThat(newer.run("dx1", "dis_services status").stdout()).contains("Running version: 5.20.0");
    }

    @Test
    void statusOfAnActiveNode() {
        CommandResult status = lab.run("dx1", "dis_services status");

        assertThat(status.exitCode()).isZero();
        assertThat(status.stdout()).isEqualTo("""
                Running version: 5.20.0
                Installed version: 5.20.0
                Dolphin KOSIF driver: running
                Dolphin PX driver: running
                Dolphin IRM driver: running
                Dolphin Node Manager: running
                Dolphin SISCI driver: running
                Dolphin SuperSockets drivers: running
                Node status: active
                """);
    }

    @Test
    void aFlappingStatusAlternatesWithoutChangingTheNode() {
        lab.faults("dx1").flapStatus(true);

        assertThat(lab.run("dx1", "dis_services status").exitCode()).isEqualTo(3);
        assertThat(lab.run("dx1", "dis_services status").exitCode()).isZero();
        CommandResult third = lab.run("dx1", "dis_services status");
        assertThat(third.exitCode()).isEqualTo(3);
        assertThat(third.stdout()).contains("Running version: none").contains("Node status: disabled");
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.20.0");

        lab.faults("dx1").flapStatus(false);
        assertThat(lab.run("dx1", "dis_services status").exitCode()).isZero();
        assertThat(lab.run("dx1", "dis_services status").exitCode()).isZero();
    }

    @Test
    void startLoadsTheInstalledVersion() {
        lab.run("dx1", "dis_services stop");

        CommandResult start = lab.run("dx1", "dis_services start");

        assertThat(start.exitCode()).isZero();
        assertThat(start.stdout()).startsWith("Starting Dolphin KOSIF driver").contains("[  OK  ]");
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.20.0");
        assertThat(lab.run("dx1", "dis_services status").stdout()).contains("Node status: active");
    }

    @Test
    void buildRpmCreatesBothDirectoriesInTheCurrentDirectory() {
        // "The created binary RPM packages will be stored in the subdirectories node_RPMS and frontend_RPMS which
        // will be created in the current working directory."
        CommandResult build = lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        assertThat(build.exitCode()).as(build.output()).isZero();
        assertThat(lab.run("dx1", "ls").stdout()).contains("node_RPMS", "frontend_RPMS", "Dolphin_eXpressWare-5.21.0.sh");
        assertThat(lab.run("dx1", "ls /root/node_RPMS").stdout()).contains("5.21.0").contains("rhel-9").contains("x86_64");

        CommandResult elsewhere = lab.run("dx2", "cd /tmp && sh /root/Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        assertThat(elsewhere.exitCode()).as(elsewhere.output()).isZero();
        assertThat(lab.run("dx2", "ls /tmp").stdout()).isEqualTo("frontend_RPMS\nnode_RPMS\n");
        assertThat(lab.run("dx2", "test -d /root/node_RPMS").exitCode()).isEqualTo(1);

        assertThat(lab.run("dx3", "sh Dolphin_eXpressWare-5.21.0.sh --build-rpm").exitCode()).isZero();
    }

    @Test
    void aMissingInstallerFailsClearly() {
        CommandResult build = lab.run("dx1", "sh ./Dolphin_eXpressWare-5.22.0.sh --build-rpm");

        assertThat(build.exitCode()).isEqualTo(127);
        assertThat(build.stderr()).contains("./Dolphin_eXpressWare-5.22.0.sh: No such file or directory");
        assertThat(lab.run("dx1", "test -e node_RPMS").exitCode()).isEqualTo(1);
    }

    @Test
    void installStopsTheServicesAndStartsTheUpdatedOnes() {
        // "Run the SIA with the --install-node --use-rpms <path> options to install and updated RPM packages and
        // start the updated drivers and services." / "The SIA will also try to stop all services when doing an
        // update installation." / "The updated services will be started by the installation"
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        CommandResult install = lab.run("dx1", INSTALL);

        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(install.stdout()).contains(DolphinExpressWare.statusLine("Stopping Dolphin KOSIF driver", true));
        assertThat(install.stdout()).contains(DolphinExpressWare.statusLine("Starting Dolphin SuperSockets drivers", true));
        assertThat(install.reboot()).isFalse();
        assertThat(lab.installedVersion("dx1")).isEqualTo("5.21.0");
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.21.0");
        // "Make sure that Cluster Node has shown up as active (green) ... again before updating the next Cluster Node."
        CommandResult status = lab.run("dx1", "dis_services status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.stdout()).contains("Running version: 5.21.0", "Installed version: 5.21.0", "Node status: active");
    }

    @Test
    void useRpmsAcceptsAbsoluteAndHomePaths() {
        // "# sh  Dolphin_eXpressWare-<version>.sh --install-node --use-rpms /tmp"
        lab.run("dx1", "cd /tmp && sh /root/Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        assertThat(lab.run("dx1", "sh Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms /tmp").exitCode()).isZero();

        lab.run("dx2", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        assertThat(lab.run("dx2", "sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms /root").exitCode()).isZero();
        assertThat(lab.runningVersion("dx2")).isEqualTo("5.21.0");
    }

    @Test
    void installWithoutRpmsFails() {
        CommandResult install = lab.run("dx1", INSTALL);

        assertThat(install.exitCode()).isEqualTo(1);
        assertThat(install.stderr()).contains("no binary RPM packages in /root/node_RPMS").contains("--build-rpm");
        assertThat(lab.installedVersion("dx1")).isEqualTo("5.20.0");
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.20.0");
    }

    @Test
    void rpmsBuiltOnOneNodeInstallOnAnotherOfTheSameArchAndOs() {
        // "you can use the binary RPM packages built on the first Cluster Node that is updated on all other Cluster
        // Nodes (if they have the same CPU architecture and Linux version)."
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        copyRpms(lab, "dx1", lab, "dx2");

        CommandResult install = lab.run("dx2", INSTALL);

        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(lab.runningVersion("dx2")).isEqualTo("5.21.0");
    }

    @Test
    void rpmsOfAnotherArchOrOsAreRefused() {
        // "(if they have the same CPU architecture and Linux version)"
        ClusterBench mixed = ClusterBench.of("""
                clusters:
                  - id: lab
                    product: dolphin-expressware
                    version: 5.20.0
                    installers: [5.21.0]
                    nodes:
                      - name: x86
                      - name: arm
                        arch: aarch64
                      - name: sles
                        os: sles-15
                """, "lab");
        mixed.run("x86", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        copyRpms(mixed, "x86", mixed, "arm");
        copyRpms(mixed, "x86", mixed, "sles");

        CommandResult arm = mixed.run("arm", INSTALL);
        CommandResult sles = mixed.run("sles", INSTALL);

        assertThat(arm.exitCode()).isEqualTo(1);
        assertThat(arm.stderr()).contains("were built for rhel-9 x86_64, but this node runs rhel-9 aarch64");
        assertThat(sles.exitCode()).isEqualTo(1);
        assertThat(sles.stderr()).contains("but this node runs sles-15 x86_64");
        assertThat(mixed.installedVersion("arm")).isEqualTo("5.20.0");
    }

    @Test
    void rpmsOfAnotherVersionAreRefused() {
        ClusterBench two = ClusterBench.of("""
                clusters:
                  - id: lab
                    product: dolphin-expressware
                    version: 5.20.0
                    installers: [5.21.0, 5.22.0]
                    nodes: [{name: dx1}]
                """, "lab");
        two.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        CommandResult install = two.run("dx1", "sh ./Dolphin_eXpressWare-5.22.0.sh --install-node --use-rpms .");

        assertThat(install.exitCode()).isEqualTo(1);
        assertThat(install.stderr()).contains("are for version 5.21.0, not 5.22.0");
    }

    @Test
    void theSameOrAnOlderVersionNeedsEnforce() {
        // "If for some reason you want to re-install the same version, or even an older version of the Dolphin
        // PCI Express software stack than is currently installed, you need to use the --enforce option."
        ClusterBench newer = ClusterBench.of("""
                clusters:
                  - id: lab
                    product: dolphin-expressware
                    version: 5.21.0
                    installers: [5.20.0, 5.21.0]
                    nodes: [{name: dx1}]
                """, "lab");
        newer.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        CommandResult same = newer.run("dx1", INSTALL);
        assertThat(same.exitCode()).isEqualTo(1);
        assertThat(same.stderr()).contains("5.21.0 is installed").contains("needs --enforce");
        assertThat(newer.run("dx1", INSTALL + " --enforce").exitCode()).isZero();

        newer.run("dx1", "rm -rf node_RPMS frontend_RPMS && sh ./Dolphin_eXpressWare-5.20.0.sh --build-rpm");
        CommandResult older = newer.run("dx1", "sh ./Dolphin_eXpressWare-5.20.0.sh --install-node --use-rpms .");
        assertThat(older.exitCode()).isEqualTo(1);
        assertThat(older.stderr()).contains("needs --enforce");
        assertThat(newer.installedVersion("dx1")).isEqualTo("5.21.0");
        assertThat(newer.run("dx1", "sh ./Dolphin_eXpressWare-5.20.0.sh --install-node --use-rpms . --enforce").exitCode()).isZero();
        assertThat(newer.runningVersion("dx1")).isEqualTo("5.20.0");
    }

    @Test
    void servicesThatRefuseToStopFailAndKeepRunning() {
        // "If the services can not be stopped for some reason, you can still update the Cluster Node, but you have
        // to reboot it to enable the updated services."
        lab.faults("dx1").refuseStop(true);

        CommandResult stop = lab.run("dx1", "dis_services stop");

        assertThat(stop.exitCode()).isEqualTo(1);
        assertThat(stop.stdout()).isEqualTo(DolphinExpressWare.statusLine("Stopping Dolphin SuperSockets drivers", false) + "\n");
        assertThat(stop.stdout()).contains("[FAILED]");
        assertThat(lab.active("dx1")).isTrue();
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.20.0");
    }

    @Test
    void servicesThatCannotBeStoppedLeaveTheUpdateInstalledButNotLoadedUntilReboot() {
        // "If the services could not be stopped in step 4, a reboot is required to allow the updated drivers to be
        // loaded. Otherwise, the new drivers will only be installed on disk, but will not be loaded and used."
        lab.faults("dx1").refuseStop(true);
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        CommandResult install = lab.run("dx1", INSTALL);

        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(install.stdout()).contains("[FAILED]").contains("reboot of the Cluster Node is required");
        assertThat(lab.installedVersion("dx1")).isEqualTo("5.21.0");
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.20.0");
        assertThat(lab.run("dx1", "dis_services status").stdout())
                .contains("Running version: 5.20.0", "Installed version: 5.21.0", "Node status: active");

        lab.reboot("dx1");

        assertThat(lab.runningVersion("dx1")).isEqualTo("5.21.0");
    }

    @Test
    void installedFilesBecomeActiveWhenTheServicesAreRestarted() {
        // "in this case the updated PCI Express services will not become active until you restart them (or reboot
        // the machine)."
        lab.faults("dx1").refuseStop(true);
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");
        lab.run("dx1", INSTALL);
        lab.faults("dx1").refuseStop(false);

        CommandResult restart = lab.run("dx1", "dis_services restart");

        assertThat(restart.exitCode()).isZero();
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.21.0");
    }

    @Test
    void rebootOptionRebootsAfterASuccessfulInstall() {
        // "Adding the option --reboot will reboot the Cluster Node after the installation has been successful."
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        CommandResult install = lab.run("dx1", INSTALL + " --reboot");

        assertThat(install.exitCode()).isZero();
        assertThat(install.reboot()).isTrue();
        assertThat(lab.installedVersion("dx1")).isEqualTo("5.21.0");

        CommandResult failed = lab.run("dx2", INSTALL + " --reboot");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.reboot()).isFalse();
    }

    @Test
    void servicesThatFailToStartAreFixedByAReboot() {
        // "If the services failed to start, a reboot of the Cluster Node will fix the problem."
        lab.faults("dx1").failStartUntilReboot(true);
        lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm");

        CommandResult install = lab.run("dx1", INSTALL);

        assertThat(install.exitCode()).isEqualTo(1);
        assertThat(install.output()).contains("[FAILED]").contains("a reboot of the Cluster Node will fix the problem");
        assertThat(lab.runningVersion("dx1")).isNull();
        assertThat(lab.run("dx1", "dis_services start").exitCode()).isEqualTo(1);
        String bootBefore = lab.machine("dx1").bootId();

        lab.reboot("dx1");

        assertThat(lab.machine("dx1").bootId()).isNotEqualTo(bootBefore);
        assertThat(lab.runningVersion("dx1")).isEqualTo("5.21.0");
        assertThat(lab.run("dx1", "dis_services status").exitCode()).isZero();
    }

    @Test
    void servicesStartAtBootOnTheInstalledVersion() {
        lab.run("dx1", "dis_services stop");

        lab.reboot("dx1");

        assertThat(lab.runningVersion("dx1")).isEqualTo("5.20.0");
        assertThat(lab.active("dx1")).isTrue();
    }

    @Test
    void badInstallerOptionsAreExplained() {
        CommandResult none = lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stderr()).contains("Usage: sh Dolphin_eXpressWare-5.21.0.sh --build-rpm | --install-node --use-rpms <path>");

        CommandResult unknown = lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("unknown option '--frobnicate'");

        CommandResult noPath = lab.run("dx1", "sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms");
        assertThat(noPath.exitCode()).isEqualTo(1);
        assertThat(noPath.stderr()).contains("--use-rpms needs the directory");
    }

    /** Copies node_RPMS and frontend_RPMS from one node's home to another's with cat, as an executor could. */
    static void copyRpms(ClusterBench from, String source, ClusterBench to, String target) {
        for (String dir : new String[] {"node_RPMS", "frontend_RPMS"}) {
            to.run(target, "mkdir -p " + dir);
            for (String file : from.run(source, "ls " + dir).stdout().lines().toList()) {
                String content = from.run(source, "cat " + dir + "/" + file).stdout();
                assertThat(to.run(target, "cat > " + dir + "/" + file, content).exitCode()).isZero();
            }
        }
    }
}
