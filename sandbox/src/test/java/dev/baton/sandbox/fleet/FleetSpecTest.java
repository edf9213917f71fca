package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetSpecTest {

    @Test
    void demoFleetHasTheReferenceLayout() {
        FleetSpec spec = FleetSpec.fromClasspath("/fleets/demo.yaml");

        assertThat(spec.sshUser()).isEqualTo("root");
        assertThat(spec.rebootDowntime()).isEqualTo(Duration.ofSeconds(1));
        FleetSpec.Cluster dolphin = spec.cluster("dolphin-lab");
        assertThat(dolphin.product()).isEqualTo(FleetSpec.Product.DOLPHIN_EXPRESSWARE);
        assertThat(dolphin.procedure()).isEqualTo("dolphin-expressware");
        assertThat(dolphin.installers()).containsExactly("5.21.0");
        assertThat(dolphin.nodes()).extracting(FleetSpec.Node::name).containsExactly("dx1", "dx2", "dx3");
        assertThat(dolphin.nodes()).extracting(FleetSpec.Node::sshHost).containsExactly("127.77.1.1", "127.77.1.2", "127.77.1.3");
        assertThat(dolphin.nodes()).extracting(FleetSpec.Node::version).containsOnly("5.20.0");

        // reference/matrix-server: "server srv1: network interfaces 10.10.1.1 and 10.10.2.3" (one more server here)
        FleetSpec.Cluster matrix = spec.cluster("matrix-prod");
        FleetSpec.Node srv1 = matrix.node("srv1");
        assertThat(srv1.sshHost()).isEqualTo("127.77.2.1");
        assertThat(srv1.clusterAddress()).isEqualTo("10.10.1.1");
        assertThat(srv1.addresses()).containsExactly("10.10.1.1", "10.10.2.4");
        assertThat(matrix.node("srv4").addresses()).containsExactly("10.10.1.4", "10.10.2.1");
        assertThat(matrix.nodes()).extracting(FleetSpec.Node::sshHost)
                .containsExactly("127.77.2.1", "127.77.2.2", "127.77.2.3", "127.77.2.4");
    }

    @Test
    void theDemoRolloutsDolphinClusterStopsItsApplicationsThroughItsHooks() {
        FleetSpec.Cluster dolphin = FleetSpec.fromClasspath("/fleets/demo-rollout.yaml").clusters().stream()
                .filter(c -> c.id().equals("dolphin-lab")).findFirst().orElseThrow();

        assertThat(dolphin.applications()).containsExactly("sockets-db");
        assertThat(dolphin.hooks().beforeDisruption().command()).isEqualTo("service sockets-db stop");
        assertThat(dolphin.hooks().afterActive().command()).isEqualTo("service sockets-db start");
        assertThat(dolphin.hooks().afterActive().timeout()).hasMinutes(2);
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: m
                    product: matrix-server
                    version: 3.5.0
                    applications: [app]
                    nodes:
                      - name: srv1
                """)).isInstanceOf(FleetSpecException.class).hasMessageContaining("applications");
    }

    @Test
    void fillsInEveryDefault() {
        FleetSpec spec = FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: matrix-server
                    version: 3.5.0
                    nodes:
                      - name: a
                      - name: b
                        version: 3.5.1
                        arch: aarch64
                        os: sles-15
                """);

        assertThat(spec.sshUser()).isEqualTo("root");
        assertThat(spec.rebootDowntime()).isEqualTo(Duration.ofSeconds(1));
        FleetSpec.Cluster lab = spec.cluster("lab");
        assertThat(lab.procedure()).isEqualTo("matrix-server");
        assertThat(lab.sshPort()).isZero();
        FleetSpec.Node a = lab.node("a");
        assertThat(a.sshHost()).isEqualTo("127.77.1.1");
        assertThat(a.clusterAddress()).isEqualTo("127.77.1.1");
        assertThat(a.addresses()).containsExactly("127.77.1.1");
        assertThat(a.arch()).isEqualTo("x86_64");
        assertThat(a.os()).isEqualTo("rhel-9");
        assertThat(a.version()).isEqualTo("3.5.0");
        assertThat(a.faults().refuseStop()).isFalse();
        FleetSpec.Node b = lab.node("b");
        assertThat(b.sshHost()).isEqualTo("127.77.1.2");
        assertThat(b.version()).isEqualTo("3.5.1");
        assertThat(b.arch()).isEqualTo("aarch64");
        assertThat(b.os()).isEqualTo("sles-15");
    }

    @Test
    void readsFaultsAndTopLevelSettings() {
        FleetSpec spec = FleetSpec.parse("""
                sshUser: baton
                rebootDowntime: PT0.3S
                clusters:
                  - id: lab
                    product: dolphin-expressware
                    procedure: dolphin-custom
                    version: 5.20.0
                    sshPort: 2222
                    nodes:
                      - name: dx1
                        sshHost: 127.0.0.9
                        faults:
                          refuseStop: true
                          failStartUntilReboot: true
                          neverReturns: true
                          hostKeyChanged: true
                          dropConnectionOn: "dis_services stop"
                          flapStatus: true
                          slowCommands:
                            "--build-rpm": PT2S
                """);

        assertThat(spec.sshUser()).isEqualTo("baton");
        assertThat(spec.rebootDowntime()).isEqualTo(Duration.ofMillis(300));
        FleetSpec.Cluster lab = spec.cluster("lab");
        assertThat(lab.procedure()).isEqualTo("dolphin-custom");
        assertThat(lab.sshPort()).isEqualTo(2222);
        FleetSpec.Node dx1 = lab.node("dx1");
        assertThat(dx1.sshHost()).isEqualTo("127.0.0.9");
        Faults faults = dx1.faults();
        assertThat(faults.refuseStop()).isTrue();
        assertThat(faults.failStartUntilReboot()).isTrue();
        assertThat(faults.neverReturns()).isTrue();
        assertThat(faults.hostKeyChanged()).isTrue();
        assertThat(faults.dropConnectionOn()).isEqualTo("dis_services stop");
        assertThat(faults.flapStatus()).isTrue();
        assertThat(faults.delayFor("sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm")).isEqualTo(Duration.ofSeconds(2));
        assertThat(faults.delayFor("dis_services status")).isZero();
    }

    @Test
    void anUnknownFieldIsNamedWithItsLine() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: matrix-server
                    version: 3.5.0
                    nodes:
                      - name: a
                        adresses: [10.0.0.1]
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("line 7")
                .hasMessageContaining("adresses");
    }

    @Test
    void anUnknownProductSaysWhichOnesExist() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: oracle-rac
                    version: 1.0
                    nodes: [{name: a}]
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("line 3")
                .hasMessageContaining("'oracle-rac' is not simulated")
                .hasMessageContaining("matrix-server or dolphin-expressware");
    }

    @Test
    void aNodeWithoutAnyVersionIsRejected() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: matrix-server
                    nodes:
                      - name: a
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("version")
                .hasMessageContaining("node 'a' has no version")
                .hasMessageContaining("line ");
    }

    @Test
    void aBadDurationNamesTheField() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                rebootDowntime: one second
                clusters:
                  - id: lab
                    product: matrix-server
                    version: 3.5.0
                    nodes: [{name: a}]
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("rebootDowntime");
    }

    @Test
    void twoNodesWithOneNameAreRejected() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: matrix-server
                    version: 3.5.0
                    nodes: [{name: a}, {name: a}]
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("nodes[1].name")
                .hasMessageContaining("two nodes named 'a'");
    }

    @Test
    void aNonLoopbackSshHostIsRejected() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: matrix-server
                    version: 3.5.0
                    nodes: [{name: a, sshHost: 10.0.0.1}]
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("sshHost")
                .hasMessageContaining("not an IPv4 loopback address");
    }

    @Test
    void aBadVersionIsRejected() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                clusters:
                  - id: lab
                    product: dolphin-expressware
                    version: 5.20.0
                    installers: [latest]
                    nodes: [{name: a}]
                """))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("installers")
                .hasMessageContaining("'latest' is not a version");
    }

    @Test
    void anEmptySpecIsRejected() {
        assertThatThrownBy(() -> FleetSpec.parse("")).isInstanceOf(FleetSpecException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> FleetSpec.parse("sshUser: root\n"))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("clusters: a fleet needs at least one cluster");
    }

    @Test
    void aMissingResourceIsNamed() {
        assertThatThrownBy(() -> FleetSpec.fromClasspath("/fleets/nope.yaml"))
                .isInstanceOf(FleetSpecException.class)
                .hasMessageContaining("/fleets/nope.yaml");
    }

    @Test
    void specsAreValuesThatCanBeRebuilt() {
        FleetSpec demo = FleetSpec.fromClasspath("/fleets/demo.yaml");
        FleetSpec quick = new FleetSpec(demo.sshUser(), Duration.ofMillis(300), demo.clusters());
        assertThat(quick.clusters()).isEqualTo(demo.clusters());
        assertThat(quick.rebootDowntime()).isEqualTo(Duration.ofMillis(300));
        assertThat(List.copyOf(quick.clusters())).hasSize(2);
    }
}
