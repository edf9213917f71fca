package dev.baton.executor;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.SshTarget;
import dev.baton.ssh.ExecResult;
import dev.baton.executor.ssh.OutputListener;
import dev.baton.executor.ssh.RemoteSession;
import dev.baton.executor.ssh.RemoteShell;
import dev.baton.executor.ssh.RemoteShellException;
import dev.baton.executor.ssh.ShellFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Runs one {@link NodeCommand} on its node through the {@link RemoteShell} and says how it ended.
 * Knows no Kafka; {@link CommandExecutor} publishes what it returns.
 *
 * <p>At most once: a disruptive command (and every {@code REBOOT}) first claims its id in the node's
 * {@link NodeLedger}; if the node already holds an outcome for it, that outcome is returned and nothing runs; if
 * another executor holds the claim, this one waits for its outcome until the step timeout, then fails
 * {@code IN_DOUBT} without running anything. After the step the outcome is written to the ledger.
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
 *
 * <p>{@code BUILD_ARTIFACT}: run the command line, then copy every file below {@code artifact.path} (relative to
 * the login directory) over SFTP into the {@link ArtifactCache} under {@code artifact.key}, with checksums.
 *
 * <p>{@code PUSH_ARTIFACT}: check the cached artifact against its checksums, copy it over SFTP to
 * {@code artifact.path} on the node, read every file back to compare its checksum, then run the command line if any.
 */
@ApplicationScoped
public class StepRunner {
    private static final Logger LOG = Logger.getLogger(StepRunner.class);
    static final String DEFAULT_TIMEOUT_TEXT = "PT5M";
    /** Used when a command carries no timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.parse(DEFAULT_TIMEOUT_TEXT);
    /** Prints a value the kernel draws anew at each boot. */
    public static final String BOOT_ID_COMMAND = "cat /proc/sys/kernel/random/boot_id";
    /** How many logins in a row a rebooting node may refuse before the reboot fails AUTH_FAILED. */
    static final int AUTH_REFUSALS_WHILE_REBOOTING = 3;
    static final String DEFAULT_REBOOT_COMMAND = "reboot";
    /** Short housekeeping commands (ledger, pwd) get this long. */
    static final Duration HOUSEKEEPING_TIMEOUT = Duration.ofSeconds(30);
    /** How long a launched step may take to pass its fence and record its pid. */
    static final Duration JOB_START_GRACE = Duration.ofSeconds(10);

    private final RemoteShell shell;
    private final ArtifactCache artifacts;
    private final Clock clock;
    private final Duration pollInterval;

    @Inject
    public StepRunner(RemoteShell shell, ArtifactCache artifacts) {
        this(shell, artifacts, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    /** For tests and the benchmark: a controllable clock and poll interval. */
    public StepRunner(RemoteShell shell, ArtifactCache artifacts, Clock clock, Duration pollInterval) {
        this.shell = shell;
        this.artifacts = artifacts;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    /** Runs the command without streaming its output. */
    public StepOutcome run(NodeCommand command) {
        return run(command, OutputListener.NONE);
    }

    /** Runs the command, handing its output to {@code output} as it arrives, and reports how it ended; never throws. */
    public StepOutcome run(NodeCommand command, OutputListener output) {
        String invalid = problemWith(command);
        if (invalid != null) {
            return new StepOutcome.Failed(ErrorCode.INVALID_COMMAND, invalid);
        }
        try {
            if (!usesLedger(command)) {
                return perform(command, output);
            }
            Instant deadline = clock.instant().plus(timeoutOf(command));
            NodeLedger.Claim claim;
            try (RemoteSession session = shell.open(command.target())) {
                claim = NodeLedger.claim(session, command.commandId(), HOUSEKEEPING_TIMEOUT);
            } catch (RemoteShellException e) {
                return failed(e); // nothing ran
            }
            if (claim instanceof NodeLedger.Claim.Recorded recorded) {
                return alreadyRan(command, recorded.outcome());
            }
            if (claim instanceof NodeLedger.Claim.Busy) {
                return reattach(command, output, deadline);
            }
            StepOutcome outcome = detached(command) ? launchAndAwait(command, output, deadline) : perform(command, output);
            record(command, outcome);
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StepOutcome.Failed(ErrorCode.EXECUTOR_ERROR,
                    "the executor was interrupted (shutting down?) while running step " + command.step()
                            + "; the step may have partly run on " + node(command));
        }
    }

    /**
     * For a command past its {@code startBy}, which must not start but may already have: refuses it in the node's ledger
     * ({@link NodeLedger#refuse}) unless it has started, so that no other delivery can start it after this executor
     * reports it refused. {@link NodeLedger.Seen.Recorded}: it already ran (or was refused before), report that;
     * {@link NodeLedger.Seen.Claimed}: it started, follow it; {@link NodeLedger.Seen.Refused}: recorded refused;
     * {@link NodeLedger.Seen.Unknown}: a command that keeps no ledger entry, or a node that cannot be asked (nothing
     * started through this executor's connection).
     */
    public NodeLedger.Seen refuseExpired(NodeCommand command, StepOutcome.Failed refusal) {
        if (!usesLedger(command) || problemWith(command) != null) {
            return new NodeLedger.Seen.Unknown();
        }
        try (RemoteSession session = shell.open(command.target())) {
            return NodeLedger.refuse(session, command.commandId(), command.kind() == NodeCommand.Kind.REBOOT, refusal,
                    HOUSEKEEPING_TIMEOUT);
        } catch (RemoteShellException e) {
            LOG.warnf("command %s: could not refuse it in the ledger of %s (%s)", command.commandId(), node(command),
                    e.getMessage());
            return new NodeLedger.Seen.Unknown();
        }
    }

    private static StepOutcome alreadyRan(NodeCommand command, StepOutcome outcome) {
        LOG.infof("command %s already ran on %s (recorded in its ledger); not running it again", command.commandId(),
                node(command));
        return outcome;
    }

    /** Re-attaches to what an earlier delivery (or another executor) started on the node, or says it cannot. */
    StepOutcome reattach(NodeCommand command, OutputListener output, Instant deadline) throws InterruptedException {
        NodeLedger.JobState state;
        try {
            state = readState(command, deadline);
        } catch (RemoteShellException e) {
            return failed(e); // a node that is not the one we know is never acted on
        }
        if (state == null) {
            return inDoubt(command, "its node could not be reached to read its ledger entry");
        }
        if (state.outcome() != null) {
            return alreadyRan(command, state.outcome());
        }
        if (!state.attachable() || !(detached(command) || command.kind() == NodeCommand.Kind.REBOOT)) {
            return awaitRecorded(command, deadline); // claimed by an executor that leaves no trace of the step's progress
        }
        StepOutcome outcome;
        if (command.kind() == NodeCommand.Kind.REBOOT) {
            outcome = reattachReboot(command, state, deadline);
        } else if (state.started()) {
            LOG.infof("command %s on %s was started by an earlier delivery (process %s); re-attaching to it",
                    command.commandId(), node(command), state.pid());
            outcome = awaitJob(command, output, deadline, state);
        } else {
            LOG.infof("command %s on %s was claimed but never started (the executor that claimed it stopped?); starting it",
                    command.commandId(), node(command));
            outcome = launchAndAwait(command, output, deadline);
        }
        record(command, outcome);
        return outcome;
    }

    /** Disruptive RUN steps run detached from the SSH channel, so that they survive the executor that started them. */
    static boolean detached(NodeCommand command) {
        return command.kind() == NodeCommand.Kind.RUN && command.disruptive();
    }

    /** Starts the step detached (unless an earlier launch did) and waits for it while the connection lasts. */
    private StepOutcome launchAndAwait(NodeCommand command, OutputListener output, Instant deadline)
            throws InterruptedException {
        NodeLedger.JobState state = null;
        try (RemoteSession session = shell.open(command.target())) {
            try {
                ExecResult launched = session.exec(NodeLedger.launch(command.commandId(), command.command()),
                        remaining(deadline));
                state = NodeLedger.parseState(command.commandId(), launched);
            } catch (RemoteShellException e) {
                if (e.failure() != ShellFailure.TIMEOUT && e.failure() != ShellFailure.CONNECTION_LOST) {
                    throw e;
                }
                // the step runs on without this channel: learn how it ends from the ledger
            }
        } catch (RemoteShellException e) {
            return failed(e); // not connected, or the launch line was refused: nothing started
        }
        return awaitJob(command, output, deadline, state);
    }

    /** Follows the detached step through its ledger entry until it ends, or kills it at the step's deadline. */
    private StepOutcome awaitJob(NodeCommand command, OutputListener output, Instant deadline, NodeLedger.JobState first)
            throws InterruptedException {
        Instant startGrace = clock.instant().plus(JOB_START_GRACE);
        NodeLedger.JobState state = first;
        while (true) {
            if (state == null) {
                try {
                    state = readState(command, deadline);
                } catch (RemoteShellException e) {
                    return failed(e);
                }
                if (state == null) {
                    return new StepOutcome.Failed(ErrorCode.TIMEOUT, node(command) + " could not be reached to learn how "
                            + "step " + command.step() + " ended within its timeout " + timeoutOf(command)
                            + "; its ledger entry " + NodeLedger.path(command.commandId()) + ".claim will tell");
                }
            }
            if (state.outcome() != null) {
                return state.outcome();
            }
            if (state.exitStatus() != null) {
                return ended(command, state.exitStatus(), state.output(), output);
            }
            if (state.started() && state.rebootedSince()) {
                return new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`" + command.command() + "` was running on "
                        + node(command) + " when the node rebooted (boot id " + state.boot() + " -> " + state.bootNow()
                        + "); it died with it, its exit status is unknown");
            }
            if (state.started() && state.pid() != null) {
                try (RemoteSession session = shell.open(command.target())) {
                    NodeLedger.Liveness alive = NodeLedger.alive(session, command.commandId(), state.pid(),
                            HOUSEKEEPING_TIMEOUT);
                    if (alive.exitStatus() != null) {
                        state = null; // ended meanwhile: read its output with the state
                        continue;
                    }
                    if (!alive.running()) {
                        return new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`" + command.command() + "` (process "
                                + state.pid() + ") ended on " + node(command) + " without recording an exit status "
                                + "(killed?); its outcome is unknown, it was not run again");
                    }
                    if (remaining(deadline).isZero()) {
                        session.exec(NodeLedger.killGroup(state.pid()), HOUSEKEEPING_TIMEOUT);
                        return new StepOutcome.Failed(ErrorCode.TIMEOUT, "`" + command.command() + "` did not finish "
                                + "within the step timeout " + timeoutOf(command) + " on " + node(command)
                                + "; its process group " + state.pid() + " was killed");
                    }
                } catch (RemoteShellException e) {
                    if (e.failure() == ShellFailure.HOST_KEY_MISMATCH || e.failure() == ShellFailure.AUTH_FAILED) {
                        return failed(e);
                    }
                    // not reachable right now: keep following it
                }
            } else if (clock.instant().isAfter(startGrace) || remaining(deadline).isZero()) {
                return new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`" + command.command() + "` was launched on "
                        + node(command) + " but did not start within " + JOB_START_GRACE + " (is setsid installed? is "
                        + "the login directory writable?); nothing ran");
            }
            Duration pause = min(pollInterval, remaining(deadline));
            if (!pause.isZero()) {
                Thread.sleep(pause.toMillis());
            }
            state = null;
        }
    }

    private static StepOutcome ended(NodeCommand command, int exitStatus, String tail, OutputListener output) {
        if (!tail.isEmpty()) {
            byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
            output.onOutput(bytes, 0, bytes.length);
        }
        return exitStatus == 0 ? new StepOutcome.Succeeded(0, tail)
                : new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "`" + command.command() + "` exited with status " + exitStatus
                        + " on " + node(command), exitStatus, tail);
    }

    /** The ledger entry's state; retried while the node cannot be reached, null if it could not be by the deadline. */
    private NodeLedger.JobState readState(NodeCommand command, Instant deadline)
            throws RemoteShellException, InterruptedException {
        while (true) {
            try (RemoteSession session = shell.open(command.target())) {
                return NodeLedger.state(session, command.commandId(), HOUSEKEEPING_TIMEOUT);
            } catch (RemoteShellException e) {
                if (e.failure() == ShellFailure.HOST_KEY_MISMATCH || e.failure() == ShellFailure.AUTH_FAILED) {
                    throw e;
                }
            }
            if (remaining(deadline).isZero()) {
                return null;
            }
            Thread.sleep(min(pollInterval, remaining(deadline)).toMillis());
        }
    }

    /** A reboot claimed earlier: done if the node booted since, else wait for it to (or reboot it, if no one did). */
    private StepOutcome reattachReboot(NodeCommand command, NodeLedger.JobState state, Instant deadline)
            throws InterruptedException {
        if (state.boot() == null) {
            LOG.infof("reboot %s of %s was claimed but not issued; rebooting", command.commandId(), node(command));
            return reboot(command, deadline);
        }
        if (state.rebootedSince()) {
            LOG.infof("reboot %s of %s was issued by an earlier delivery and the node is back", command.commandId(),
                    node(command));
            return new StepOutcome.Succeeded(null, "boot id " + state.boot() + " -> " + state.bootNow()
                    + " (rebooted by an earlier delivery)\n");
        }
        LOG.infof("reboot %s of %s was issued by an earlier delivery; waiting for a new boot id", command.commandId(),
                node(command));
        return awaitNewBoot(command, state.boot(), "", deadline, timeoutOf(command));
    }

    private StepOutcome inDoubt(NodeCommand command, String why) {
        return new StepOutcome.Failed(ErrorCode.IN_DOUBT, "command " + command.commandId() + " was claimed on "
                + node(command) + " by another executor or an earlier delivery, and " + why + "; it was not run again. "
                + "Check the node (" + NodeLedger.path(command.commandId()) + ".claim) before retrying with a new attempt");
    }

    /** Disruptive commands and reboots go through the node's ledger. */
    static boolean usesLedger(NodeCommand command) {
        return command.disruptive() || command.kind() == NodeCommand.Kind.REBOOT;
    }

    private StepOutcome perform(NodeCommand command, OutputListener output) throws InterruptedException {
        return switch (command.kind()) {
            case RUN -> runCommand(command, output);
            case REBOOT -> reboot(command, clock.instant().plus(timeoutOf(command)));
            case BUILD_ARTIFACT -> buildArtifact(command, output);
            case PUSH_ARTIFACT -> pushArtifact(command, output);
        };
    }

    private void record(NodeCommand command, StepOutcome outcome) {
        try (RemoteSession session = shell.open(command.target())) {
            NodeLedger.record(session, command.commandId(), outcome, HOUSEKEEPING_TIMEOUT);
        } catch (RemoteShellException e) {
            // the claim stays: a redelivery is not run again, it ends IN_DOUBT instead
            LOG.warnf("command %s on %s: could not record its outcome %s in the node's ledger (%s); a redelivery will "
                    + "not run it again but will end IN_DOUBT", command.commandId(), node(command), outcome.label(),
                    e.getMessage());
        }
    }

    private StepOutcome awaitRecorded(NodeCommand command, Instant deadline) throws InterruptedException {
        LOG.infof("command %s on %s is claimed by another executor (or an earlier delivery); waiting for its outcome",
                command.commandId(), node(command));
        while (true) {
            try (RemoteSession session = shell.open(command.target())) {
                Optional<StepOutcome> recorded = NodeLedger.recorded(session, command.commandId(), HOUSEKEEPING_TIMEOUT);
                if (recorded.isPresent()) {
                    return recorded.get();
                }
            } catch (RemoteShellException e) {
                if (e.failure() == ShellFailure.HOST_KEY_MISMATCH || e.failure() == ShellFailure.AUTH_FAILED) {
                    return failed(e);
                }
                // not reachable right now (e.g. the other executor is rebooting it): keep waiting
            }
            if (remaining(deadline).isZero()) {
                return inDoubt(command, "no outcome was recorded within " + timeoutOf(command));
            }
            Duration pause = min(pollInterval, remaining(deadline));
            if (!pause.isZero()) {
                Thread.sleep(pause.toMillis());
            }
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
        boolean needsLine = command.kind() == NodeCommand.Kind.RUN || command.kind() == NodeCommand.Kind.BUILD_ARTIFACT;
        if (needsLine && (command.command() == null || command.command().isBlank())) {
            return command.kind() + " command " + command.commandId() + " has no command line; nothing was run";
        }
        if (command.kind() == NodeCommand.Kind.BUILD_ARTIFACT || command.kind() == NodeCommand.Kind.PUSH_ARTIFACT) {
            NodeCommand.Artifact artifact = command.artifact();
            if (artifact == null || artifact.key() == null || artifact.key().isBlank() || artifact.path() == null
                    || artifact.path().isBlank()) {
                return command.kind() + " command " + command.commandId()
                        + " needs artifact.key and artifact.path; nothing was run";
            }
            if (command.rolloutId() == null || command.rolloutId().isBlank()) {
                return command.kind() + " command " + command.commandId()
                        + " needs the rolloutId its artifact belongs to; nothing was run";
            }
            try {
                ArtifactCache.checkKey(artifact.key());
            } catch (IllegalArgumentException e) {
                return e.getMessage() + "; nothing was run";
            }
        }
        return null;
    }

    static Duration timeoutOf(NodeCommand command) {
        Duration timeout = command.timeout();
        return timeout == null || timeout.isZero() || timeout.isNegative() ? DEFAULT_TIMEOUT : timeout;
    }

    private StepOutcome runCommand(NodeCommand command, OutputListener output) {
        try (RemoteSession session = shell.open(command.target())) {
            ExecResult result = session.exec(command.command(), timeoutOf(command), output);
            return result.succeeded()
                    ? new StepOutcome.Succeeded(result.exitCode(), result.output())
                    : exitStatus(command.command(), command, result);
        } catch (RemoteShellException e) {
            return failed(e);
        }
    }

    private StepOutcome buildArtifact(NodeCommand command, OutputListener output) {
        NodeCommand.Artifact artifact = command.artifact();
        try (RemoteSession session = shell.open(command.target())) {
            ExecResult built = session.exec(command.command(), timeoutOf(command), output);
            if (!built.succeeded()) {
                return exitStatus(command.command(), command, built);
            }
            String remoteDir = remotePath(session, artifact.path());
            ArtifactCache.Artifact stored = artifacts.store(command.rolloutId(), artifact.key(), command.commandId(),
                    scratch -> session.download(remoteDir, scratch));
            if (stored.sha256().isEmpty()) {
                return new StepOutcome.Failed(ErrorCode.ARTIFACT_MISSING, "`" + command.command() + "` left no files in "
                        + remoteDir + " on " + node(command) + "; nothing to reuse for " + artifact.key(),
                        built.exitCode(), built.output());
            }
            return new StepOutcome.Succeeded(built.exitCode(), built.output() + "\n" + describe("fetched", stored,
                    remoteDir, command));
        } catch (RemoteShellException e) {
            return failed(e);
        }
    }

    private StepOutcome pushArtifact(NodeCommand command, OutputListener output) {
        NodeCommand.Artifact artifact = command.artifact();
        ArtifactCache.Artifact cached;
        try {
            Optional<ArtifactCache.Artifact> found = artifacts.get(command.rolloutId(), artifact.key());
            if (found.isEmpty()) {
                return new StepOutcome.Failed(ErrorCode.ARTIFACT_MISSING, "artifact " + artifact.key()
                        + " of rollout " + command.rolloutId() + " is not in this executor's cache; build it first "
                        + "(build-artifact on the first node of its group in the same rollout, served by this executor); "
                        + "nothing was copied to " + node(command));
            }
            cached = found.get();
        } catch (IllegalStateException corrupt) {
            return new StepOutcome.Failed(ErrorCode.ARTIFACT_TRANSFER, corrupt.getMessage()
                    + "; nothing was copied to " + node(command));
        }
        try (RemoteSession session = shell.open(command.target())) {
            String remoteDir = remotePath(session, artifact.path());
            session.upload(cached.directory(), cached.files(), remoteDir);
            for (var file : cached.sha256().entrySet()) {
                String remote = remoteDir + "/" + file.getKey();
                String sum = session.sha256(remote);
                if (!sum.equals(file.getValue())) {
                    return new StepOutcome.Failed(ErrorCode.ARTIFACT_TRANSFER, remote + " on " + node(command)
                            + " has sha256 " + sum + " after the copy, expected " + file.getValue());
                }
            }
            String pushed = describe("pushed", cached, remoteDir, command);
            if (command.command() == null || command.command().isBlank()) {
                return new StepOutcome.Succeeded(null, pushed);
            }
            ExecResult result = session.exec(command.command(), timeoutOf(command), output);
            return result.succeeded()
                    ? new StepOutcome.Succeeded(result.exitCode(), pushed + result.output())
                    : exitStatus(command.command(), command, result);
        } catch (RemoteShellException e) {
            return failed(e);
        }
    }

    /** An absolute remote path: relative ones are relative to the login directory (asked with {@code pwd}). */
    private static String remotePath(RemoteSession session, String path) throws RemoteShellException {
        String trimmed = path.strip();
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.startsWith("/")) {
            return trimmed;
        }
        ExecResult pwd = session.exec("pwd", HOUSEKEEPING_TIMEOUT);
        String home = pwd.output().trim();
        if (!pwd.succeeded() || !home.startsWith("/")) {
            throw new RemoteShellException(ShellFailure.FILE_TRANSFER, "could not learn the login directory (`pwd` exited "
                    + pwd.exitCode() + ")");
        }
        String relative = trimmed.equals(".") ? "" : trimmed.startsWith("./") ? trimmed.substring(2) : trimmed;
        return relative.isEmpty() ? home : (home.endsWith("/") ? home : home + "/") + relative;
    }

    private static String describe(String verb, ArtifactCache.Artifact artifact, String remoteDir, NodeCommand command) {
        StringBuilder text = new StringBuilder("artifact " + artifact.key() + ": " + verb + " " + artifact.sha256().size()
                + " file(s), " + ("fetched".equals(verb) ? "from " : "to ") + remoteDir + " on " + node(command)
                + " (build " + artifact.build() + " of rollout " + artifact.rolloutId() + ")\n");
        List.copyOf(artifact.sha256().entrySet()).forEach(e -> text.append(e.getValue()).append("  ").append(e.getKey())
                .append('\n'));
        return text.toString();
    }

    private StepOutcome reboot(NodeCommand command, Instant deadline) throws InterruptedException {
        Duration timeout = timeoutOf(command);
        String rebootCommand = command.command() == null || command.command().isBlank()
                ? DEFAULT_REBOOT_COMMAND : command.command();
        String bootIdBefore;
        String rebootOutput = "";
        try (RemoteSession session = shell.open(command.target())) {
            // the fence and the boot id to reboot from, in the claim: a later delivery can tell whether it happened
            ExecResult boot = session.exec(NodeLedger.rebootFence(command.commandId()), remaining(deadline));
            if (NodeLedger.fenceTaken(boot)) {
                throw new FenceTaken();
            }
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
        } catch (FenceTaken taken) {
            NodeLedger.JobState state;
            try {
                state = readState(command, deadline);
            } catch (RemoteShellException e) {
                return failed(e);
            }
            if (state != null && state.outcome() != null) {
                return state.outcome(); // refused past its startBy by another delivery, or done
            }
            return state == null || state.boot() == null
                    ? inDoubt(command, "another delivery took its reboot fence but recorded no boot id")
                    : reattachReboot(command, state, deadline);
        }
        return awaitNewBoot(command, bootIdBefore, rebootOutput, deadline, timeout);
    }

    /** Another delivery of the reboot holds its fence: follow that one instead. */
    private static final class FenceTaken extends Exception {
        FenceTaken() {
            super(null, null, false, false);
        }
    }

    private StepOutcome awaitNewBoot(NodeCommand command, String bootIdBefore, String rebootOutput, Instant deadline,
                                     Duration timeout) throws InterruptedException {
        String lastProblem = "it did not come back";
        int refusedInARow = 0;
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
                if (e.failure() == ShellFailure.HOST_KEY_MISMATCH) {
                    return failed(e); // a node that is not the one we know is never acted on
                }
                // a node shutting down may refuse the login once (its sshd stops mid-authentication); only a node that
                // keeps refusing the key is a failure (nothing runs on it either way)
                refusedInARow = e.failure() == ShellFailure.AUTH_FAILED ? refusedInARow + 1 : 0;
                if (refusedInARow >= AUTH_REFUSALS_WHILE_REBOOTING) {
                    return failed(e);
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
