package dev.baton.executor;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.SshTarget;
import dev.baton.executor.ssh.ExecResult;
import dev.baton.executor.ssh.RemoteSession;
import dev.baton.executor.ssh.RemoteShell;
import dev.baton.executor.ssh.RemoteShellException;
import dev.baton.executor.ssh.ShellFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs one {@link NodeCommand} on its node through the {@link RemoteShell} and says how it ended.
 * Knows no Kafka; {@link CommandExecutor} publishes what it returns.
 *
 * <p>{@code RUN}: exec the command line within the command's timeout (default {@value #DEFAULT_TIMEOUT_TEXT}).
 *
 * <p>{@code REBOOT}, all within the command's timeout:
 * <ol>
 *   <li>read the boot id ({@value #BOOT_ID_COMMAND}); a node that cannot be reached or verified is not touched;</li>
 *   <li>issue the command line (or {@code reboot}); a dropped connection is expected, a non-zero exit fails the step;</li>
 *   <li>wait until the node drops the connection;</li>
 *   <li>every poll interval, reconnect and read the boot id until it differs from the first one; an unreachable
 *       node or a dropped connection means "not back yet", a host key or key mismatch fails at once;</li>
 *   <li>succeed with both boot ids in the output.</li>
 * </ol>
 */
@ApplicationScoped
public class StepRunner {
    static final String DEFAULT_TIMEOUT_TEXT = "PT5M";
    /** Used when a command carries no timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.parse(DEFAULT_TIMEOUT_TEXT);
    /** Prints a value the kernel draws anew at each boot. */
    public static final String BOOT_ID_COMMAND = "cat /proc/sys/kernel/random/boot_id";
    static final String DEFAULT_REBOOT_COMMAND = "reboot";

    private final RemoteShell shell;
    private final Clock clock;
    private final Duration pollInterval;

    @Inject
    public StepRunner(RemoteShell shell) {
        this(shell, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    /** For tests: a controllable clock and poll interval. */
    StepRunner(RemoteShell shell, Clock clock, Duration pollInterval) {
        this.shell = shell;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    /** Runs the command and reports how it ended; never throws. */
    public StepOutcome run(NodeCommand command) {
        String invalid = problemWith(command);
        if (invalid != null) {
            return new StepOutcome.Failed(ErrorCode.INVALID_COMMAND, invalid);
        }
        try {
            return switch (command.kind()) {
                case RUN -> runCommand(command);
                case REBOOT -> reboot(command);
                default -> new StepOutcome.Failed(ErrorCode.UNSUPPORTED_KIND, "command kind "
                        + command.kind() + " is not supported by this executor yet; only RUN and REBOOT are");
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StepOutcome.Failed(ErrorCode.EXECUTOR_ERROR,
                    "the executor was interrupted (shutting down?) while running step " + command.step());
        }
    }

    /** Why the command cannot be run at all, or null. */
    static String problemWith(NodeCommand command) {
        if (command.commandId() == null || command.commandId().isBlank()) {
            return "command has no commandId, so a redelivery could not be recognised; nothing was run";
        }
        if (command.kind() == null) {
            return "command " + command.commandId() + " has no kind; nothing was run";
        }
        SshTarget target = command.target();
        if (target == null || target.host() == null || target.host().isBlank() || target.user() == null
                || target.user().isBlank() || target.port() <= 0) {
            return "command " + command.commandId() + " has no complete SSH target (host, port, user); nothing was run";
        }
        if (command.kind() == NodeCommand.Kind.RUN && (command.command() == null || command.command().isBlank())) {
            return "RUN command " + command.commandId() + " has no command line; nothing was run";
        }
        return null;
    }

    static Duration timeoutOf(NodeCommand command) {
        Duration timeout = command.timeout();
        return timeout == null || timeout.isZero() || timeout.isNegative() ? DEFAULT_TIMEOUT : timeout;
    }

    private StepOutcome runCommand(NodeCommand command) {
        Duration timeout = timeoutOf(command);
        try {
            ExecResult result = shell.exec(command.target(), command.command(), timeout);
            return result.succeeded()
                    ? new StepOutcome.Succeeded(result.exitCode(), result.output())
                    : exitStatus(command.command(), command, result);
        } catch (RemoteShellException e) {
            return failed(e);
        }
    }

    private StepOutcome reboot(NodeCommand command) throws InterruptedException {
        Duration timeout = timeoutOf(command);
        Instant deadline = clock.instant().plus(timeout);
        String rebootCommand = command.command() == null || command.command().isBlank()
                ? DEFAULT_REBOOT_COMMAND : command.command();
        String bootIdBefore;
        String rebootOutput = "";
        try (RemoteSession session = shell.open(command.target())) {
            ExecResult boot = session.exec(BOOT_ID_COMMAND, remaining(deadline));
            if (!boot.succeeded() || boot.output().isBlank()) {
                return new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "could not read the boot id of " + node(command)
                        + " before rebooting (`" + BOOT_ID_COMMAND + "` exited " + boot.exitCode() + "); not rebooted",
                        boot.exitCode(), boot.output());
            }
            bootIdBefore = boot.output().trim();
            try {
                ExecResult issued = session.exec(rebootCommand, remaining(deadline));
                if (!issued.succeeded()) {
                    return exitStatus(rebootCommand, command, issued);
                }
                rebootOutput = issued.output();
            } catch (RemoteShellException e) {
                if (e.failure() != ShellFailure.CONNECTION_LOST) {
                    throw e;
                }
                rebootOutput = e.output() == null ? "" : e.output(); // the node went down under the command: expected
            }
            if (!session.awaitDisconnect(remaining(deadline))) {
                return new StepOutcome.Failed(ErrorCode.TIMEOUT, node(command) + " did not drop the SSH connection after `"
                        + rebootCommand + "` within the step timeout " + timeout + "; it did not reboot", null, rebootOutput);
            }
        } catch (RemoteShellException e) {
            return failed(e);
        }
        return awaitNewBoot(command, bootIdBefore, rebootOutput, deadline, timeout);
    }

    private StepOutcome awaitNewBoot(NodeCommand command, String bootIdBefore, String rebootOutput, Instant deadline,
                                     Duration timeout) throws InterruptedException {
        String lastProblem = "it did not come back";
        while (clock.instant().isBefore(deadline)) {
            try {
                ExecResult boot = shell.exec(command.target(), BOOT_ID_COMMAND, remaining(deadline));
                String bootId = boot.output().trim();
                if (boot.succeeded() && !bootId.isEmpty() && !bootId.equals(bootIdBefore)) {
                    String output = rebootOutput + (rebootOutput.isEmpty() || rebootOutput.endsWith("\n") ? "" : "\n")
                            + "boot id " + bootIdBefore + " -> " + bootId + "\n";
                    return new StepOutcome.Succeeded(null, output);
                }
                lastProblem = "it still reported boot id " + bootIdBefore;
            } catch (RemoteShellException e) {
                if (e.failure() == ShellFailure.HOST_KEY_MISMATCH || e.failure() == ShellFailure.AUTH_FAILED) {
                    return failed(e); // a node that is not the one we know is never acted on
                }
                lastProblem = "last attempt: " + e.getMessage();
            }
            Duration pause = min(pollInterval, remaining(deadline));
            if (!pause.isZero()) {
                Thread.sleep(pause.toMillis());
            }
        }
        return new StepOutcome.Failed(ErrorCode.TIMEOUT, node(command) + " did not come back with a new boot id within "
                + timeout + " (" + lastProblem + ")", null, rebootOutput);
    }

    private static StepOutcome exitStatus(String line, NodeCommand command, ExecResult result) {
        return new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`" + line + "` exited with status " + result.exitCode()
                + " on " + node(command), result.exitCode(), result.output());
    }

    private static StepOutcome failed(RemoteShellException e) {
        return new StepOutcome.Failed(ErrorCode.of(e.failure()), e.getMessage(), null, e.output());
    }

    private Duration remaining(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String node(NodeCommand command) {
        return command.clusterId() + "/" + command.nodeName();
    }
}
