package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contracts.ClusterRegistered;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnsibleInventoryTest {
    static final String INI = """
            # Matrix servers: two interfaces each, the matrix knows them by 10.10.1.N
            [matrix]
            srv1 ansible_host=192.0.2.11 baton_cluster_address=10.10.1.1 baton_addresses=10.10.1.1,10.10.2.4
            srv2 ansible_host=192.0.2.12 baton_cluster_address=10.10.1.2 ansible_port=2222
            srv3 ansible_host="192.0.2.13" baton_cluster_address='10.10.1.3' ansible_user=admin

            [matrix:vars]
            ansible_user=ops
            ansible_password=s3cret
            baton_label_rack=r7

            [dolphin]
            dx[01:03] baton_arch=aarch64

            [prod:children]
            matrix

            [prod:vars]
            ansible_user=produser
            baton_label_rack=r1
            baton_label_env=prod

            [all:vars]
            ansible_become_pass=hunter2
            """;

    static final String YAML = """
            all:
              vars:
                ansible_user: root
              children:
                matrix:
                  hosts:
                    srv1:
                      ansible_host: 192.0.2.11
                      baton_cluster_address: 10.10.1.1
                      baton_addresses: [10.10.1.1, 10.10.2.4]
                    srv2:
                      ansible_host: 192.0.2.12
                      ansible_port: 2222
                      baton_cluster_address: 10.10.1.2
                  vars:
                    ansible_ssh_pass: s3cret
                    baton_os: rhel-9
                dolphin:
                  hosts:
                    dx[1:2]:
            """;

    @Test
    void iniHostsGetTheirConnectionFactsWithGroupVarsInnermostFirstAndHostVarsWinning() {
        AnsibleInventory inventory = AnsibleInventory.parseIni(INI, "hosts.ini");
        ClusterRegistered cluster = ClusterDefinition.fromInventory(inventory, "matrix", "matrix-prod", "matrix-server",
                null, "root", "hosts.ini");

        assertThat(cluster.nodes()).extracting(ClusterRegistered.Node::name).containsExactly("srv1", "srv2", "srv3");
        ClusterRegistered.Node srv1 = cluster.node("srv1");
        assertThat(srv1.sshHost()).isEqualTo("192.0.2.11");
        assertThat(srv1.sshPort()).isEqualTo(22);
        // [matrix:vars] is more specific than its parent [prod:vars]
        assertThat(srv1.sshUser()).isEqualTo("ops");
        assertThat(srv1.clusterAddress()).isEqualTo("10.10.1.1");
        assertThat(srv1.addresses()).containsExactly("10.10.1.1", "10.10.2.4");
        assertThat(srv1.labels()).containsEntry("rack", "r7").containsEntry("env", "prod")
                .containsEntry("ansible_groups", "prod,matrix");
        assertThat(cluster.node("srv2").sshPort()).isEqualTo(2222);
        assertThat(cluster.node("srv3").sshUser()).isEqualTo("admin");
        assertThat(cluster.node("srv3").sshHost()).isEqualTo("192.0.2.13");
        assertThat(cluster.node("srv3").clusterAddress()).isEqualTo("10.10.1.3");
    }

    @Test
    void passwordsAndOtherAnsibleVariablesAreNeverCopied() {
        ClusterRegistered cluster = ClusterDefinition.fromInventory(AnsibleInventory.parseIni(INI, "hosts.ini"), "all",
                "everything", "matrix-server", null, "root", "hosts.ini");

        String json = BatonCli.toJson(cluster);
        assertThat(json).doesNotContain("s3cret").doesNotContain("hunter2").doesNotContain("password")
                .doesNotContain("become");
    }

    @Test
    void numericRangesExpandKeepingLeadingZeros() {
        AnsibleInventory inventory = AnsibleInventory.parseIni(INI, "hosts.ini");

        assertThat(inventory.hosts("dolphin")).containsExactly("dx01", "dx02", "dx03");
        assertThat(inventory.vars("dx02")).containsEntry("baton_arch", "aarch64");
        assertThat(AnsibleInventory.expand("n[8:10].lab")).containsExactly("n8.lab", "n9.lab", "n10.lab");
        assertThat(AnsibleInventory.expand("r[1:2]n[1:2]")).containsExactly("r1n1", "r1n2", "r2n1", "r2n2");
    }

    @Test
    void childGroupsContributeTheirHostsToTheParent() {
        AnsibleInventory inventory = AnsibleInventory.parseIni(INI, "hosts.ini");

        assertThat(inventory.hosts("prod")).containsExactly("srv1", "srv2", "srv3");
        assertThat(inventory.hosts("all")).containsExactly("srv1", "srv2", "srv3", "dx01", "dx02", "dx03");
    }

    @Test
    void yamlInventoryGivesTheSameCluster() {
        AnsibleInventory inventory = AnsibleInventory.parseYaml(YAML, "hosts.yml");
        ClusterRegistered cluster = ClusterDefinition.fromInventory(inventory, "matrix", "matrix-prod", "matrix-server",
                "matrix-server", "nobody", "hosts.yml");

        assertThat(cluster.nodes()).extracting(ClusterRegistered.Node::name).containsExactly("srv1", "srv2");
        assertThat(cluster.node("srv1").addresses()).containsExactly("10.10.1.1", "10.10.2.4");
        assertThat(cluster.node("srv1").sshUser()).isEqualTo("root");
        assertThat(cluster.node("srv1").os()).isEqualTo("rhel-9");
        assertThat(cluster.node("srv2").sshPort()).isEqualTo(2222);
        assertThat(BatonCli.toJson(cluster)).doesNotContain("s3cret");
        assertThat(inventory.hosts("dolphin")).containsExactly("dx1", "dx2");
        assertThat(inventory.hosts("all")).containsExactly("srv1", "srv2", "dx1", "dx2");
    }

    @Test
    void mistakesNameTheFileAndLineOrGroup() {
        assertThatThrownBy(() -> AnsibleInventory.parseIni("[matrix\nsrv1\n", "bad.ini"))
                .isInstanceOf(CliException.class).hasMessage("bad.ini:1: not a section header: [matrix");
        assertThatThrownBy(() -> AnsibleInventory.parseIni("[matrix]\nsrv1 ansible_host\n", "bad.ini"))
                .hasMessage("bad.ini:2: expected key=value, got 'ansible_host'");
        assertThatThrownBy(() -> AnsibleInventory.parseYaml("all:\n  host:\n    a: {}\n", "bad.yml"))
                .hasMessage("bad.yml: all: unknown key 'host' in a group (known: hosts, vars, children)");
        AnsibleInventory inventory = AnsibleInventory.parseIni(INI, "hosts.ini");
        assertThatThrownBy(() -> ClusterDefinition.fromInventory(inventory, "matrx", "c", "p", null, "root", "hosts.ini"))
                .hasMessageStartingWith("hosts.ini: no group 'matrx' (groups: all, ungrouped, matrix, dolphin, prod)");
        assertThatThrownBy(() -> ClusterDefinition.fromInventory(AnsibleInventory.parseIni("[a]\nh ansible_port=ssh\n", "p.ini"),
                "a", "c", "p", null, "root", "p.ini")).hasMessage("p.ini: host h: ansible_port 'ssh' is not a number");
        assertThat(((CliException) catchUsage()).exitCode()).isEqualTo(ExitCode.USAGE);
    }

    private static Throwable catchUsage() {
        try {
            AnsibleInventory.parseIni("[x", "x.ini");
            return null;
        } catch (CliException e) {
            return e;
        }
    }

    @Test
    void hostsBeforeAnySectionAreUngrouped() {
        AnsibleInventory inventory = AnsibleInventory.parseIni("alone ansible_host=192.0.2.1\n[g]\nother\n", "i");
        assertThat(inventory.hosts("ungrouped")).isEqualTo(List.of("alone"));
        assertThat(inventory.hosts("all")).containsExactly("alone", "other");
    }
}
