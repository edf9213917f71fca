package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.FailureCode;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.StepFailed;
import dev.baton.procedure.FailureMeaning;
import dev.baton.procedure.ProcedureRules;
import dev.baton.procedure.StepDefinition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Drives one node through its {@link NodePhase}s (steps 4 to 6 of {@link RolloutEngine}'s algorithm): sends its steps
 * one at a time, handles each result and failure as the procedure means it, reboots, the health gate's time-out and
 * remedy, and the out-of-order stop and start. Every phase change goes through {@link NodeProgress#moveTo}. Emits
 * {@code NodeCommand}s and {@code RolloutHalted}; pure Java, the clock injected.
 */
final class NodeDriver {
    /** First retry back-off; doubles on each further attempt. */
    static final Duration RETRY_BACKOFF = Duration.ofSeconds(10);
    /**
     * Timeout of the out-of-order remedy's stop and start commands. The procedure gives them as command lines only
     * (no timeout of their own); stopping or starting one service takes far less than this, so a command that has not
     * answered by then (plus the start window and grace of {@link CommandDeadlines}) has failed, and the rollout halts.
     */
    static final Duration OUT_OF_ORDER_COMMAND_TIMEOUT = Duration.ofMinutes(5);
    /**
     * How many times one step's command is sent anew after executors refused it {@code COMMAND_EXPIRED} (it reached
     * them after its {@code startBy}, e.g. across an executor or broker outage, and the node's ledger shows it never
     * started). Nothing ran, so a new attempt is safe; past this many the rollout halts, as an outage that long needs
     * a human.
     */
    static final int EXPIRED_RESENDS = 3;
    /** The step names of the cluster's hooks (in command ids and events). */
    static final String BEFORE_HOOK_STEP = "hook-before-disruption";
    static final String AFTER_HOOK_STEP = "hook-after-active";
    private static final ClusterRegistered.Hooks NO_HOOKS = new ClusterRegistered.Hooks(null, null);
    private final Clock clock;
    private final Function<String, Long> epochs;
    private final CommandDeadlines deadlines;

    NodeDriver(Clock clock, Function<String, Long> epochs, CommandDeadlines deadlines) {
        this.clock = clock;
        this.epochs = epochs;
        this.deadlines = deadlines;
    }

    /** Takes a PENDING node down: its first step (the guards have allowed it). */
    void start(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        node.startedAt = clock.instant();
        advance(rollout, node, cause, out);
    }

    /** A step result for the node's command in flight: moves the node on, or fails it. */
    void onResult(Rollout rollout, NodeProgress node, StepFailed failed, Cause cause, List<Emission> out) {
        NodePhase phase = node.phase();
        node.currentCommandId = null;
        if (failed != null) {
            onStepFailed(rollout, node, phase, failed, cause, out);
            return;
        }
        switch (phase) {
            case RUNNING_STEP -> {
                StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
                if (rollout.procedure.artifact() != null && step.name().equals(rollout.procedure.artifact().step())) {
                    rollout.artifactsReady.add(artifactKey(rollout, node));
                }
                advance(rollout, node, cause, out);
            }
            case BEFORE_HOOK -> {
                node.beforeHookDone = true;
                sendStep(rollout, node, cause, out);
            }
            case AFTER_HOOK -> node.moveTo(NodePhase.AFTER_HOOK_DONE);
            case REBOOTING, DEFERRED_STARTING -> awaitActive(node, NodePhase.AWAITING_ACTIVE);
            case REMEDY_REBOOTING -> awaitActive(node, NodePhase.AWAITING_ACTIVE_AFTER_REMEDY);
            case DEFERRED_STOPPING -> node.moveTo(NodePhase.DEFERRED_STOPPED);
            default -> throw new IllegalStateException("a result for " + node.name() + " in phase " + phase);
        }
    }

    /** An executor started the node's command in flight: its result is waited for no longer than it can run. */
    void started(NodeProgress node) {
        node.stepStartSeen = true;
    }

    /**
     * A result for a command the planner gave up on while the rollout is halted: a {@code COMMAND_EXPIRED} refusal
     * proves it never ran (the executor refused it in the node's ledger), which the node's note tells the operator. The
     * halt stands (invariant 5: only an operator resumes); {@code baton retry} then runs the step as a new attempt.
     */
    void afterGivingUp(NodeProgress node, StepFailed failed) {
        if (node.phase() == NodePhase.FAILED && failed.commandId().equals(node.gaveUpOn)
                && FailureCode.of(failed.errorCode()).orElse(null) == FailureCode.COMMAND_EXPIRED) {
            node.gaveUpOn = null;
            node.note = node.note + "; then an executor refused it COMMAND_EXPIRED: it never ran, a retry runs "
                    + failed.step() + " as a new attempt";
        }
    }

    /** A node waiting for its artifact, or for its retry time, gets its step sent when the time has come. */
    void resumeIfDue(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        if (node.phase() == NodePhase.WAITING_FOR_ARTIFACT
                || (node.phase() == NodePhase.RETRY_WAIT && !clock.instant().isBefore(node.retryAt))) {
            sendStep(rollout, node, cause, out);
        }
    }

    /** Out of order: the procedure's stop command, as soon as the node is found out of order. */
    void stopDeferred(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        send(rollout, node, StepCommand.run(NodePhase.DEFERRED_STOPPING, "out-of-order-stop",
                rollout.procedure.outOfOrder().stop(), OUT_OF_ORDER_COMMAND_TIMEOUT, true), cause, out);
    }

    /** Out of order: the procedure's start command, once every other node is done. */
    void startDeferred(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        node.startedAt = clock.instant();
        send(rollout, node, StepCommand.run(NodePhase.DEFERRED_STARTING, "out-of-order-start",
                rollout.procedure.outOfOrder().start(), OUT_OF_ORDER_COMMAND_TIMEOUT, false), cause, out);
    }

    /**
     * Health sees the node active on the target: the cluster's after-active hook, if it has one (true: sent; the node
     * is done once it ends).
     */
    boolean afterActiveHook(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        ClusterRegistered.Hook hook = hooks(rollout).afterActive();
        if (hook == null) {
            return false;
        }
        send(rollout, node, StepCommand.run(NodePhase.AFTER_HOOK, AFTER_HOOK_STEP, hook.command(), hook.timeoutOrDefault(),
                true), cause, out);
        return true;
    }

    /** Health sees the node active on the target (and its after-active hook, if any, ended). */
    void done(NodeProgress node) {
        node.moveTo(NodePhase.DONE);
        node.finishedAt = clock.instant();
    }

    /** An operator releases a failed node's budget; false when it is not failed or was released already. */
    boolean release(NodeProgress node, String actor) {
        if (node.phase() != NodePhase.FAILED) {
            return false;
        }
        // invariant 1: only an operator (or health seeing the node active) frees a failed node's budget
        node.moveTo(NodePhase.RELEASED);
        node.note = (node.note == null ? "" : node.note + "; ") + "released by " + actor;
        return true;
    }

    /**
     * An operator's retry of a failed node, as a new attempt (new command ids: the node's ledger runs each at most
     * once). A FAILED node (it still holds its budget) goes back to what it failed in: the failed step (or from its
     * first step with {@code fromStart}), the reboot, the out-of-order command, or the wait for health. A RELEASED
     * node (its budget given back, so it must pass the guards again) goes back to PENDING and starts from its first
     * step. False when the node is not failed.
     */
    boolean retry(Rollout rollout, NodeProgress node, boolean fromStart, String actor, Cause cause, List<Emission> out) {
        NodePhase failedIn = node.failedIn == null ? NodePhase.RUNNING_STEP : node.failedIn;
        if (node.phase() != NodePhase.FAILED && node.phase() != NodePhase.RELEASED) {
            return false;
        }
        node.attemptFloor = node.highestAttempt;
        node.attempt = node.attemptFloor + 1;
        node.expiredResends = 0;
        node.retryAt = null;
        node.failedAt = null;
        node.finishedAt = null;
        boolean restart = fromStart || node.phase() == NodePhase.RELEASED;
        node.note = "retried by " + actor + (restart ? " from the first step" : " (" + failedIn.name().toLowerCase(
                java.util.Locale.ROOT) + ")") + ", attempt " + node.attempt;
        if (restart) {
            node.stepIndex = -1;
            node.beforeHookDone = false;
            node.afterLastStep = NodeProgress.AfterLastStep.AWAIT_ACTIVE;
            if (node.phase() == NodePhase.RELEASED) {
                node.moveTo(NodePhase.PENDING); // the guards start it again, as any node
            } else {
                advance(rollout, node, cause, out);
            }
            return true;
        }
        switch (failedIn) {
            case AWAITING_ACTIVE, AWAITING_ACTIVE_AFTER_REMEDY -> awaitActive(node, NodePhase.AWAITING_ACTIVE);
            case RETRY_WAIT, WAITING_FOR_ARTIFACT -> sendStep(rollout, node, cause, out);
            default -> resend(rollout, node, failedIn, cause, out);
        }
        return true;
    }

    /** An operator leaves a node out (not while a command is in flight for it); false when it cannot be skipped. */
    boolean skip(NodeProgress node, String actor) {
        if (!node.phase().canMoveTo(NodePhase.SKIPPED_BY_OPERATOR)) {
            return false;
        }
        node.moveTo(NodePhase.SKIPPED_BY_OPERATOR);
        node.note = (node.note == null ? "" : node.note + "; ") + "skipped by " + actor;
        node.finishedAt = clock.instant();
        return true;
    }

    /** Time passes: no result within the step's timeout, or not active within the health timeout (remedy, then halt). */
    void checkTimeouts(Rollout rollout, NodeProgress node, Instant now, List<Emission> out) {
        if (node.phase().commandInFlight() && node.stepSentAt != null) {
            Instant giveUpAt = deadlines.giveUpAt(node.stepSentAt, node.stepStartBy, node.stepTimeout, node.stepStartSeen);
            if (now.isAfter(giveUpAt)) {
                // invariant 7: the command carries startBy, so no executor can start it from now on (or finish it later)
                node.gaveUpOn = node.currentCommandId;
                fail(rollout, node, FailureCode.STEP_RESULT_MISSING.name(), "no result for step " + node.currentStep + " on "
                        + node.name() + " by " + giveUpAt + (node.stepStartBy == null ? ""
                        : " (it had to start by " + node.stepStartBy + " and finish within " + node.stepTimeout
                                + "; no executor starts it any more" + (node.stepStartSeen ? ""
                        : ", and none said it had started it") + ")"), Cause.TIMER, out);
            }
        } else if (node.phase().awaitingActive()) {
            Duration timeout = rollout.procedure.health().timeout();
            if (now.isAfter(node.awaitingSince.plus(timeout))) {
                boolean remedied = node.phase() == NodePhase.AWAITING_ACTIVE_AFTER_REMEDY;
                if (rollout.procedure.remedy().rebootOnce() && !remedied) {
                    node.note = "not active on " + rollout.target() + " within " + timeout + ": remedy, reboot once";
                    send(rollout, node, StepCommand.reboot(NodePhase.REMEDY_REBOOTING, "remedy-reboot",
                            rollout.procedure.remedy().rebootTimeout()), Cause.TIMER, out);
                } else {
                    fail(rollout, node, FailureCode.HEALTH_TIMEOUT.name(), node.name() + " did not become active on " + rollout.target()
                            + " within " + timeout + (remedied ? " after the remedy reboot" : ""), Cause.TIMER, out);
                }
            }
        }
    }

    /** The node's next command: its next step, the reboot a require-reboot failure asked for, or the health gate. */
    private void advance(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        node.stepIndex++;
        node.attempt = node.attemptFloor + 1;
        node.expiredResends = 0;
        node.retryAt = null;
        if (node.stepIndex < rollout.procedure.steps().size()) {
            sendStep(rollout, node, cause, out);
        } else if (node.afterLastStep == NodeProgress.AfterLastStep.REBOOT) {
            send(rollout, node, StepCommand.reboot(NodePhase.REBOOTING, "reboot", rollout.procedure.remedy().rebootTimeout()),
                    cause, out);
        } else {
            awaitActive(node, NodePhase.AWAITING_ACTIVE);
        }
    }

    private void awaitActive(NodeProgress node, NodePhase phase) {
        node.moveTo(phase);
        node.awaitingSince = clock.instant();
    }

    private void sendStep(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
        node.retryAt = null;
        ClusterRegistered.Hook before = hooks(rollout).beforeDisruption();
        if (before != null && step.disruptive() && !node.beforeHookDone) {
            // the cluster's own commands first (stop the applications, drain the node); the step follows its success
            send(rollout, node, StepCommand.run(NodePhase.BEFORE_HOOK, BEFORE_HOOK_STEP, before.command(),
                    before.timeoutOrDefault(), true), cause, out);
            return;
        }
        ProcedureRules.Artifact artifact = rollout.procedure.artifact();
        if (artifact != null && step.name().equals(artifact.step())) {
            String key = artifactKey(rollout, node);
            String builder = rollout.artifactBuilders.computeIfAbsent(key, k -> node.name());
            NodeCommand.Artifact ref = new NodeCommand.Artifact(key, artifact.path());
            if (!builder.equals(node.name())) {
                if (!rollout.artifactsReady.contains(key)) {
                    node.moveTo(NodePhase.WAITING_FOR_ARTIFACT); // sent by resumeIfDue once the build succeeded
                    node.note = "waiting for the " + key + " artifact built on " + builder;
                    return;
                }
                node.note = "artifact " + key + " built on " + builder;
                send(rollout, node, new StepCommand(NodePhase.RUNNING_STEP, step.name(), NodeCommand.Kind.PUSH_ARTIFACT,
                        null, step.timeout(), false, ref), cause, out);
                return;
            }
            send(rollout, node, new StepCommand(NodePhase.RUNNING_STEP, step.name(), NodeCommand.Kind.BUILD_ARTIFACT,
                    step.render(values(rollout, node)), step.timeout(), step.disruptive(), ref), cause, out);
            return;
        }
        send(rollout, node, new StepCommand(NodePhase.RUNNING_STEP, step.name(),
                "reboot".equals(step.kind()) ? NodeCommand.Kind.REBOOT : NodeCommand.Kind.RUN,
                step.render(values(rollout, node)), step.timeout(), step.disruptive(), null), cause, out);
    }

    private void send(Rollout rollout, NodeProgress node, StepCommand next, Cause cause, List<Emission> out) {
        // deterministic: a command re-sent after a planner restart has the id the executor already knows
        String commandId = rollout.id + ":" + node.name() + ":" + next.step() + ":" + node.attempt;
        node.moveTo(next.phase());
        node.highestAttempt = Math.max(node.highestAttempt, node.attempt);
        node.currentCommandId = commandId;
        node.stepStartSeen = false;
        node.gaveUpOn = null;
        node.currentStep = next.step();
        node.stepSentAt = clock.instant();
        node.stepTimeout = next.timeout();
        node.stepStartBy = deadlines.startBy(node.stepSentAt, next.timeout());
        NodeCommand command = new NodeCommand(commandId, rollout.id, rollout.clusterId(), node.name(), next.step(),
                next.kind(), next.command(), node.node.sshTarget(), next.timeout(), next.disruptive(), node.attempt,
                epochs.apply(rollout.clusterId()), rollout.cluster.executorPool(), next.artifact(), null, null,
                node.stepStartBy);
        out.add(Emission.of(command, cause.as(rollout.actor)));
    }

    static Map<String, String> values(Rollout rollout, NodeProgress node) {
        Map<String, String> values = new HashMap<>();
        values.put("targetVersion", rollout.target());
        values.put("fromVersion", node.fromVersion == null ? "" : node.fromVersion);
        values.put("nodeName", node.name());
        values.put("clusterAddress", node.orderingAddress == null ? "" : node.orderingAddress);
        values.put("clusterId", rollout.clusterId());
        values.put(StepDefinition.FORCED, Boolean.toString(rollout.request.force()));
        return values;
    }

    static String artifactKey(Rollout rollout, NodeProgress node) {
        return node.node.arch() + "/" + node.node.os() + "/" + rollout.target();
    }

    private void onStepFailed(Rollout rollout, NodeProgress node, NodePhase phase, StepFailed failed, Cause cause,
                              List<Emission> out) {
        String code = failed.errorCode() == null ? FailureCode.STEP_FAILED.name() : failed.errorCode();
        String lastLine = lastLine(failed.output());
        String message = "step " + failed.step() + " failed on " + node.name() + " (" + code + "): " + failed.message()
                + (lastLine == null || failed.message() != null && failed.message().contains(lastLine) ? ""
                : "; its last output line: " + lastLine);
        if (FailureCode.of(code).orElse(null) == FailureCode.COMMAND_EXPIRED && node.expiredResends < EXPIRED_RESENDS) {
            // known not to have run (the executor looked in the node's ledger before refusing it): send it again as a
            // new attempt with a new startBy; the expired one can never start (invariant 7), so this cannot run it twice
            node.expiredResends++;
            node.attempt++;
            node.note = failed.step() + " expired unrun on its way to an executor; sent again (attempt " + node.attempt
                    + ", resend " + node.expiredResends + " of " + EXPIRED_RESENDS + ")";
            resend(rollout, node, phase, cause, out);
            return;
        }
        boolean hook = phase == NodePhase.BEFORE_HOOK || phase == NodePhase.AFTER_HOOK;
        if (hook && FailureCode.of(code).orElse(null) == FailureCode.EXIT_STATUS) {
            ClusterRegistered.Hook failedHook = phase == NodePhase.BEFORE_HOOK ? hooks(rollout).beforeDisruption()
                    : hooks(rollout).afterActive();
            if (failedHook != null && failedHook.continuesOnFailure()) {
                node.note = "the cluster's " + failed.step() + " hook failed (onFailure: continue, so the upgrade goes on): "
                        + message;
                onResult(rollout, node, null, cause, out);
                return;
            }
        }
        if (phase != NodePhase.RUNNING_STEP || FailureCode.of(code).orElse(null) != FailureCode.EXIT_STATUS) {
            // only EXIT_STATUS is the command's own verdict; any other (host key, unreachable, time-out, lost connection,
            // a code this planner does not know) is not: nobody can say what state the node is in, so a human looks first
            fail(rollout, node, code, message, cause, out);
            return;
        }
        StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
        String output = (failed.output() == null ? "" : failed.output()) + "\n" + (failed.message() == null ? "" : failed.message());
        FailureMeaning meaning = step.meaningOf(output);
        switch (meaning) {
            case HALT -> fail(rollout, node, code, message, cause, out);
            case RETRY -> {
                // attempts of this step that ran since the last operator retry: an expired one never did
                int ran = node.attempt - node.attemptFloor - node.expiredResends;
                if (ran > step.retries()) {
                    fail(rollout, node, FailureCode.RETRIES_EXHAUSTED.name(),
                            message + " (after " + ran + " attempts)", cause, out);
                } else {
                    Duration backoff = RETRY_BACKOFF.multipliedBy(1L << (ran - 1));
                    node.attempt++;
                    node.retryAt = clock.instant().plus(backoff);
                    node.moveTo(NodePhase.RETRY_WAIT);
                    node.note = "retrying " + step.name() + " (attempt " + node.attempt + ") at " + node.retryAt;
                }
            }
            case REQUIRE_REBOOT -> {
                node.afterLastStep = NodeProgress.AfterLastStep.REBOOT;
                node.note = step.name() + " failed: a reboot is required to load the update (" + failed.message() + ")";
                advance(rollout, node, cause, out);
            }
        }
    }

    /** The last non-blank line of a command's output (at most 200 characters), what an operator reads first. */
    private static String lastLine(String output) {
        if (output == null) {
            return null;
        }
        String[] lines = output.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        return last.isEmpty() ? null : last.length() > 200 ? last.substring(0, 200) + "..." : last;
    }

    /** The command of {@code phase} once more (its attempt already counted up): same step, new id and startBy. */
    private void resend(Rollout rollout, NodeProgress node, NodePhase phase, Cause cause, List<Emission> out) {
        switch (phase) {
            case RUNNING_STEP -> sendStep(rollout, node, cause, out);
            case REBOOTING -> send(rollout, node, StepCommand.reboot(NodePhase.REBOOTING, "reboot",
                    rollout.procedure.remedy().rebootTimeout()), cause, out);
            case REMEDY_REBOOTING -> send(rollout, node, StepCommand.reboot(NodePhase.REMEDY_REBOOTING, "remedy-reboot",
                    rollout.procedure.remedy().rebootTimeout()), cause, out);
            case DEFERRED_STOPPING -> stopDeferred(rollout, node, cause, out);
            case DEFERRED_STARTING -> startDeferred(rollout, node, cause, out);
            case BEFORE_HOOK -> sendStep(rollout, node, cause, out);
            case AFTER_HOOK -> afterActiveHook(rollout, node, cause, out);
            default -> throw new IllegalStateException("a result for " + node.name() + " in phase " + phase);
        }
    }

    /** The cluster's hooks as the request found them (none: both null). */
    static ClusterRegistered.Hooks hooks(Rollout rollout) {
        ClusterRegistered.Hooks hooks = rollout.cluster.hooks();
        return hooks == null ? NO_HOOKS : hooks;
    }

    /** The node keeps its unavailability budget: no timer ever frees it (invariant 1). The rollout halts. */
    private void fail(Rollout rollout, NodeProgress node, String code, String message, Cause cause, List<Emission> out) {
        node.failedIn = node.phase();
        node.moveTo(NodePhase.FAILED);
        node.note = code + ": " + message;
        node.failedAt = clock.instant();
        node.finishedAt = clock.instant();
        rollout.state = RolloutState.HALTED;
        rollout.waitingFor = "operator: rollout halted (" + code + ")";
        out.add(Emission.of(new RolloutHalted(rollout.id, rollout.clusterId(), node.name(), code, message),
                cause.as(rollout.actor)));
    }
}
