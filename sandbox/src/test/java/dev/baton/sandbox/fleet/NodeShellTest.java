package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NodeShellTest {

    private ClusterBench lab;

    @BeforeEach
    void demoLab() {
        lab = ClusterBench.demo("dolphin-lab");
    }

    @Test
    void anUnknownCommandIsNotFound() {
        CommandResult result = lab.run("dx1", "dis_admin --gui");

        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(result.stderr()).isEqualTo("dis_admin: command not found\n");
        // a Matrix command on a Dolphin node is just as unknown
        assertThat(lab.run("dx1", "pmxs status").exitCode()).isEqualTo(127);
    }

    @Test
    void commonCommands() {
        assertThat(lab.run("dx2", "hostname").stdout()).isEqualTo("dx2\n");
        assertThat(lab.run("dx2", "true").exitCode()).isZero();
        assertThat(lab.run("dx2", "false").exitCode()).isEqualTo(1);
        assertThat(lab.run("dx2", "echo hello   'quoted  words' \"and $HOME\"").stdout()).isEqualTo("hello quoted  words and /root\n");
        assertThat(lab.run("dx2", "uname -m").stdout()).isEqualTo("x86_64\n");
        assertThat(lab.run("dx2", "whoami").stdout()).isEqualTo("root\n");
        assertThat(lab.run("dx2", "pwd").stdout()).isEqualTo("/root\n");
        assertThat(lab.run("dx2", "exit 4").exitCode()).isEqualTo(4);
    }

    @Test
    void bootIdChangesWithEveryBoot() {
        String first = lab.run("dx1", "cat /proc/sys/kernel/random/boot_id").stdout().strip();
        assertThat(first).matches("[0-9a-f-]{36}");
        assertThat(lab.run("dx1", "cat /proc/sys/kernel/random/boot_id").stdout().strip()).isEqualTo(first);

        lab.reboot("dx1");

        assertThat(lab.run("dx1", "cat /proc/sys/kernel/random/boot_id").stdout().strip()).isNotEqualTo(first).matches("[0-9a-f-]{36}");
    }

    @Test
    void rebootAsksForAReboot() {
        assertThat(lab.run("dx1", "reboot").reboot()).isTrue();
        assertThat(lab.run("dx1", "sudo systemctl reboot").reboot()).isTrue();
        assertThat(lab.run("dx1", "hostname").reboot()).isFalse();
    }

    @Test
    void listsAndConditionals() {
        assertThat(lab.run("dx1", "false && echo no; echo yes").stdout()).isEqualTo("yes\n");
        assertThat(lab.run("dx1", "false || echo fallback").stdout()).isEqualTo("fallback\n");
        assertThat(lab.run("dx1", "true && echo a && false && echo b").stdout()).isEqualTo("a\n");
        assertThat(lab.run("dx1", "true && echo a && false && echo b").exitCode()).isEqualTo(1);
        assertThat(lab.run("dx1", "cd /tmp && pwd").stdout()).isEqualTo("/tmp\n");
        assertThat(lab.run("dx1", "cd /nowhere && pwd").exitCode()).isEqualTo(1);
        assertThat(lab.run("dx1", "echo a | wc -l").exitCode()).isEqualTo(2);
    }

    @Test
    void filesCanBeWrittenReadAndRemoved() {
        assertThat(lab.run("dx1", "mkdir -p /tmp/rpms/node_RPMS").exitCode()).isZero();
        assertThat(lab.run("dx1", "cat > /tmp/rpms/node_RPMS/a.rpm", "payload\n").exitCode()).isZero();
        assertThat(lab.run("dx1", "cat /tmp/rpms/node_RPMS/a.rpm").stdout()).isEqualTo("payload\n");
        assertThat(lab.run("dx1", "echo more >> /tmp/rpms/node_RPMS/a.rpm && cat < /tmp/rpms/node_RPMS/a.rpm").stdout())
                .isEqualTo("payload\nmore\n");
        assertThat(lab.run("dx1", "ls /tmp/rpms").stdout()).isEqualTo("node_RPMS\n");
        assertThat(lab.run("dx1", "test -f /tmp/rpms/node_RPMS/a.rpm").exitCode()).isZero();
        assertThat(lab.run("dx1", "rm -rf /tmp/rpms && test -e /tmp/rpms").exitCode()).isEqualTo(1);
        CommandResult missing = lab.run("dx1", "cat /tmp/missing 2>&1");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stdout()).isEqualTo("cat: /tmp/missing: No such file or directory\n");
        assertThat(lab.run("dx1", "cat /tmp/missing 2>/dev/null").stderr()).isEmpty();
        assertThat(lab.run("dx1", "ls /root").stdout()).isEqualTo("Dolphin_eXpressWare-5.21.0.sh\n");
    }

    @Test
    void mvRenamesAFileAndReplacesTheTarget() {
        lab.run("dx1", "mkdir -p .baton/ledger && echo old > .baton/ledger/c1 && echo new > .baton/ledger/c1.tmp");

        assertThat(lab.run("dx1", "mv .baton/ledger/c1.tmp .baton/ledger/c1").exitCode()).isZero();

        assertThat(lab.run("dx1", "cat .baton/ledger/c1").stdout()).isEqualTo("new\n");
        assertThat(lab.run("dx1", "test -e .baton/ledger/c1.tmp").exitCode()).isEqualTo(1);
        CommandResult missing = lab.run("dx1", "mv nothing-here elsewhere");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("No such file or directory");
    }

    @Test
    void mkdirOfAnExistingDirectoryFailsSoItCanServeAsAClaim() {
        assertThat(lab.run("dx1", "mkdir -p .baton/ledger && mkdir .baton/ledger/c1.claim").exitCode()).isZero();

        assertThat(lab.run("dx1", "mkdir .baton/ledger/c1.claim 2>/dev/null").exitCode()).isEqualTo(1);
    }

    @Test
    void onlyTheInstallerScriptsRun() {
        lab.run("dx1", "echo 'echo hi' > hello.sh");

        CommandResult result = lab.run("dx1", "sh hello.sh");

        assertThat(result.exitCode()).isEqualTo(126);
        assertThat(result.stderr()).contains("only runs the Dolphin eXpressWare installer");
        assertThat(lab.run("dx1", "sh -c 'hostname && echo ok'").stdout()).isEqualTo("dx1\nok\n");
    }

    @Test
    void syntaxErrorsAreReported() {
        CommandResult result = lab.run("dx1", "echo 'unterminated");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("unterminated quote");
    }
}
