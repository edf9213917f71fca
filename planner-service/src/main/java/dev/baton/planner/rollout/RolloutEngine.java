package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.RolloutAborted;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.RolloutResumed;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.planner.plan.Plan;
import dev.baton.planner.plan.PlanBuilder;
import dev.baton.planner.plan.Preflight;
import dev.baton.planner.plan.Rejection;
import dev.baton.planner.plan.UpgradeRequestRules;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The rollout state machine: turns observations (registrations, requests, step results, health
 * edges, timer ticks) into decisions ({@link Emission}s to publish). Pure Java: no Kafka, CDI or SSH;
 * the clock is injected and rollout ids are derived from request ids. Not thread-safe: the caller
 * serialises calls.
 *
 * <p>Where each part lives: this class dispatches observations and holds the rollouts; {@code plan.Preflight} and
 * {@code plan.PlanBuilder} decide steps 1 and 2 (an immutable {@code plan.Plan}); {@link Pacing} (beside
 * {@link Guards}) decides when nodes start, finish and pause (3, 5, 7); {@link NodeDriver} takes each node through
 * its {@link NodePhase}s (4, 6); {@link OutOfOrder} finds out-of-order nodes.
 *
 * <pre>
 * 1. On UpgradeRequested: a request id already seen is a redelivery and is ignored. Reject (RolloutRejected,
 *    code + sentence) if the cluster or its procedure is unknown, a rollout is already open on the cluster,
 *    the target does not parse, or the request is malformed ({@link UpgradeRequestRules}: the same rules the REST
 *    API answers 400 for before it publishes). Otherwise hold the rollout in REQUESTED until
 *    every node not excluded is active (preflight, bounded by the preflight timeout). Then reject if a node
 *    runs a newer version than the target or every node already runs it (unless force); if the procedure's
 *    compatibility table forbids rolling from a node's version, plan a complete (offline) update when the
 *    request allows it, else reject.
 * 2. Accept and plan: order the nodes by the procedure's ordering policy (Matrix: membership address,
 *    highest first, numeric); nodes already on target (unless force) and excluded ones are SKIPPED; a node
 *    already on target below an old-version node in the order is out of order: OutOfOrderDetected, it becomes
 *    DEFERRED (the procedure's stop command now, its start command after every other node is done).
 *    Publish RolloutAccepted and RolloutPlanned. A dry run stops here.
 * 3. Run: while no pause/halt/delay holds and the guards allow (maintenance window, budget = maxUnavailable
 *    nodes out of service counting every node health reports inactive, Matrix last-old-node rule), start the
 *    next PENDING node in plan order: NodeUpgradeStarted, then its first step's NodeCommand. A guard that holds
 *    the rollout back is published once as GuardBlocked.
 * 4. Steps go one at a time, each after the previous one succeeded. The procedure's artifact step builds on the
 *    first node of each (arch, os, version) group and is pushed to the others once built. A failed step means
 *    what the procedure says (by its output): halt; retry (bounded, with back-off); require-reboot (go on and
 *    reboot the node after its last step). Failures that are not the command's own (host key, unreachable,
 *    timeout, lost connection) always halt. After the last step (and reboot) the node is AWAITING_ACTIVE.
 * 5. A node AWAITING_ACTIVE is DONE once health reports it active on the target version (NodeActive, which the
 *    health service only publishes after its stability window): NodeUpgraded, the budget returns; the first
 *    done node opens the mixed-version window. Canary and stop-after pause; delayBetweenNodes waits. When no
 *    node is left, deferred nodes are started; when every node is done, the window closes and
 *    RolloutCompleted.
 * 6. No result within a step's timeout (a command no executor said it started: one start window more, for the
 *    COMMAND_EXPIRED refusal that proves it never ran and sends it again), or a failed step that means halt: the
 *    node is FAILED and keeps its budget (until health sees it active or an operator releases it); the rollout
 *    HALTS and sends nothing more for the cluster until an operator resumes it. No NodeActive on target within the
 *    health timeout: the procedure's remedy (reboot once, REMEDIATING), then HALT if it still is not active.
 * 7. The mixed-version window past the procedure's alertAfter publishes GuardBlocked; past haltAfter it halts.
 * 8. On RolloutControl rollback of a finished rollout: a new UpgradeRequested ({@link Rollback}: the nodes it upgraded
 *    back to their from-version, forced for a downgrade, the others excluded), decided from step 1 on.
 * </pre>
 */
public final class RolloutEngine {
    private final ProcedureCatalog procedures;
    private final Clock clock;
    private final Duration preflightTimeout;
    private final Function<String, Long> epochs;
    private final NodeDriver driver;
    private final Pacing pacing;

    private final Map<String, ClusterRegistered> clusters = new HashMap<>();
    private final Map<String, ClusterPicture> pictures = new HashMap<>();
    private final Rollouts rollouts = new Rollouts();

    /**
     * @param epochs the fencing epoch the planner holds for a cluster; every command carries it
     */
    public RolloutEngine(ProcedureCatalog procedures, Clock clock, Duration preflightTimeout,
                         Function<String, Long> epochs) {
        this(procedures, clock, preflightTimeout, epochs, CommandDeadlines.DEFAULT);
    }

    /**
     * @param epochs the fencing epoch the planner holds for a cluster; every command carries it
     * @param deadlines each command's {@code startBy} and when its result is given up on
     */
    public RolloutEngine(ProcedureCatalog procedures, Clock clock, Duration preflightTimeout,
                         Function<String, Long> epochs, CommandDeadlines deadlines) {
        this.procedures = procedures;
        this.clock = clock;
        this.preflightTimeout = preflightTimeout;
        this.epochs = epochs;
        this.driver = new NodeDriver(clock, epochs, deadlines);
        this.pacing = new Pacing(clock, driver);
    }

    /** The rollout id for a request: derived from it, so a redelivered request maps to the same rollout. */
    public static String rolloutIdFor(UpgradeRequested request) {
        return "ro-" + java.util.UUID.nameUUIDFromBytes((request.clusterId() + "/" + request.requestId())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString().substring(0, 13);
    }

    // ---- observations ------------------------------------------------------------------------

    public List<Emission> onClusterRegistered(ClusterRegistered cluster) {
        clusters.put(cluster.clusterId(), cluster);
        return List.of();
    }

    /**
     * Updates the health picture only (while replaying history), deciding nothing.
     *
     * @return whether the picture changed (false for an edge health had reported already)
     */
    public boolean recordHealth(HealthEvent event) {
        ClusterPicture picture = picture(event.clusterId());
        if (event instanceof MembershipObserved membership) {
            return picture.record(membership);
        } else if (event instanceof NodeActive active) {
            return picture.record(active);
        } else if (event instanceof NodeInactive inactive) {
            return picture.record(inactive);
        }
        return false;
    }

    public List<Emission> onHealth(HealthEvent event, Cause cause) {
        List<Emission> out = new ArrayList<>();
        recordHealth(event);
        // one open rollout per cluster, but for a rollback's dry run planned beside the halted rollout it is of
        rollouts.allOpen(event.clusterId()).forEach(rollout -> {
            if (rollout.state == RolloutState.REQUESTED) {
                preflight(rollout, cause, out);
            } else {
                OutOfOrder.detect(rollout, picture(rollout.clusterId()), cause, out);
                progress(rollout, cause, out);
            }
        });
        return out;
    }

    public List<Emission> onUpgradeRequested(UpgradeRequested request, Cause cause) {
        return decide(request, null, cause);
    }

    /**
     * @param mayBeOpen the open rollout a dry run may be planned beside (the halted rollout a rollback dry run is of)
     */
    private List<Emission> decide(UpgradeRequested request, Rollout mayBeOpen, Cause cause) {
        List<Emission> out = new ArrayList<>();
        String rolloutId = rolloutIdFor(request);
        if (!rollouts.decide(request.clusterId(), request.requestId(), rolloutId)) {
            return out; // a redelivered request: it was decided already
        }
        ClusterRegistered cluster = clusters.get(request.clusterId());
        if (cluster == null) {
            return reject(rolloutId, request, Rejection.UNKNOWN_CLUSTER, cause, request.clusterId());
        }
        Optional<Procedure> procedure = procedures.get(cluster.procedure());
        if (procedure.isEmpty()) {
            return reject(rolloutId, request, Rejection.UNKNOWN_PROCEDURE, cause, cluster.clusterId(), cluster.procedure());
        }
        Optional<Rollout> open = openRollout(cluster.clusterId());
        if (open.isPresent() && !(request.dryRun() && open.get() == mayBeOpen)) {
            return reject(rolloutId, request, Rejection.ROLLOUT_OPEN, cause, cluster.clusterId(), open.get().id);
        }
        if (UpgradeRequestRules.targetVersion(request.targetVersion()).isPresent()) {
            return reject(rolloutId, request, Rejection.BAD_VERSION, cause, request.targetVersion());
        }
        Optional<UpgradeRequestRules.Violation> malformed = UpgradeRequestRules.check(request, cluster);
        if (malformed.isPresent()) {
            return reject(rolloutId, request, Rejection.BAD_REQUEST, cause, malformed.get().message());
        }
        Instant now = clock.instant();
        Rollout rollout = new Rollout(rolloutId, request, cluster, procedure.get(), now, now.plus(preflightTimeout));
        rollouts.add(rollout);
        preflight(rollout, cause, out);
        return out;
    }

    public List<Emission> onStepResult(StepResult result, Cause cause) {
        List<Emission> out = new ArrayList<>();
        Rollout rollout = rollouts.get(result.rolloutId()).orElse(null);
        if (rollout != null && rollout.state == RolloutState.HALTED && result instanceof StepFailed failed) {
            rollout.nodes.forEach(node -> driver.afterGivingUp(node, failed));
        }
        if (rollout == null || !rollout.isDriving()) {
            return out; // after HALTED or ABORTED nothing more is sent (invariant 5)
        }
        Optional<NodeProgress> found = rollout.nodeByCommand(result.commandId());
        if (found.isPresent() && result instanceof StepStarted) {
            driver.started(found.get());
        }
        if (found.isEmpty() || !(result instanceof StepSucceeded || result instanceof StepFailed)) {
            return out; // a duplicate, a result for a step we no longer wait for, or StepStarted/StepOutput
        }
        driver.onResult(rollout, found.get(), result instanceof StepFailed failed ? failed : null, cause, out);
        progress(rollout, cause, out);
        return out;
    }

    public List<Emission> onControl(RolloutControl control, Cause cause) {
        List<Emission> out = new ArrayList<>();
        Rollout rollout = rollouts.get(control.rolloutId()).orElse(null);
        String actor = control.requestedBy() == null ? "unknown" : control.requestedBy();
        if (rollout == null && control.action() == RolloutControl.Action.ROLLBACK && control.clusterId() != null) {
            return unknownRollback(control, actor, cause);
        }
        if (rollout == null || control.action() == null) {
            return out;
        }
        Cause by = cause.as(actor);
        switch (control.action()) {
            case PAUSE -> {
                if (rollout.state == RolloutState.RUNNING) {
                    Pacing.pause(rollout, PauseReason.OPERATOR, "paused by " + actor, by, out);
                }
            }
            case RESUME -> {
                if (rollout.state == RolloutState.PAUSED || rollout.state == RolloutState.HALTED) {
                    resume(rollout, new RolloutResumed(rollout.id, rollout.clusterId(), null, "OPERATOR",
                            "resumed by " + actor), by, out);
                    progress(rollout, by, out);
                }
            }
            case ABORT -> {
                if (rollout.state.isOpen()) {
                    rollout.state = RolloutState.ABORTED;
                    rollout.waitingFor = null;
                    out.add(Emission.of(new RolloutAborted(rollout.id, rollout.clusterId(), null, "OPERATOR",
                            "aborted by " + actor), by));
                }
            }
            case ROLLBACK -> out.addAll(rollback(rollout, control, actor, cause));
            case RELEASE, RETRY, SKIP -> rollout.node(control.nodeName() == null ? "" : control.nodeName()).ifPresent(node -> {
                if (!rollout.state.isOpen() || rollout.state == RolloutState.REQUESTED) {
                    return;
                }
                boolean changed = switch (control.action()) {
                    case RETRY -> driver.retry(rollout, node, Boolean.TRUE.equals(control.fromStart()), actor, by, out);
                    case SKIP -> driver.skip(node, actor);
                    default -> driver.release(node, actor);
                };
                if (changed) {
                    resumeAfterNodeAction(rollout, node, control.action(), actor, by, out);
                    progress(rollout, by, out);
                }
            });
        }
        return out;
    }

    /**
     * 8. A rollback of a finished rollout is a new rollout, decided as the request {@link Rollback} makes of it (the
     * nodes it upgraded back to their from-version, forced for a downgrade, every other node excluded): preflight,
     * plan, guards and dry run as for any request. Its request id is the control's, else derived from the rollout's
     * id, so a redelivered control is a redelivered request. A rollback {@link Rollback} refuses is answered with
     * RolloutRejected under that request id and decides nothing: asked again later, it is decided again.
     */
    private List<Emission> rollback(Rollout of, RolloutControl control, String actor, Cause cause) {
        boolean dryRun = Boolean.TRUE.equals(control.dryRun());
        String requestId = control.requestId() != null ? control.requestId() : Rollback.requestId(of.id, dryRun);
        if (rollouts.decided(of.clusterId(), requestId)) {
            return List.of(); // a redelivered control: its request was decided already
        }
        Rollback.Decision decision = Rollback.decide(of.view(), picture(of.clusterId())::version);
        if (decision instanceof Rollback.Refused refused) {
            UpgradeRequested request = new UpgradeRequested(requestId, of.clusterId(), null, null, null, null, null,
                    false, false, List.of(), dryRun, actor);
            return refuse(rolloutIdFor(request), request, refused.rejection(), refused.message(), cause);
        }
        Rollback.Target target = (Rollback.Target) decision;
        ClusterRegistered cluster = clusters.getOrDefault(of.clusterId(), of.cluster);
        List<String> nodes = cluster.nodes().stream().map(ClusterRegistered.Node::name).toList();
        UpgradeRequested request = Rollback.request(target, of.request, requestId, dryRun, actor, nodes);
        List<Emission> out = new ArrayList<>();
        if (of.state == RolloutState.HALTED && !dryRun) {
            // a halted rollout still holds its cluster: rolling it back gives it up (nothing more is sent for it)
            of.state = RolloutState.ABORTED;
            of.waitingFor = null;
            out.add(Emission.of(new RolloutAborted(of.id, of.clusterId(), null, "ROLLBACK", "aborted by " + actor
                    + " to roll it back (rollout " + rolloutIdFor(request) + ")"), cause.as(actor)));
        }
        out.addAll(decide(request, dryRun ? of : null, cause));
        return out;
    }

    /** A rollback of a rollout this engine does not hold (never was, or no longer kept): refused, nothing decided. */
    private List<Emission> unknownRollback(RolloutControl control, String actor, Cause cause) {
        boolean dryRun = Boolean.TRUE.equals(control.dryRun());
        String requestId = control.requestId() != null ? control.requestId()
                : Rollback.requestId(String.valueOf(control.rolloutId()), dryRun);
        if (rollouts.decided(control.clusterId(), requestId)) {
            return List.of();
        }
        UpgradeRequested request = new UpgradeRequested(requestId, control.clusterId(), null, null, null, null, null,
                false, false, List.of(), dryRun, actor);
        return reject(rolloutIdFor(request), request, Rejection.ROLLBACK_UNKNOWN_ROLLOUT, cause, control.rolloutId(),
                control.clusterId(), Rollouts.CLOSED_KEPT);
    }

    /**
     * A halted rollout goes on once an operator has dealt with its failed nodes (retried, skipped or released every
     * one): the operator's action is the decision a halt waits for. A halt for another reason (the mixed-version
     * deadline) comes back at the next tick if its cause is still there.
     */
    private void resumeAfterNodeAction(Rollout rollout, NodeProgress node, RolloutControl.Action action, String actor,
                                       Cause by, List<Emission> out) {
        if (rollout.state != RolloutState.HALTED
                || rollout.nodes.stream().anyMatch(n -> n.phase() == NodePhase.FAILED)) {
            return;
        }
        String verb = action.name().toLowerCase(java.util.Locale.ROOT);
        resume(rollout, new RolloutResumed(rollout.id, rollout.clusterId(), node.name(), action.name(),
                "resumed by " + actor + "'s " + verb + " of " + node.name()), by, out);
    }

    /** A paused or halted rollout runs again: the stop-after count starts over, nothing is waited for or blocked. */
    private static void resume(Rollout rollout, RolloutResumed resumed, Cause by, List<Emission> out) {
        rollout.state = RolloutState.RUNNING;
        rollout.doneSinceResume = 0;
        rollout.waitingFor = null;
        rollout.blockedBy = null;
        out.add(Emission.of(resumed, by));
    }

    /** Time passes: preflight deadlines, delays between nodes, retries, step and health timeouts, deadlines. */
    public List<Emission> onTick() {
        List<Emission> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Rollout rollout : rollouts.all()) {
            if (rollout.state == RolloutState.REQUESTED) {
                preflight(rollout, Cause.TIMER, out);
            } else if (rollout.isDriving()) {
                for (NodeProgress node : rollout.nodes) {
                    if (!rollout.isDriving()) {
                        break;
                    }
                    driver.checkTimeouts(rollout, node, now, out);
                }
                pacing.checkMixedVersionDeadline(rollout, now, out);
                progress(rollout, Cause.TIMER, out);
            }
        }
        return out;
    }

    // ---- queries -----------------------------------------------------------------------------

    public Optional<RolloutView> rollout(String rolloutId) {
        return rollouts.view(rolloutId);
    }

    /** Rollouts, optionally of one cluster and/or for one request id. */
    public List<RolloutView> rollouts(String clusterId, String requestId) {
        return rollouts.views(clusterId, requestId);
    }

    public List<RolloutView> rollouts(String clusterId) {
        return rollouts(clusterId, null);
    }

    public List<ClusterRegistered> clusters() {
        return List.copyOf(clusters.values());
    }

    public Optional<ClusterRegistered> cluster(String clusterId) {
        return Optional.ofNullable(clusters.get(clusterId));
    }

    // ---- state: snapshots for crash recovery, ownership --------------------------------------

    /** This engine's state for one cluster, as a value to persist. */
    public ClusterSnapshot snapshot(String clusterId) {
        return rollouts.snapshot(clusterId, epochs.apply(clusterId));
    }

    /** Takes over a cluster's state (after a restart or a rebalance); replaces whatever was held for it. */
    public void restore(ClusterSnapshot snapshot) {
        rollouts.restore(snapshot, procedures);
    }

    /** Lets go of a cluster (another planner instance owns it now): nothing more is decided for it here. */
    public void forget(String clusterId) {
        rollouts.forget(clusterId);
    }

    /** The clusters this engine holds rollouts for. */
    public Set<String> clustersWithRollouts() {
        return rollouts.clusterIds();
    }

    // ---- 1. preflight, 2. plan ---------------------------------------------------------------

    private void preflight(Rollout rollout, Cause cause, List<Emission> out) {
        Preflight.Verdict verdict = Preflight.check(rollout.request, rollout.cluster, rollout.procedure,
                picture(rollout.clusterId()), clock.instant(), rollout.preflightDeadline);
        if (verdict instanceof Preflight.Wait wait) {
            rollout.waitingFor = wait.waitingFor();
        } else if (verdict instanceof Preflight.Reject reject) {
            rollout.state = RolloutState.REJECTED;
            rollout.waitingFor = null;
            rollout.rejection = new RolloutView.Rejected(reject.rejection().name(), reject.message());
            out.add(Emission.of(new RolloutRejected(rollout.id, rollout.clusterId(), rollout.request.requestId(),
                    reject.rejection().name(), reject.message()), cause.as(rollout.actor)));
        } else if (verdict instanceof Preflight.Pass pass) {
            accept(rollout, pass.offline(), cause, out);
        }
    }

    private void accept(Rollout rollout, boolean offline, Cause cause, List<Emission> out) {
        Cause by = cause.as(rollout.actor);
        UpgradeRequested request = rollout.request;
        out.add(Emission.of(new RolloutAccepted(rollout.id, rollout.clusterId(), request.requestId(),
                request.targetVersion(), rollout.actor), by));
        ClusterPicture picture = picture(rollout.clusterId());
        Plan plan = PlanBuilder.build(rollout.cluster, rollout.procedure, request, picture, offline);
        rollout.offline = plan.offline();
        rollout.maxUnavailable = plan.maxUnavailable();
        for (Plan.PlannedNode planned : plan.nodes()) {
            NodePhase phase = switch (planned.disposition()) {
                case UPGRADE -> NodePhase.PENDING;
                case EXCLUDED -> NodePhase.SKIPPED_EXCLUDED;
                case ALREADY_ON_TARGET -> NodePhase.SKIPPED_ON_TARGET;
            };
            rollout.nodes.add(new NodeProgress(planned.node(), planned.orderingAddress(), planned.fromVersion(), phase,
                    planned.disposition().action()));
        }
        List<Emission> outOfOrder = new ArrayList<>();
        OutOfOrder.detect(rollout, picture, cause, outOfOrder);
        rollout.plan = new RolloutPlanned(rollout.id, rollout.clusterId(), request.targetVersion(),
                rollout.procedure.ordering().yamlName(), rollout.maxUnavailable, request.dryRun(),
                PlanExplanation.nodes(rollout, picture), PlanExplanation.guards(rollout), PlanExplanation.estimate(rollout));
        out.add(Emission.of(rollout.plan, by));
        out.addAll(outOfOrder);
        rollout.state = request.dryRun() ? RolloutState.PLANNED : RolloutState.RUNNING;
        rollout.waitingFor = null;
        if (!request.dryRun()) {
            progress(rollout, cause, out);
        }
    }

    private void progress(Rollout rollout, Cause cause, List<Emission> out) {
        pacing.progress(rollout, picture(rollout.clusterId()), cause, out);
    }

    private List<Emission> reject(String rolloutId, UpgradeRequested request, Rejection rejection, Cause cause,
                                  Object... args) {
        return refuse(rolloutId, request, rejection, rejection.message(args), cause);
    }

    private List<Emission> refuse(String rolloutId, UpgradeRequested request, Rejection rejection, String message,
                                  Cause cause) {
        rollouts.refuse(new RolloutView(rolloutId, request.requestId(), request.clusterId(),
                request.targetVersion(), RolloutState.REJECTED, request.dryRun(), 0, false, null, null,
                request.requestedBy(), clock.instant(), new RolloutView.Rejected(rejection.name(), message), List.of(),
                null));
        return List.of(new Emission(new RolloutRejected(rolloutId, request.clusterId(), request.requestId(),
                rejection.name(), message), request.requestedBy(), cause.eventId()));
    }

    private Optional<Rollout> openRollout(String clusterId) {
        return rollouts.open(clusterId);
    }

    private ClusterPicture picture(String clusterId) {
        return pictures.computeIfAbsent(clusterId, c -> new ClusterPicture());
    }
}
