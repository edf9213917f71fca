package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import dev.baton.ssh.ExecResult;
import dev.baton.executor.ssh.ShellFailure;
import dev.baton.fixtures.NodeCommands;
import dev.baton.sandbox.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepRunnerTest {
    private static final SshTarget DX1 = new SshTarget("127.77.1.1", 2201, "baton");
    private static final String BOOT_ID = StepRunner.BOOT_ID_COMMAND;

    private final FakeNode node = new FakeNode();
    private final ManualClock clock = new ManualClock();
    private final StepRunner runner = new StepRunner(node, null, clock, Duration.ZERO);

    private static NodeCommand command(NodeCommand.Kind kind, String line, Duration timeout) {
        return NodeCommands.run("dolphin-lab", "dx1", "status", line).kind(kind).commandId("cmd-1").rolloutId("roll-1")
                .target(DX1).timeout(timeout).epoch(7).build();
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
                    failed -> assertThat(failed.errorCode()).isEqualTo(ErrorCode.of(failure)));
        }
    }

    @Test
    void artifactCommandsWithoutAnArtifactAreInvalidAndTouchNothing() {
        StepOutcome push = runner.run(command(NodeCommand.Kind.PUSH_ARTIFACT, null, null));
        StepOutcome build = runner.run(command(NodeCommand.Kind.BUILD_ARTIFACT, "make", null));
        StepOutcome escaping = runner.run(withArtifact(command(NodeCommand.Kind.PUSH_ARTIFACT, null, null),
                new NodeCommand.Artifact("x86_64/../../etc", "node_RPMS")));

        assertThat(List.of(push, build, escaping)).allSatisfy(outcome -> assertThat(outcome)
                .isInstanceOfSatisfying(StepOutcome.Failed.class,
                        failed -> assertThat(failed.errorCode()).isEqualTo(ErrorCode.INVALID_COMMAND)));
        assertThat(((StepOutcome.Failed) escaping).message()).contains("not a plain name");
        assertThat(node.actions).isEmpty();
    }

    @Test
    void aDisruptiveCommandIsClaimedInTheNodesLedgerRunAndItsOutcomeRecorded() {
        node.answers.put("dis_services stop", new ExecResult(0, "stopped\n"));

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(0, "stopped\n"));
        assertThat(node.actions).containsExactly("open", "ledger claim", "close", "open", "launch dis_services stop",
                "close", "open", "ledger record", "close");
        assertThat(NodeLedger.decode(node.ledgerRecorded)).contains(outcome);
    }

    @Test
    void aDisruptiveCommandTheNodeRecordedAsDoneIsNotRunAgain() {
        StepOutcome earlier = new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`dis_services stop` exited 1", 1, "busy\n");
        node.ledgerClaimAnswer = NodeLedger.encode(earlier);

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isEqualTo(earlier);
        assertThat(node.actions).containsExactly("open", "ledger claim", "close");
    }

    @Test
    void aDisruptiveCommandClaimedElsewhereWaitsForThatOutcomeAndNeverRunsIt() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        StepOutcome theirs = new StepOutcome.Succeeded(0, "stopped by the other executor\n");
        node.onOpen = host -> {
            if (node.actions.stream().filter("ledger lookup"::equals).count() == 2) {
                node.ledgerLookupAnswer = NodeLedger.encode(theirs);
            }
        };

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isEqualTo(theirs);
        assertThat(node.actions).doesNotContain("exec dis_services stop").containsSubsequence(
                "ledger claim", "ledger lookup", "ledger lookup", "ledger lookup");
    }

    @Test
    void aClaimWithoutOutcomeEndsInDoubtAtTheTimeoutWithoutRunning() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.onOpen = host -> clock.advance(Duration.ofSeconds(20));

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", Duration.ofMinutes(1))));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.IN_DOUBT);
            assertThat(failed.message()).contains("not run again", ".baton/ledger/cmd-1.claim");
        });
        assertThat(node.actions).doesNotContain("exec dis_services stop");
    }

    @Test
    void aClaimWhoseDetachedStepEndedMeanwhileReportsItsRecordedExitStatusWithoutRunningIt() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(true, 4242, "boot-1", "boot-1", 0, "stopped by the first executor\n");

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(0, "stopped by the first executor\n"));
        assertThat(node.actions).containsExactly("open", "ledger claim", "close", "open", "ledger state", "close",
                "open", "ledger record", "close");
        assertThat(NodeLedger.decode(node.ledgerRecorded)).contains(outcome);
    }

    @Test
    void aClaimWhoseDetachedStepStillRunsIsFollowedUntilItEnds() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        String running = FakeNode.jobState(true, 4242, "boot-1", "boot-1", null, "");
        node.jobStateAnswer = running;
        node.aliveAnswers.addAll(List.of(true, true));
        node.onOpen = host -> {
            if (node.actions.stream().filter("ledger alive"::equals).count() == 2) {
                node.jobStateAnswer = FakeNode.jobState(true, 4242, "boot-1", "boot-1", 3, "refused\n");
            }
        };

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.EXIT_STATUS);
            assertThat(failed.exitCode()).isEqualTo(3);
            assertThat(failed.output()).isEqualTo("refused\n");
        });
        assertThat(node.actions).noneMatch(a -> a.startsWith("launch")).doesNotContain("kill group")
                .containsSubsequence("ledger state", "ledger alive", "ledger state", "ledger alive", "ledger state",
                        "ledger record");
    }

    @Test
    void aClaimThatNeverStartedIsLaunchedOnce() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(false, null, null, "boot-1", null, "");
        node.answers.put("dis_services stop", new ExecResult(0, "stopped\n"));

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(0, "stopped\n"));
        assertThat(node.actions.stream().filter(a -> a.startsWith("launch"))).containsExactly("launch dis_services stop");
    }

    @Test
    void aStartedStepWhoseProcessIsGoneWithoutAnExitStatusFailsAndIsNotRunAgain() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(true, 4242, "boot-1", "boot-1", null, "");

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.EXIT_STATUS);
            assertThat(failed.message()).contains("process 4242", "without recording an exit status", "not run again");
        });
        assertThat(node.actions).noneMatch(a -> a.startsWith("launch"));
    }

    @Test
    void aStepThatWasRunningWhenTheNodeRebootedFailsAndIsNotRunAgain() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(true, 4242, "boot-1", "boot-2", null, "");

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.EXIT_STATUS);
            assertThat(failed.message()).contains("rebooted", "boot-1 -> boot-2");
        });
        assertThat(node.actions).noneMatch(a -> a.startsWith("launch") || a.equals("ledger alive") || a.equals("kill group"));
    }

    @Test
    void aLaunchWhoseConnectionDropsFollowsTheStepThroughTheLedger() {
        node.answers.put("dis_services stop", new ExecResult(0, "stopped\n"));
        node.launchDrops = true;
        node.jobStateAnswer = FakeNode.jobState(true, 4242, "boot-1", "boot-1", 0, "stopped\n");

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", null)));

        assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(0, "stopped\n"));
        assertThat(node.actions).containsSubsequence("launch dis_services stop", "ledger state", "ledger record");
    }

    @Test
    void aDetachedStepPastItsTimeoutHasItsProcessGroupKilled() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(true, 4242, "boot-1", "boot-1", null, "");
        for (int i = 0; i < 100; i++) {
            node.aliveAnswers.add(true);
        }
        node.onOpen = host -> clock.advance(Duration.ofSeconds(20));

        StepOutcome outcome = runner.run(disruptive(command(NodeCommand.Kind.RUN, "dis_services stop", Duration.ofMinutes(1))));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(failed.message()).contains("PT1M", "process group 4242 was killed");
        });
        assertThat(node.actions).contains("kill group");
    }

    @Test
    void aRebootIssuedByAnEarlierDeliveryIsDoneOnceTheNodeBootedAgain() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(false, null, "boot-1", "boot-2", null, "");

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Succeeded.class,
                ok -> assertThat(ok.output()).contains("boot id boot-1 -> boot-2", "earlier delivery"));
        assertThat(node.actions).noneMatch(a -> a.startsWith("exec reboot") || a.equals("ledger reboot fence"));
    }

    @Test
    void aRebootIssuedByAnEarlierDeliveryThatHasNotHappenedYetIsAwaitedNotIssuedAgain() {
        node.ledgerClaimAnswer = "baton-ledger-busy";
        node.jobStateAnswer = FakeNode.jobState(false, null, "boot-1", "boot-1", null, "");
        node.onOpen = host -> {
            if (node.actions.stream().filter(a -> a.equals("exec " + BOOT_ID)).count() == 2) {
                node.bootId = "boot-2";
            }
        };

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));

        assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Succeeded.class,
                ok -> assertThat(ok.output()).contains("boot id boot-1 -> boot-2"));
        assertThat(node.actions).noneMatch(a -> a.startsWith("exec reboot") || a.equals("ledger reboot fence"));
    }

    @Test
    void aRebootWhoseFenceAnotherDeliveryHoldsIsNotIssuedTwice() {
        node.rebootFenceTaken = true;
        node.jobStateAnswer = FakeNode.jobState(false, null, "boot-1", "boot-2", null, "");

        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));

        assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
        assertThat(node.actions).contains("ledger reboot fence").noneMatch(a -> a.startsWith("exec reboot"));
    }

    private static NodeCommand disruptive(NodeCommand c) {
        return NodeCommands.from(c).disruptive().build();
    }

    private static NodeCommand withArtifact(NodeCommand c, NodeCommand.Artifact artifact) {
        return NodeCommands.from(c).artifact(artifact).build();
    }

    @Test
    void anIncompleteCommandIsRefusedWithoutConnecting() {
        NodeCommand noTarget = NodeCommands.from(command(NodeCommand.Kind.RUN, "true", null)).target(null).build();
        NodeCommand noId = NodeCommands.from(command(NodeCommand.Kind.RUN, "true", null)).buildWithoutId();

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
                "open", "ledger claim", "close",
                "open", "ledger reboot fence", "exec reboot", "awaitDisconnect", "close",
                "open", "open", // down while rebooting
                "open", "exec " + BOOT_ID, "close",
                "open", "ledger record", "close");
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
        assertThat(node.actions).endsWith("awaitDisconnect", "close", "open", "open"); // the last: ledger record, refused too
    }

    @Test
    void aRebootingNodeThatRefusesTheLoginOnceWhileGoingDownIsWaitedForButOneThatKeepsRefusingFails() {
        node.authRefusalsAfterReboot = 1;
        StepOutcome outcome = runner.run(command(NodeCommand.Kind.REBOOT, null, Duration.ofMinutes(5)));
        assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);

        FakeNode refusing = new FakeNode();
        refusing.afterRebootRefuseWith = ShellFailure.AUTH_FAILED;
        StepOutcome failed = new StepRunner(refusing, null, clock, Duration.ZERO).run(command(NodeCommand.Kind.REBOOT, null,
                Duration.ofMinutes(5)));
        assertThat(failed).isInstanceOfSatisfying(StepOutcome.Failed.class,
                f -> assertThat(f.errorCode()).isEqualTo(ErrorCode.AUTH_FAILED));
        assertThat(refusing.actions.stream().filter("open"::equals).count() - 3)
                .as("logins tried after the drop").isGreaterThanOrEqualTo(StepRunner.AUTH_REFUSALS_WHILE_REBOOTING);
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
        assertThat(node.actions.stream().filter("open"::equals).count())
                .isEqualTo(8); // ledger claim, then 120 s / 20 s, then the ledger record
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
        assertThat(node.actions).endsWith("awaitDisconnect", "close", "open"); // the ledger record: node not reachable
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
