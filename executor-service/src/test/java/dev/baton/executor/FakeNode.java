package dev.baton.executor;

import dev.baton.contracts.SshTarget;
import dev.baton.ssh.ExecResult;
import dev.baton.executor.ssh.OutputListener;
import dev.baton.executor.ssh.RemoteSession;
import dev.baton.executor.ssh.RemoteShell;
import dev.baton.executor.ssh.RemoteShellException;
import dev.baton.executor.ssh.ShellFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A scripted node behind {@link RemoteShell} for unit tests: records every action in order and answers
 * {@code cat .../boot_id}, {@code reboot} and scripted commands. No SSH involved.
 */
final class FakeNode implements RemoteShell {
    final List<String> actions = new ArrayList<>();
    final Map<String, ExecResult> answers = new HashMap<>();
    String bootId = "boot-1";
    /** How many connection attempts after a reboot fail as unreachable before the node is back. */
    int downForAttempts = 2;
    /** Whether the node drops the connection when it reboots. */
    boolean dropsConnection = true;
    /** Whether the reboot actually changes the boot id. */
    boolean rebootChangesBootId = true;
    /** A failure every connection attempt meets, or null. */
    ShellFailure refuseWith;
    /** A failure connection attempts meet once the node has rebooted (e.g. a new host key), or null. */
    ShellFailure afterRebootRefuseWith;
    /** How many connection attempts right after a reboot are refused AUTH_FAILED (an sshd stopping mid-login). */
    int authRefusalsAfterReboot;
    /** Called on every connection attempt (e.g. to advance a clock). */
    Consumer<String> onOpen = host -> { };
    Duration lastTimeout;
    /** What the node's ledger answers to a claim: claimed, a recorded entry line, or busy. */
    String ledgerClaimAnswer = "baton-ledger-claimed";
    /** What a later ledger lookup answers. */
    String ledgerLookupAnswer = "baton-ledger-busy";
    /** The last ledger entry line written. */
    String ledgerRecorded;
    /** What the state query of a claim answers (see {@link #jobState}); by default a claim of an older executor. */
    String jobStateAnswer = "@end\n";
    /** What {@code kill -0} on the detached step answers, one per check; alive while empty is false. */
    final java.util.Deque<Boolean> aliveAnswers = new java.util.ArrayDeque<>();
    /** Whether the detached launch's channel drops (the step goes on, its state answers {@link #jobStateAnswer}). */
    boolean launchDrops;
    /** Whether another executor holds the reboot fence. */
    boolean rebootFenceTaken;

    /** The text a claim's state query prints. */
    static String jobState(boolean started, Integer pid, String boot, String bootNow, Integer rc, String output) {
        return "@attachable\n" + (started ? "@started\n" : "") + "@pid\n" + (pid == null ? "" : pid + "\n") + "@boot\n"
                + (boot == null ? "" : boot + "\n") + "@now\n" + bootNow + "\n@rc\n" + (rc == null ? "" : rc + "\n")
                + "@done\n@end\n" + (rc == null ? "" : output);
    }
    private boolean rebooted;
    private int downLeft;

    @Override
    public RemoteSession open(SshTarget target) throws RemoteShellException {
        actions.add("open");
        onOpen.accept(target.host());
        if (refuseWith != null) {
            throw new RemoteShellException(refuseWith, "refused: " + refuseWith);
        }
        if (rebooted && afterRebootRefuseWith != null) {
            throw new RemoteShellException(afterRebootRefuseWith, "refused after reboot: " + afterRebootRefuseWith);
        }
        if (rebooted && authRefusalsAfterReboot > 0) {
            authRefusalsAfterReboot--;
            throw new RemoteShellException(ShellFailure.AUTH_FAILED, "did not accept the key (its sshd is stopping)");
        }
        if (downLeft > 0) {
            downLeft--;
            throw new RemoteShellException(ShellFailure.UNREACHABLE, "connection refused");
        }
        return new RemoteSession() {
            @Override
            public ExecResult exec(String command, Duration timeout, OutputListener output) throws RemoteShellException {
                if (command.startsWith("mkdir -p " + NodeLedger.DIR + " && mkdir ")) {
                    actions.add("ledger claim");
                    return new ExecResult(0, ledgerClaimAnswer + "\n");
                }
                if (command.startsWith("setsid sh -c ")) {
                    String step = answers.keySet().stream().filter(command::contains)
                            .findFirst().orElseThrow(() -> new AssertionError("unexpected launch " + command));
                    actions.add("launch " + step);
                    lastTimeout = timeout;
                    if (launchDrops) {
                        throw new RemoteShellException(ShellFailure.CONNECTION_LOST, "dropped");
                    }
                    ExecResult answer = answers.get(step);
                    return new ExecResult(0, jobState(true, 4242, bootId, bootId, answer.exitCode(), answer.output()));
                }
                if (command.startsWith("test -d " + NodeLedger.DIR + "/")) {
                    actions.add("ledger state");
                    return new ExecResult(0, jobStateAnswer);
                }
                if (command.startsWith("kill -0 ")) {
                    actions.add("ledger alive");
                    Boolean alive = aliveAnswers.poll();
                    return new ExecResult(0, (Boolean.TRUE.equals(alive) ? "@alive\n" : "") + "@rc\n@end\n");
                }
                if (command.startsWith("kill -TERM -- -")) {
                    actions.add("kill group");
                    return new ExecResult(0, "");
                }
                if (command.startsWith("mkdir " + NodeLedger.DIR + "/") && command.contains("/rebooting")) {
                    actions.add("ledger reboot fence");
                    return rebootFenceTaken ? new ExecResult(75, "") : new ExecResult(0, bootId + "\n");
                }
                if (command.startsWith("cat " + NodeLedger.DIR + "/")) {
                    actions.add("ledger lookup");
                    return new ExecResult(0, ledgerLookupAnswer + "\n");
                }
                if (command.startsWith("echo 'baton-ledger-v1 ")) {
                    actions.add("ledger record");
                    ledgerRecorded = command.substring(6, command.indexOf('\'', 6));
                    return new ExecResult(0, "");
                }
                actions.add("exec " + command);
                lastTimeout = timeout;
                if (command.equals(StepRunner.BOOT_ID_COMMAND)) {
                    return new ExecResult(0, bootId + "\n");
                }
                if (command.startsWith("reboot")) {
                    rebooted = true;
                    downLeft = downForAttempts;
                    if (rebootChangesBootId) {
                        bootId = "boot-2";
                    }
                    if (dropsConnection) {
                        throw new RemoteShellException(ShellFailure.CONNECTION_LOST, "dropped", "going down\n", null);
                    }
                    return new ExecResult(0, "");
                }
                ExecResult answer = answers.get(command);
                if (answer == null) {
                    throw new AssertionError("unexpected command " + command);
                }
                byte[] bytes = answer.output().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                output.onOutput(bytes, 0, bytes.length);
                return answer;
            }

            @Override
            public java.util.List<String> download(String remoteDir, java.nio.file.Path localDir) {
                throw new AssertionError("no SFTP in FakeNode");
            }

            @Override
            public void upload(java.nio.file.Path localDir, java.util.List<String> names, String remoteDir) {
                throw new AssertionError("no SFTP in FakeNode");
            }

            @Override
            public String sha256(String remotePath) {
                throw new AssertionError("no SFTP in FakeNode");
            }

            @Override
            public boolean awaitDisconnect(Duration timeout) {
                actions.add("awaitDisconnect");
                return dropsConnection;
            }

            @Override
            public void close() {
                actions.add("close");
            }
        };
    }
}
