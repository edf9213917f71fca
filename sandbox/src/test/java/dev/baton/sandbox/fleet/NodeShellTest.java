package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

    @Test
    void parametersAreFilledInWhenTheCommandRuns() {
        String pid = lab.run("dx1", "echo $$").stdout().strip();
        assertThat(pid).matches("[0-9]+");
        String inner = lab.run("dx1", "sh -c 'echo $$'").stdout().strip();
        assertThat(inner).matches("[0-9]+").isNotEqualTo(pid);
        assertThat(lab.run("dx1", "false; echo $?; true; echo \"$?\" '$?'").stdout()).isEqualTo("1\n0 $?\n");
    }

    @Test
    void aDetachedJobOutlivesItsExecAndCanBeWaitedForCheckedAndKilled() {
        lab.machine("dx1").faults().slowCommand("echo finished", Duration.ofSeconds(30));
        long start = System.nanoTime();
        CommandResult launched = lab.run("dx1",
                "setsid sh -c 'echo $$ > job.pid; echo finished > job.out' </dev/null >/dev/null 2>&1 & echo launched $!");

        assertThat(launched.stdout()).startsWith("launched ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the exec does not wait for the slow job")
                .isLessThan(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.run("dx1", "cat job.pid").exitCode() == 0);
        String pid = lab.run("dx1", "cat job.pid").stdout().strip();
        assertThat(lab.run("dx1", "kill -0 " + pid).exitCode()).as("the job runs").isZero();

        // setsid made it lead a group of its own: killing the group ends it before it writes anything
        assertThat(lab.run("dx1", "kill -TERM -- -" + pid).exitCode()).isZero();

        assertThat(lab.run("dx1", "kill -0 " + pid + " 2>/dev/null || echo gone").stdout()).isEqualTo("gone\n");
        assertThat(lab.run("dx1", "kill -0 " + pid).stderr()).contains("No such process");
        lab.machine("dx1").faults().slowCommand("echo finished", Duration.ZERO);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> lab.run("dx1", "cat job.out").stdout().isEmpty()); // created by its redirection, never written
    }

    @Test
    void waitWaitsForTheShellsBackgroundJobs() {
        CommandResult result = lab.run("dx1",
                "sleep 0.2 && echo one > a.txt & wait $!; echo $?; cat a.txt; sh -c 'exit 3' & wait $!; echo $?");

        assertThat(result.stdout()).isEqualTo("0\none\n3\n");
    }

    @Test
    void aRebootKillsEveryProcessEvenDetachedOnes() {
        lab.machine("dx1").faults().slowCommand("echo survived", Duration.ofSeconds(2));
        lab.run("dx1", "setsid sh -c 'echo $$ > job.pid; echo survived > job.out' </dev/null >/dev/null 2>&1 &");
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.run("dx1", "cat job.pid").exitCode() == 0);
        String pid = lab.run("dx1", "cat job.pid").stdout().strip();

        lab.reboot("dx1");

        assertThat(lab.run("dx1", "kill -0 " + pid).exitCode()).isEqualTo(1);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> lab.run("dx1", "cat job.out").stdout().isEmpty());
    }

    @Test
    void tailPrintsTheLastBytesOfAFile() {
        lab.run("dx1", "echo 0123456789 > digits");

        assertThat(lab.run("dx1", "tail -c 4 digits").stdout()).isEqualTo("789\n");
        assertThat(lab.run("dx1", "tail -c 100 digits").stdout()).isEqualTo("0123456789\n");
        assertThat(lab.run("dx1", "tail -c 4 nothing").exitCode()).isEqualTo(1);
    }
}
