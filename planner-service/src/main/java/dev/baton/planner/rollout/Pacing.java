package dev.baton.planner.rollout;

import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.MixedVersionWindowClosed;
import dev.baton.contracts.MixedVersionWindowOpened;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPaused;
import dev.baton.procedure.ProcedureRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * When a running rollout moves (steps 3, 5 and 7 of {@link RolloutEngine}'s algorithm): nodes health sees active on
 * the target are done; the next PENDING node starts in plan order when no pause, delay or {@link Guards guard} holds
 * it; canary and stop-after pause; deferred (out-of-order) nodes start last; the mixed-version window opens, closes
 * and has its deadline; the rollout completes. Leaves each node's own course to {@link NodeDriver}.
 */
final class Pacing {
    /**
     * The halt of a rollout that cannot move any more because of failed nodes: nothing in flight, and no node left to
     * start, or the next one held by the budget a failed node keeps. An operator retries, skips or releases them.
     */
    static final String NODE_FAILED = "NODE_FAILED";
    private final Clock clock;
    private final NodeDriver driver;

    Pacing(Clock clock, NodeDriver driver) {
        this.clock = clock;
        this.driver = driver;
    }

    /** Moves a running rollout forward as far as the budget and the gates allow. */
    void progress(Rollout rollout, ClusterPicture picture, Cause cause, List<Emission> out) {
        if (!rollout.isDriving()) {
            return;
        }
        Cause by = cause.as(rollout.actor);
        for (NodeProgress node : rollout.nodes) {
            if (node.phase().awaitingActive() && picture.isActiveNow(node.name())
                    && rollout.target().equals(picture.version(node.name()).orElse(null))
                    && !driver.afterActiveHook(rollout, node, cause, out)) {
                nodeDone(rollout, node, picture, by, out);
            } else if (node.phase() == NodePhase.AFTER_HOOK_DONE) {
                nodeDone(rollout, node, picture, by, out);
            }
        }
        if (rollout.state != RolloutState.RUNNING) {
            rollout.waitingFor = rollout.state == RolloutState.PAUSED ? rollout.waitingFor : null;
            return;
        }
        for (NodeProgress node : rollout.nodes) {
            if (node.phase() == NodePhase.DEFERRED) {
                driver.stopDeferred(rollout, node, cause, out);
            }
            driver.resumeIfDue(rollout, node, cause, out);
        }
        boolean othersDone = rollout.nodes.stream().allMatch(n -> n.state() == NodeState.DONE
                || n.state() == NodeState.SKIPPED || n.state() == NodeState.DEFERRED);
        if (othersDone) {
            for (NodeProgress node : rollout.nodes) {
                if (node.phase() == NodePhase.DEFERRED_STOPPED) {
                    driver.startDeferred(rollout, node, cause, out);
                }
            }
        }
        if (rollout.nodes.stream().allMatch(n -> n.state() == NodeState.DONE || n.state() == NodeState.SKIPPED)) {
            complete(rollout, by, out);
            return;
        }
        startNodes(rollout, picture, by, cause, out);
        haltIfStuckOnFailedNodes(rollout, picture, by, out);
    }

    /** A rollout with a FAILED node never stays RUNNING with nothing left that could move it. */
    private void haltIfStuckOnFailedNodes(Rollout rollout, ClusterPicture picture, Cause by, List<Emission> out) {
        if (rollout.state != RolloutState.RUNNING) {
            return;
        }
        List<NodeProgress> failed = rollout.nodes.stream().filter(n -> n.state() == NodeState.FAILED).toList();
        boolean busy = rollout.nodes.stream().anyMatch(n -> n.phase().commandInFlight() || n.phase().awaitingActive()
                || n.phase() == NodePhase.RETRY_WAIT || n.phase() == NodePhase.WAITING_FOR_ARTIFACT
                || n.phase() == NodePhase.DEFERRED_STOPPED);
        if (failed.isEmpty() || busy) {
            return;
        }
        boolean pending = rollout.nodes.stream().anyMatch(n -> n.phase() == NodePhase.PENDING);
        boolean heldByFailed = GuardBlock.BUDGET.equals(rollout.blockedBy) && Guards.unavailable(rollout, picture).stream()
                .anyMatch(name -> rollout.node(name).map(n -> n.phase() == NodePhase.FAILED).orElse(false));
        if (pending && !heldByFailed) {
            return; // a delay, the maintenance window or another guard holds the next node: time moves it
        }
        String names = String.join(", ", failed.stream().map(NodeProgress::name).toList());
        rollout.state = RolloutState.HALTED;
        rollout.waitingFor = "operator: rollout halted (" + NODE_FAILED + "): retry or skip " + names;
        out.add(Emission.of(new RolloutHalted(rollout.id, rollout.clusterId(), failed.get(0).name(), NODE_FAILED,
                "nothing more can move while " + names + (failed.size() == 1 ? " is" : " are") + " failed"
                        + (pending ? " and holding the budget" : "") + ": retry (baton retry " + rollout.id + " NODE), skip"
                        + " (baton skip " + rollout.id + " NODE) or abort"), by));
    }

    /** Past the procedure's alertAfter the mixed-version window is published as GuardBlocked; past haltAfter it halts. */
    void checkMixedVersionDeadline(Rollout rollout, Instant now, List<Emission> out) {
        ProcedureRules.MixedVersionDeadline deadline = rollout.procedure.mixedVersion();
        if (deadline == null || rollout.mixedSince == null || !rollout.isDriving()) {
            return;
        }
        Duration mixed = Duration.between(rollout.mixedSince, now);
        Cause by = new Cause(null, rollout.actor);
        if (mixed.compareTo(deadline.haltAfter()) > 0) {
            rollout.state = RolloutState.HALTED;
            rollout.waitingFor = "operator: rollout halted (" + GuardBlock.MIXED_VERSION_DEADLINE + ")";
            out.add(Emission.of(new RolloutHalted(rollout.id, rollout.clusterId(), null, GuardBlock.MIXED_VERSION_DEADLINE,
                    "the cluster has run mixed versions for " + mixed + ", past the procedure's limit of "
                            + deadline.haltAfter()), by));
        } else if (mixed.compareTo(deadline.alertAfter()) > 0 && !rollout.mixedAlerted) {
            rollout.mixedAlerted = true;
            out.add(Emission.of(new GuardBlocked(rollout.id, rollout.clusterId(), null, GuardBlock.MIXED_VERSION_DEADLINE,
                    "the cluster has run mixed versions for " + mixed + " (alert after " + deadline.alertAfter()
                            + "; the rollout halts after " + deadline.haltAfter() + ")"), by));
        }
    }

    /** Pauses the rollout until an operator resumes it. */
    static void pause(Rollout rollout, PauseReason reason, String message, Cause by, List<Emission> out) {
        rollout.state = RolloutState.PAUSED;
        rollout.waitingFor = "operator: " + message;
        out.add(Emission.of(new RolloutPaused(rollout.id, rollout.clusterId(), null, reason.name(), message), by));
    }

    private void startNodes(Rollout rollout, ClusterPicture picture, Cause by, Cause cause, List<Emission> out) {
        while (true) {
            Optional<NodeProgress> next = rollout.nodes.stream().filter(n -> n.phase() == NodePhase.PENDING).findFirst();
            if (next.isEmpty()) {
                rollout.blockedBy = null;
                break;
            }
            if (rollout.nextStartNotBefore != null && clock.instant().isBefore(rollout.nextStartNotBefore)) {
                rollout.waitingFor = "delay between nodes until " + rollout.nextStartNotBefore;
                return;
            }
            NodeProgress node = next.get();
            Optional<GuardBlock> block = Guards.check(rollout, node, picture, clock.instant());
            if (block.isPresent()) {
                GuardBlock guard = block.get();
                // the budget holding the next node while the previous ones upgrade is the normal rhythm, not news
                boolean rhythm = guard.code().equals(GuardBlock.BUDGET) && Guards.unavailable(rollout, picture).stream()
                        .allMatch(name -> rollout.node(name).map(n -> n.state() == NodeState.UPGRADING
                                || n.state() == NodeState.AWAITING_ACTIVE).orElse(false));
                if (!rhythm && !guard.code().equals(rollout.blockedBy)) {
                    rollout.blockedBy = guard.code();
                    out.add(Emission.of(new GuardBlocked(rollout.id, rollout.clusterId(), guard.nodeName(), guard.code(),
                            guard.message()), by));
                }
                rollout.waitingFor = describeWait(rollout, guard);
                return;
            }
            rollout.blockedBy = null;
            out.add(Emission.of(new NodeUpgradeStarted(rollout.id, rollout.clusterId(), node.name(), node.fromVersion,
                    rollout.target()), by));
            driver.start(rollout, node, cause, out);
        }
        rollout.waitingFor = describeWait(rollout, null);
    }

    private void nodeDone(Rollout rollout, NodeProgress node, ClusterPicture picture, Cause by, List<Emission> out) {
        driver.done(node);
        rollout.doneSinceResume++;
        out.add(Emission.of(new NodeUpgraded(rollout.id, rollout.clusterId(), node.name(), rollout.target()), by));
        if (rollout.mixedSince == null) {
            TreeSet<String> versions = new TreeSet<>();
            rollout.nodes.forEach(n -> picture.version(n.name()).ifPresent(versions::add));
            if (versions.size() > 1) {
                rollout.mixedSince = clock.instant();
                out.add(Emission.of(new MixedVersionWindowOpened(rollout.id, rollout.clusterId(), rollout.mixedSince,
                        List.copyOf(versions)), by));
            }
        }
        Duration delay = rollout.request.delayBetweenNodes();
        rollout.nextStartNotBefore = delay == null ? null : clock.instant().plus(delay);
        pauseIfCheckpoint(rollout, by, out);
    }

    private void complete(Rollout rollout, Cause by, List<Emission> out) {
        rollout.state = RolloutState.COMPLETED;
        rollout.waitingFor = null;
        rollout.blockedBy = null;
        if (rollout.mixedSince != null) {
            out.add(Emission.of(new MixedVersionWindowClosed(rollout.id, rollout.clusterId(), clock.instant(),
                    List.of(rollout.target())), by));
        }
        List<String> skipped = rollout.nodes.stream().filter(n -> n.phase() == NodePhase.SKIPPED_BY_OPERATOR)
                .map(NodeProgress::name).toList();
        out.add(Emission.of(new RolloutCompleted(rollout.id, rollout.clusterId(), null, "COMPLETED",
                skipped.isEmpty() ? "every node runs " + rollout.target() + " or was skipped"
                        : "every node runs " + rollout.target() + " or was skipped; skipped by an operator (not on "
                        + rollout.target() + "): " + String.join(", ", skipped), skipped), by));
    }

    /** Canary and stop-after: pause once that many nodes are done (since the start, or since the last resume). */
    private void pauseIfCheckpoint(Rollout rollout, Cause by, List<Emission> out) {
        if (rollout.state != RolloutState.RUNNING) {
            return;
        }
        long done = rollout.nodes.stream().filter(n -> n.state() == NodeState.DONE).count();
        boolean remaining = rollout.nodes.stream().anyMatch(n -> n.phase() == NodePhase.PENDING);
        Integer canary = rollout.request.canary();
        Integer stopAfter = rollout.request.stopAfter();
        if (remaining && canary != null && canary > 0 && done == canary) {
            pause(rollout, PauseReason.CANARY, "canary of " + canary + " node(s) done: resume to continue", by, out);
        } else if (remaining && stopAfter != null && stopAfter > 0 && rollout.doneSinceResume == stopAfter) {
            pause(rollout, PauseReason.STOP_AFTER, stopAfter + " node(s) done since start or resume: resume to continue", by, out);
        }
    }

    /** What the rollout waits for, for people: the first node that is busy, else the guard holding it back. */
    private static String describeWait(Rollout rollout, GuardBlock guard) {
        for (NodeProgress node : rollout.nodes) {
            if (node.phase().commandInFlight()) {
                return "step " + node.currentStep + " on " + node.name();
            }
            if (node.state() == NodeState.AWAITING_ACTIVE) {
                return "health: " + node.name() + " active on " + rollout.target();
            }
            if (node.phase() == NodePhase.WAITING_FOR_ARTIFACT || node.phase() == NodePhase.RETRY_WAIT) {
                return node.name() + ": " + node.note;
            }
        }
        return guard == null ? null : "guard " + guard.code() + ": " + guard.message();
    }
}
