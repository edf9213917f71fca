package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import dev.baton.executor.ssh.ExecResult;
import dev.baton.executor.ssh.ShellFailure;
import dev.baton.sandbox.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepRunnerTest {
    private static final SshTarget DX1 = new SshTarget("127.77.1.1", 2201, "baton");
    private static final String BOOT_ID = StepRunner.BOOT_ID_COMMAND;

    private final FakeNode node = new FakeNode();
    private final ManualClock clock = new ManualClock();
    private final StepRunner runner = new StepRunner(node, clock, Duration.ZERO);

    private static NodeCommand command(NodeCommand.Kind kind, String line, Duration timeout) {
        return new NodeCommand("cmd-1", "roll-1", "dolphin-lab", "dx1", "status", kind, line, DX1, timeout,
                false, 1, 7);
    }

    @Test
    void runSucceedsWithTheOutput() {
        node.answers.put("dis_services status", new ExecResult(0, "Node status: active\n"));

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.RUN, "dis_services status", null));

        assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(0, "Node status: active\n"));
        assertThat(node.lastTimeout).isEqualTo(Duration.ofMinutes(5));
        assertThat(node.actions).containsExactly("open", "exec dis_services status", "close");
    }

    @Test
    void runUsesTheCommandsTimeout() {
        node.answers.put("true", new ExecResult(0, ""));

        runner.run(command(NodeCommand.Kind.RUN, "true", Duration.ofSeconds(30)));

        assertThat(node.lastTimeout).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aNonZeroExitFailsWithExitStatusAndKeepsCodeAndOutput() {
        node.answers.put("dis_services stop", new ExecResult(3, "dis_kstat still loaded\n"));

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.RUN, "dis_services stop", null));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.EXIT_STATUS);
            assertThat(failed.exitCode()).isEqualTo(3);
            assertThat(failed.output()).isEqualTo("dis_kstat still loaded\n");
            assertThat(failed.message()).contains("dis_services stop", "status 3", "dolphin-lab/dx1");
        });
    }

    @Test
    void everyShellFailureBecomesTheErrorCodeOfTheSameName() {
        for (ShellFailure failure : ShellFailure.values()) {
            node.refuseWith = failure;

            StepOutcome outcome = runner.run(command(NodeCommand.Kind.RUN, "true", null));

            assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
                    failed -> assertThat(failed.errorCode().name()).isEqualTo(failure.name()));
        }
    }

    @Test
    void otherKindsAreUnsupportedAndTouchNothing() {
        StepOutcome outcome = runner.run(command(NodeCommand.Kind.PUSH_ARTIFACT, "scp x", null));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
                failed -> assertThat(failed.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_KIND));
        assertThat(node.actions).isEmpty();
    }

    @Test
    void anIncompleteCommandIsRefusedWithoutConnecting() {
        NodeCommand noTarget = new NodeCommand("cmd-1", "roll-1", "dolphin-lab", "dx1", "status",
                NodeCommand.Kind.RUN, "true", null, null, false, 1, 7);
        NodeCommand noId = new NodeCommand(null, "roll-1", "dolphin-lab", "dx1", "status",
                NodeCommand.Kind.RUN, "true", DX1, null, false, 1, 7);

        assertThat(List.of(runner.run(noTarget), runner.run(noId), runner.run(command(NodeCommand.Kind.RUN, " ", null))))
                .allSatisfy(outcome -> assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
                        failed -> assertThat(failed.errorCode()).isEqualTo(ErrorCode.INVALID_COMMAND)));
        assertThat(node.actions).isEmpty();
    }

    @Test
    void rebootReadsTheBootIdRebootsWaitsForTheDropAndReconnectsUntilTheBootIdChanged() {
        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Succeeded.class,
                ok -> assertThat(ok.output()).contains("going down", "boot id boot-1 -> boot-2"));
        assertThat(node.actions).containsExactly(
                "open", "exec " + BOOT_ID, "exec reboot", "awaitDisconnect", "close",
                "open", "open", // down while rebooting
                "open", "exec " + BOOT_ID, "close");
    }

    @Test
    void rebootIssuesTheGivenCommandLine() {
        node.dropsConnection = true;

        runner.run(command(NodeCommand.Kind.REBOOT, "reboot --force", Duration.ofMinutes(5)));

        assertThat(node.actions).contains("exec reboot --force");
    }

    @Test
    void aNodeThatComesBackWithAnotherHostKeyIsNotActedOn() {
        node.afterRebootRefuseWith = ShellFailure.HOST_KEY_MISMATCH;

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
                failed -> assertThat(failed.errorCode()).isEqualTo(ErrorCode.HOST_KEY_MISMATCH));
        assertThat(node.actions).endsWith("awaitDisconnect", "close", "open");
    }

    @Test
    void aNodeWhoseHostKeyIsWrongIsNeverRebooted() {
        node.refuseWith = ShellFailure.HOST_KEY_MISMATCH;

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
                failed -> assertThat(failed.errorCode()).isEqualTo(ErrorCode.HOST_KEY_MISMATCH));
        assertThat(node.actions).containsExactly("open");
    }

    @Test
    void aNodeThatNeverComesBackTimesOut() {
        node.downForAttempts = Integer.MAX_VALUE;
        node.onOpen = host -> clock.advance(Duration.ofSeconds(20));

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(2)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(failed.message()).contains("did not come back", "PT2M", "connection refused");
        });
        assertThat(node.actions.stream().filter("open"::equals).count()).isEqualTo(6); // 120 s / 20 s
    }

    @Test
    void aNodeThatKeepsItsBootIdTimesOut() {
        node.rebootChangesBootId = false;
        node.downForAttempts = 0;
        node.onOpen = host -> clock.advance(Duration.ofSeconds(30));

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(2)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(failed.message()).contains("still reported boot id boot-1");
        });
    }

    @Test
    void aNodeThatKeepsTheConnectionAfterRebootTimesOut() {
        node.dropsConnection = false;

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(2)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(failed.message()).contains("did not drop the SSH connection");
        });
        assertThat(node.actions).endsWith("awaitDisconnect", "close");
    }

    @Test
    void outcomesBecomeResultEventsWithTheCommandsIdentityAndAtMost4KiBOfOutput() {
        NodeCommand command = command(NodeCommand.Kind.RUN, "dis_services status", null);

        StepSucceeded ok = (StepSucceeded) new StepOutcome.Succeeded(0, "y".repeat(10_000)).toEvent(command);
        StepFailed failed = (StepFailed) new StepOutcome.Failed(ErrorCode.TIMEOUT, "too slow").toEvent(command);

        assertThat(ok.commandId()).isEqualTo("cmd-1");
        assertThat(ok.rolloutId()).isEqualTo("roll-1");
        assertThat(ok.clusterId()).isEqualTo("dolphin-lab");
        assertThat(ok.nodeName()).isEqualTo("dx1");
        assertThat(ok.step()).isEqualTo("status");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.output()).hasSize(4096);
        assertThat(failed.errorCode()).isEqualTo("TIMEOUT");
        assertThat(failed.message()).isEqualTo("too slow");
        assertThat(failed.commandId()).isEqualTo("cmd-1");
    }
}
