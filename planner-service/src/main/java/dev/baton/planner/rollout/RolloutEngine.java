package dev.baton.planner.rollout;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.MixedVersionWindowClosed;
import dev.baton.contracts.MixedVersionWindowOpened;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.OutOfOrderDetected;
import dev.baton.contracts.RolloutAborted;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPaused;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.RolloutResumed;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.planner.plan.NodeOrdering;
import dev.baton.procedure.FailureMeaning;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.procedure.ProcedureRules;
import dev.baton.procedure.StepDefinition;
import dev.baton.procedure.Versions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The rollout state machine: turns observations (registrations, requests, step results, health
 * edges, timer ticks) into decisions ({@link Emission}s to publish). Pure Java: no Kafka, CDI or SSH;
 * the clock is injected and rollout ids are derived from request ids. Not thread-safe: the caller
 * serialises calls.
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
 * 6. No result within a step's timeout, or a failed step that means halt: the node is FAILED and keeps its
 *    budget (until health sees it active or an operator releases it); the rollout HALTS and sends nothing more
 *    for the cluster until an operator resumes it. No NodeActive on target within the health timeout: the
 *    procedure's remedy (reboot once, REMEDIATING), then HALT if it still is not active.
 * 7. The mixed-version window past the procedure's alertAfter publishes GuardBlocked; past haltAfter it halts.
 * </pre>
 */
public final class RolloutEngine {
    /** Slack on top of a step's own timeout before the planner gives up waiting for its result. */
    static final Duration RESULT_GRACE = Duration.ofMinutes(1);
    /** First retry back-off; doubles on each further attempt. */
    static final Duration RETRY_BACKOFF = Duration.ofSeconds(10);
    /** Error codes that say the command itself ran and failed; any other failure is not the step's to judge. */
    private static final String EXIT_STATUS = "EXIT_STATUS";

    private final ProcedureCatalog procedures;
    private final Clock clock;
    private final Duration preflightTimeout;
    private final Function<String, Long> epochs;

    private final Map<String, ClusterRegistered> clusters = new HashMap<>();
    private final Map<String, ClusterPicture> pictures = new HashMap<>();
    private final Map<String, Rollout> rollouts = new LinkedHashMap<>();
    private final Map<String, String> rolloutByRequest = new HashMap<>();
    /** Requests refused before a rollout could exist (unknown cluster, bad version, ...), for the REST view. */
    private final Map<String, RolloutView> refused = new LinkedHashMap<>();

    /**
     * @param epochs the fencing epoch the planner holds for a cluster; every command carries it
     */
    public RolloutEngine(ProcedureCatalog procedures, Clock clock, Duration preflightTimeout,
                         Function<String, Long> epochs) {
        this.procedures = procedures;
        this.clock = clock;
        this.preflightTimeout = preflightTimeout;
        this.epochs = epochs;
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

    /** Updates the health picture only (while replaying history), deciding nothing. */
    public boolean recordHealth(HealthEvent event) {
        ClusterPicture picture = picture(event.clusterId());
        if (event instanceof MembershipObserved membership) {
            picture.record(membership);
        } else if (event instanceof NodeActive active) {
            picture.record(active);
        } else if (event instanceof NodeInactive inactive) {
            picture.record(inactive);
        }
        return true;
    }

    public List<Emission> onHealth(HealthEvent event, Cause cause) {
        List<Emission> out = new ArrayList<>();
        recordHealth(event);
        openRollout(event.clusterId()).ifPresent(rollout -> {
            if (rollout.state == RolloutState.REQUESTED) {
                preflight(rollout, cause, out);
            } else {
                detectOutOfOrder(rollout, cause, out);
                progress(rollout, cause, out);
            }
        });
        return out;
    }

    public List<Emission> onUpgradeRequested(UpgradeRequested request, Cause cause) {
        List<Emission> out = new ArrayList<>();
        String rolloutId = rolloutIdFor(request);
        String requestKey = request.clusterId() + "/" + request.requestId();
        if (rolloutByRequest.containsKey(requestKey)) {
            return out; // a redelivered request: it was decided already
        }
        rolloutByRequest.put(requestKey, rolloutId);
        ClusterRegistered cluster = clusters.get(request.clusterId());
        if (cluster == null) {
            return reject(rolloutId, request, Rejection.UNKNOWN_CLUSTER, cause, request.clusterId());
        }
        Optional<Procedure> procedure = procedures.get(cluster.procedure());
        if (procedure.isEmpty()) {
            return reject(rolloutId, request, Rejection.UNKNOWN_PROCEDURE, cause, cluster.clusterId(), cluster.procedure());
        }
        Optional<Rollout> open = openRollout(cluster.clusterId());
        if (open.isPresent()) {
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
        rollouts.put(rolloutId, rollout);
        preflight(rollout, cause, out);
        return out;
    }

    public List<Emission> onStepResult(StepResult result, Cause cause) {
        List<Emission> out = new ArrayList<>();
        Rollout rollout = rollouts.get(result.rolloutId());
        if (rollout == null || !rollout.isDriving()) {
            return out; // after HALTED or ABORTED nothing more is sent (invariant 5)
        }
        Optional<NodeProgress> found = rollout.nodeByCommand(result.commandId());
        if (found.isEmpty() || !(result instanceof StepSucceeded || result instanceof StepFailed)) {
            return out; // a duplicate, a result for a step we no longer wait for, or StepStarted/StepOutput
        }
        NodeProgress node = found.get();
        NodeProgress.Pending pending = node.pending;
        node.currentCommandId = null;
        if (result instanceof StepFailed failed) {
            onStepFailed(rollout, node, pending, failed, cause, out);
        } else {
            switch (pending) {
                case STEP -> {
                    StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
                    if (rollout.procedure.artifact() != null && step.name().equals(rollout.procedure.artifact().step())) {
                        rollout.artifactsReady.add(artifactKey(rollout, node));
                    }
                    advance(rollout, node, cause, out);
                }
                case REBOOT -> {
                    node.rebooted = true;
                    awaitActive(node);
                }
                case REMEDY_REBOOT -> awaitActive(node);
                case DEFERRED_STOP -> node.deferredStopped = true;
                case DEFERRED_START -> awaitActive(node);
            }
        }
        progress(rollout, cause, out);
        return out;
    }

    public List<Emission> onControl(RolloutControl control, Cause cause) {
        List<Emission> out = new ArrayList<>();
        Rollout rollout = rollouts.get(control.rolloutId());
        if (rollout == null || control.action() == null) {
            return out;
        }
        String actor = control.requestedBy() == null ? "unknown" : control.requestedBy();
        Cause by = new Cause(cause.eventId(), actor);
        switch (control.action()) {
            case PAUSE -> {
                if (rollout.state == RolloutState.RUNNING) {
                    rollout.state = RolloutState.PAUSED;
                    rollout.waitingFor = "operator: paused by " + actor;
                    emit(out, new RolloutPaused(rollout.id, rollout.clusterId(), null, "OPERATOR", "paused by " + actor), by);
                }
            }
            case RESUME -> {
                if (rollout.state == RolloutState.PAUSED || rollout.state == RolloutState.HALTED) {
                    rollout.state = RolloutState.RUNNING;
                    rollout.doneSinceResume = 0;
                    rollout.waitingFor = null;
                    rollout.blockedBy = null;
                    emit(out, new RolloutResumed(rollout.id, rollout.clusterId(), null, "OPERATOR", "resumed by " + actor), by);
                    progress(rollout, by, out);
                }
            }
            case ABORT -> {
                if (rollout.state.isOpen()) {
                    rollout.state = RolloutState.ABORTED;
                    rollout.waitingFor = null;
                    emit(out, new RolloutAborted(rollout.id, rollout.clusterId(), null, "OPERATOR", "aborted by " + actor), by);
                }
            }
            case RELEASE -> rollout.node(control.nodeName() == null ? "" : control.nodeName()).ifPresent(node -> {
                if (node.state == NodeState.FAILED && !node.released) {
                    // invariant 1: only an operator (or health seeing the node active) frees a failed node's budget
                    node.released = true;
                    node.note = (node.note == null ? "" : node.note + "; ") + "released by " + actor;
                    progress(rollout, by, out);
                }
            });
        }
        return out;
    }

    /** Time passes: preflight deadlines, delays between nodes, retries, step and health timeouts, deadlines. */
    public List<Emission> onTick() {
        List<Emission> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Rollout rollout : List.copyOf(rollouts.values())) {
            if (rollout.state == RolloutState.REQUESTED) {
                preflight(rollout, Cause.TIMER, out);
            } else if (rollout.isDriving()) {
                for (NodeProgress node : rollout.nodes) {
                    if (!rollout.isDriving()) {
                        break;
                    }
                    checkTimeouts(rollout, node, now, out);
                }
                checkMixedVersionDeadline(rollout, now, out);
                progress(rollout, Cause.TIMER, out);
            }
        }
        return out;
    }

    // ---- queries -----------------------------------------------------------------------------

    public Optional<RolloutView> rollout(String rolloutId) {
        return Optional.ofNullable(rollouts.get(rolloutId)).map(Rollout::view)
                .or(() -> Optional.ofNullable(refused.get(rolloutId)));
    }

    /** Rollouts, optionally of one cluster and/or for one request id. */
    public List<RolloutView> rollouts(String clusterId, String requestId) {
        return java.util.stream.Stream.concat(rollouts.values().stream().map(Rollout::view), refused.values().stream())
                .filter(r -> clusterId == null || clusterId.equals(r.clusterId()))
                .filter(r -> requestId == null || requestId.equals(r.requestId()))
                .sorted(java.util.Comparator.comparing(RolloutView::requestedAt))
                .toList();
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

    /** How many finished rollouts per cluster a snapshot keeps (the audit store keeps them all). */
    static final int CLOSED_KEPT = 10;

    /** This engine's state for one cluster, as a value to persist. */
    public ClusterSnapshot snapshot(String clusterId) {
        List<Rollout> mine = rollouts.values().stream().filter(r -> r.clusterId().equals(clusterId)).toList();
        List<Rollout> closed = mine.stream().filter(r -> !r.state.isOpen() && r.state != RolloutState.REQUESTED).toList();
        List<ClusterSnapshot.RolloutSnapshot> kept = mine.stream()
                .filter(r -> r.state.isOpen() || closed.indexOf(r) >= closed.size() - CLOSED_KEPT)
                .map(Rollout::snapshot).toList();
        List<RolloutView> refusedViews = refused.values().stream().filter(v -> clusterId.equals(v.clusterId())).toList();
        Map<String, String> requests = new HashMap<>();
        rolloutByRequest.forEach((key, id) -> {
            if (key.startsWith(clusterId + "/")) {
                requests.put(key, id);
            }
        });
        return new ClusterSnapshot(clusterId, epochs.apply(clusterId), kept,
                refusedViews.subList(Math.max(0, refusedViews.size() - CLOSED_KEPT), refusedViews.size()), requests);
    }

    /** Takes over a cluster's state (after a restart or a rebalance); replaces whatever was held for it. */
    public void restore(ClusterSnapshot snapshot) {
        forget(snapshot.clusterId());
        for (ClusterSnapshot.RolloutSnapshot r : snapshot.rollouts()) {
            Procedure procedure = procedures.get(r.procedure()).orElseThrow(() -> new IllegalStateException(
                    "rollout " + r.id() + " uses procedure " + r.procedure() + ", which this planner does not know"));
            rollouts.put(r.id(), Rollout.restore(r, procedure));
        }
        snapshot.refused().forEach(v -> refused.put(v.rolloutId(), v));
        rolloutByRequest.putAll(snapshot.requests());
    }

    /** Lets go of a cluster (another planner instance owns it now): nothing more is decided for it here. */
    public void forget(String clusterId) {
        rollouts.values().removeIf(r -> r.clusterId().equals(clusterId));
        refused.values().removeIf(v -> clusterId.equals(v.clusterId()));
        rolloutByRequest.keySet().removeIf(key -> key.startsWith(clusterId + "/"));
    }

    /** The clusters this engine holds rollouts for. */
    public java.util.Set<String> clustersWithRollouts() {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        rollouts.values().forEach(r -> ids.add(r.clusterId()));
        return ids;
    }

    // ---- 1. validation and preflight ---------------------------------------------------------

    private void preflight(Rollout rollout, Cause cause, List<Emission> out) {
        ClusterPicture picture = picture(rollout.clusterId());
        String target = rollout.target();
        boolean offline = false;
        boolean anyBelowTarget = false;
        for (ClusterRegistered.Node node : rollout.cluster.nodes()) {
            if (rollout.request.exclude().contains(node.name())) {
                continue;
            }
            if (!picture.isActiveNow(node.name())) {
                String why = picture.isActive(node.name()).isEmpty() ? "health has not reported it yet"
                        : "inactive: " + picture.inactiveReason(node.name());
                if (clock.instant().isBefore(rollout.preflightDeadline)) {
                    rollout.waitingFor = "preflight: node " + node.name() + " to be active (" + why + ")";
                    return;
                }
                rejectOpen(rollout, Rejection.PREFLIGHT_NODE_NOT_ACTIVE, cause, out, node.name(), why);
                return;
            }
            String running = picture.version(node.name()).orElse(null);
            if (running == null || !Versions.isValid(running)) {
                anyBelowTarget = true;
                continue;
            }
            int cmp = Versions.compare(running, target);
            if (cmp > 0 && !rollout.request.force()) {
                rejectOpen(rollout, Rejection.NOT_NEWER, cause, out, node.name(), running, target);
                return;
            }
            anyBelowTarget |= cmp < 0;
            if (cmp < 0 && !rollout.procedure.allowsRolling(running, target)) {
                if (!rollout.request.allowOffline()) {
                    rejectOpen(rollout, Rejection.ROLLING_NOT_SUPPORTED, cause, out, running, target, node.name());
                    return;
                }
                offline = true;
            }
        }
        if (!anyBelowTarget && !rollout.request.force()) {
            rejectOpen(rollout, Rejection.ALREADY_ON_TARGET, cause, out, rollout.clusterId(), target);
            return;
        }
        rollout.offline = offline;
        accept(rollout, cause, out);
    }

    // ---- 2. plan -----------------------------------------------------------------------------

    private void accept(Rollout rollout, Cause cause, List<Emission> out) {
        Cause by = new Cause(cause.eventId(), rollout.actor);
        UpgradeRequested request = rollout.request;
        emit(out, new RolloutAccepted(rollout.id, rollout.clusterId(), request.requestId(), request.targetVersion(),
                rollout.actor), by);
        ClusterPicture picture = picture(rollout.clusterId());
        for (NodeOrdering.Ordered ordered : NodeOrdering.order(rollout.cluster, rollout.procedure,
                picture.membership())) {
            String name = ordered.node().name();
            String from = picture.version(name).orElse(null);
            NodeState state = NodeState.PENDING;
            String note = null;
            if (request.exclude().contains(name)) {
                state = NodeState.SKIPPED;
                note = "excluded";
            } else if (request.targetVersion().equals(from) && !request.force()) {
                state = NodeState.SKIPPED;
                note = "already-on-target";
            }
            rollout.nodes.add(new NodeProgress(ordered.node(), ordered.orderingAddress(), from, state, note));
        }
        long planned = rollout.nodes.stream().filter(n -> n.state == NodeState.PENDING).count();
        rollout.maxUnavailable = budget(request, (int) planned, rollout.offline);
        List<Emission> outOfOrder = new ArrayList<>();
        detectOutOfOrder(rollout, cause, outOfOrder);
        List<String> stepNames = rollout.procedure.steps().stream().map(StepDefinition::name).toList();
        List<RolloutPlanned.PlannedNode> plannedNodes = new ArrayList<>();
        for (NodeProgress node : rollout.nodes) {
            String action = switch (node.state) {
                case PENDING -> rollout.offline ? "offline-update" : "upgrade";
                case DEFERRED -> "deferred-out-of-order";
                default -> node.note;
            };
            List<String> steps = node.state == NodeState.PENDING ? stepNames
                    : node.state == NodeState.DEFERRED ? List.of("out-of-order-stop", "out-of-order-start") : List.of();
            plannedNodes.add(new RolloutPlanned.PlannedNode(node.name(), node.orderingAddress, node.fromVersion, action, steps));
        }
        emit(out, new RolloutPlanned(rollout.id, rollout.clusterId(), request.targetVersion(),
                rollout.procedure.ordering().yamlName(), rollout.maxUnavailable, request.dryRun(), plannedNodes), by);
        out.addAll(outOfOrder);
        if (request.dryRun()) {
            rollout.state = RolloutState.PLANNED;
            rollout.waitingFor = null;
            return;
        }
        rollout.state = RolloutState.RUNNING;
        rollout.waitingFor = null;
        progress(rollout, cause, out);
    }

    private static int budget(UpgradeRequested request, int planned, boolean offline) {
        if (offline) {
            return Math.max(1, planned); // a complete update takes every planned node down together
        }
        if (request.maxUnavailable() != null) {
            return request.maxUnavailable();
        }
        if (request.maxUnavailablePercent() != null) {
            return Math.max(1, planned * request.maxUnavailablePercent() / 100);
        }
        return 1;
    }

    /**
     * Matrix: a node on the target below an old-version node in the order was upgraded out of order. The remedy:
     * stop it now, upgrade the others in order, start it last. The stopped node does not count against the budget:
     * it was already keeping the old servers out of the matrix, and stopping it is what lets them back in.
     */
    private void detectOutOfOrder(Rollout rollout, Cause cause, List<Emission> out) {
        ProcedureRules.OutOfOrderRemedy remedy = rollout.procedure.outOfOrder();
        if (remedy == null || rollout.offline) {
            return;
        }
        ClusterPicture picture = picture(rollout.clusterId());
        String oldAbove = null;
        for (NodeProgress node : rollout.nodes) {
            if (rollout.request.exclude().contains(node.name())) {
                continue;
            }
            String version = picture.version(node.name()).orElse(null);
            boolean onTarget = rollout.target().equals(version);
            boolean untouched = node.state == NodeState.PENDING
                    || (node.state == NodeState.SKIPPED && "already-on-target".equals(node.note));
            if (onTarget && untouched && oldAbove != null) {
                node.state = NodeState.DEFERRED;
                node.note = "out of order: runs " + version + " below " + oldAbove + " (old version); stopped until the"
                        + " others are done";
                emit(out, new OutOfOrderDetected(rollout.id, rollout.clusterId(), node.name(), "OUT_OF_ORDER",
                        node.name() + " runs " + version + " although " + oldAbove + ", higher in the order, runs an older"
                                + " version: stopping it, upgrading the others, starting it last"),
                        new Cause(cause.eventId(), rollout.actor));
            } else if (!onTarget && node.state != NodeState.DONE) {
                oldAbove = oldAbove == null ? node.name() : oldAbove;
            }
        }
    }

    // ---- 3-5. run ----------------------------------------------------------------------------

    /** Moves a running rollout forward as far as the budget and the gates allow. */
    private void progress(Rollout rollout, Cause cause, List<Emission> out) {
        if (!rollout.isDriving()) {
            return;
        }
        Cause by = new Cause(cause.eventId(), rollout.actor);
        ClusterPicture picture = picture(rollout.clusterId());
        for (NodeProgress node : rollout.nodes) {
            if (node.state == NodeState.AWAITING_ACTIVE && picture.isActiveNow(node.name())
                    && rollout.target().equals(picture.version(node.name()).orElse(null))) {
                nodeDone(rollout, node, picture, by, out);
            }
        }
        if (rollout.state != RolloutState.RUNNING) {
            rollout.waitingFor = rollout.state == RolloutState.PAUSED ? rollout.waitingFor : null;
            return;
        }
        for (NodeProgress node : rollout.nodes) {
            if (node.state == NodeState.DEFERRED && !node.deferredStopped && node.currentCommandId == null) {
                send(rollout, node, NodeProgress.Pending.DEFERRED_STOP, "out-of-order-stop", NodeCommand.Kind.RUN,
                        rollout.procedure.outOfOrder().stop(), Duration.ofMinutes(5), true, null, cause, out);
            }
            if (node.state == NodeState.UPGRADING && node.currentCommandId == null
                    && (node.waitingForArtifact || (node.retryAt != null && !clock.instant().isBefore(node.retryAt)))) {
                sendStep(rollout, node, cause, out);
            }
        }
        boolean othersDone = rollout.nodes.stream().allMatch(n -> n.state == NodeState.DONE
                || n.state == NodeState.SKIPPED || n.state == NodeState.DEFERRED);
        if (othersDone) {
            for (NodeProgress node : rollout.nodes) {
                if (node.state == NodeState.DEFERRED && node.deferredStopped && node.currentCommandId == null) {
                    node.state = NodeState.UPGRADING;
                    node.startedAt = clock.instant();
                    send(rollout, node, NodeProgress.Pending.DEFERRED_START, "out-of-order-start", NodeCommand.Kind.RUN,
                            rollout.procedure.outOfOrder().start(), Duration.ofMinutes(5), false, null, cause, out);
                }
            }
        }
        if (rollout.nodes.stream().allMatch(n -> n.state == NodeState.DONE || n.state == NodeState.SKIPPED)) {
            complete(rollout, by, out);
            return;
        }
        startNodes(rollout, picture, by, cause, out);
    }

    private void startNodes(Rollout rollout, ClusterPicture picture, Cause by, Cause cause, List<Emission> out) {
        while (true) {
            Optional<NodeProgress> next = rollout.nodes.stream().filter(n -> n.state == NodeState.PENDING).findFirst();
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
                        .allMatch(name -> rollout.node(name).map(n -> n.state == NodeState.UPGRADING
                                || n.state == NodeState.AWAITING_ACTIVE).orElse(false));
                if (!rhythm && !guard.code().equals(rollout.blockedBy)) {
                    rollout.blockedBy = guard.code();
                    emit(out, new GuardBlocked(rollout.id, rollout.clusterId(), guard.nodeName(), guard.code(),
                            guard.message()), by);
                }
                rollout.waitingFor = describeWait(rollout, guard);
                return;
            }
            rollout.blockedBy = null;
            node.state = NodeState.UPGRADING;
            node.startedAt = clock.instant();
            emit(out, new NodeUpgradeStarted(rollout.id, rollout.clusterId(), node.name(), node.fromVersion,
                    rollout.target()), by);
            advance(rollout, node, cause, out);
        }
        rollout.waitingFor = describeWait(rollout, null);
    }

    private void nodeDone(Rollout rollout, NodeProgress node, ClusterPicture picture, Cause by, List<Emission> out) {
        node.state = NodeState.DONE;
        node.finishedAt = clock.instant();
        rollout.doneSinceResume++;
        emit(out, new NodeUpgraded(rollout.id, rollout.clusterId(), node.name(), rollout.target()), by);
        if (rollout.mixedSince == null) {
            TreeSet<String> versions = new TreeSet<>();
            rollout.nodes.forEach(n -> picture.version(n.name()).ifPresent(versions::add));
            if (versions.size() > 1) {
                rollout.mixedSince = clock.instant();
                emit(out, new MixedVersionWindowOpened(rollout.id, rollout.clusterId(), rollout.mixedSince,
                        List.copyOf(versions)), by);
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
            emit(out, new MixedVersionWindowClosed(rollout.id, rollout.clusterId(), clock.instant(),
                    List.of(rollout.target())), by);
        }
        emit(out, new RolloutCompleted(rollout.id, rollout.clusterId(), null, "COMPLETED",
                "every node runs " + rollout.target() + " or was skipped"), by);
    }

    private void pauseIfCheckpoint(Rollout rollout, Cause by, List<Emission> out) {
        if (rollout.state != RolloutState.RUNNING) {
            return;
        }
        long done = rollout.nodes.stream().filter(n -> n.state == NodeState.DONE).count();
        boolean remaining = rollout.nodes.stream().anyMatch(n -> n.state == NodeState.PENDING);
        Integer canary = rollout.request.canary();
        Integer stopAfter = rollout.request.stopAfter();
        if (remaining && canary != null && canary > 0 && done == canary) {
            pause(rollout, "CANARY", "canary of " + canary + " node(s) done: resume to continue", by, out);
        } else if (remaining && stopAfter != null && stopAfter > 0 && rollout.doneSinceResume == stopAfter) {
            pause(rollout, "STOP_AFTER", stopAfter + " node(s) done since start or resume: resume to continue", by, out);
        }
    }

    private void pause(Rollout rollout, String code, String message, Cause by, List<Emission> out) {
        rollout.state = RolloutState.PAUSED;
        rollout.waitingFor = "operator: " + message;
        emit(out, new RolloutPaused(rollout.id, rollout.clusterId(), null, code, message), by);
    }

    /** The node's next command: its next step, the reboot a require-reboot failure asked for, or the health gate. */
    private void advance(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        node.stepIndex++;
        node.attempt = 1;
        node.retryAt = null;
        if (node.stepIndex < rollout.procedure.steps().size()) {
            sendStep(rollout, node, cause, out);
        } else if (node.rebootRequired && !node.rebooted) {
            send(rollout, node, NodeProgress.Pending.REBOOT, "reboot", NodeCommand.Kind.REBOOT, "reboot",
                    rollout.procedure.remedy().rebootTimeout(), true, null, cause, out);
        } else {
            awaitActive(node);
        }
    }

    private void awaitActive(NodeProgress node) {
        node.state = NodeState.AWAITING_ACTIVE;
        node.awaitingSince = clock.instant();
        node.currentCommandId = null;
    }

    private void sendStep(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
        node.retryAt = null;
        ProcedureRules.Artifact artifact = rollout.procedure.artifact();
        if (artifact != null && step.name().equals(artifact.step())) {
            String key = artifactKey(rollout, node);
            String builder = rollout.artifactBuilders.computeIfAbsent(key, k -> node.name());
            NodeCommand.Artifact ref = new NodeCommand.Artifact(key, artifact.path());
            if (!builder.equals(node.name())) {
                if (!rollout.artifactsReady.contains(key)) {
                    node.waitingForArtifact = true; // sent by progress() once the builder's build succeeded
                    node.note = "waiting for the " + key + " artifact built on " + builder;
                    return;
                }
                node.waitingForArtifact = false;
                node.note = "artifact " + key + " built on " + builder;
                send(rollout, node, NodeProgress.Pending.STEP, step.name(), NodeCommand.Kind.PUSH_ARTIFACT, null,
                        step.timeout(), false, ref, cause, out);
                return;
            }
            send(rollout, node, NodeProgress.Pending.STEP, step.name(), NodeCommand.Kind.BUILD_ARTIFACT,
                    step.render(values(rollout, node)), step.timeout(), step.disruptive(), ref, cause, out);
            return;
        }
        send(rollout, node, NodeProgress.Pending.STEP, step.name(),
                "reboot".equals(step.kind()) ? NodeCommand.Kind.REBOOT : NodeCommand.Kind.RUN,
                step.render(values(rollout, node)), step.timeout(), step.disruptive(), null, cause, out);
    }

    private void send(Rollout rollout, NodeProgress node, NodeProgress.Pending pending, String stepName,
                      NodeCommand.Kind kind, String command, Duration timeout, boolean disruptive,
                      NodeCommand.Artifact artifact, Cause cause, List<Emission> out) {
        // deterministic: a command re-sent after a planner restart has the id the executor already knows
        String commandId = rollout.id + ":" + node.name() + ":" + stepName + ":" + node.attempt;
        node.currentCommandId = commandId;
        node.pending = pending;
        node.currentStep = stepName;
        node.stepSentAt = clock.instant();
        node.stepTimeout = timeout;
        NodeCommand nodeCommand = new NodeCommand(commandId, rollout.id, rollout.clusterId(), node.name(), stepName, kind,
                command, node.node.sshTarget(), timeout, disruptive, node.attempt, epochs.apply(rollout.clusterId()),
                rollout.cluster.executorPool(), artifact, null, null);
        emit(out, nodeCommand, new Cause(cause.eventId(), rollout.actor));
    }

    private static Map<String, String> values(Rollout rollout, NodeProgress node) {
        Map<String, String> values = new HashMap<>();
        values.put("targetVersion", rollout.target());
        values.put("fromVersion", node.fromVersion == null ? "" : node.fromVersion);
        values.put("nodeName", node.name());
        values.put("clusterAddress", node.orderingAddress == null ? "" : node.orderingAddress);
        values.put("clusterId", rollout.clusterId());
        return values;
    }

    private static String artifactKey(Rollout rollout, NodeProgress node) {
        return node.node.arch() + "/" + node.node.os() + "/" + rollout.target();
    }

    // ---- 6. failures, remedies, deadlines ----------------------------------------------------

    private void onStepFailed(Rollout rollout, NodeProgress node, NodeProgress.Pending pending, StepFailed failed,
                              Cause cause, List<Emission> out) {
        String code = failed.errorCode() == null ? "STEP_FAILED" : failed.errorCode();
        String message = "step " + failed.step() + " failed on " + node.name() + " (" + code + "): " + failed.message();
        if (pending != NodeProgress.Pending.STEP || !EXIT_STATUS.equals(code)) {
            // not the command's own verdict (host key, unreachable, time-out, lost connection): nobody can say what
            // state the node is in, so a human looks first
            fail(rollout, node, code, message, cause, out);
            return;
        }
        StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
        String output = (failed.output() == null ? "" : failed.output()) + "\n" + (failed.message() == null ? "" : failed.message());
        FailureMeaning meaning = step.meaningOf(output);
        switch (meaning) {
            case HALT -> fail(rollout, node, code, message, cause, out);
            case RETRY -> {
                if (node.attempt > step.retries()) {
                    fail(rollout, node, "RETRIES_EXHAUSTED", message + " (after " + node.attempt + " attempts)", cause, out);
                } else {
                    Duration backoff = RETRY_BACKOFF.multipliedBy(1L << (node.attempt - 1));
                    node.attempt++;
                    node.retryAt = clock.instant().plus(backoff);
                    node.note = "retrying " + step.name() + " (attempt " + node.attempt + ") at " + node.retryAt;
                }
            }
            case REQUIRE_REBOOT -> {
                node.rebootRequired = true;
                node.note = step.name() + " failed: a reboot is required to load the update (" + failed.message() + ")";
                advance(rollout, node, cause, out);
            }
        }
    }

    private void checkTimeouts(Rollout rollout, NodeProgress node, Instant now, List<Emission> out) {
        if (node.currentCommandId != null && node.stepSentAt != null) {
            if (now.isAfter(node.stepSentAt.plus(node.stepTimeout).plus(RESULT_GRACE))) {
                fail(rollout, node, "STEP_RESULT_MISSING", "no result for step " + node.currentStep + " on " + node.name()
                        + " within " + node.stepTimeout.plus(RESULT_GRACE), Cause.TIMER, out);
            }
        } else if (node.state == NodeState.AWAITING_ACTIVE) {
            Duration timeout = rollout.procedure.health().timeout();
            if (now.isAfter(node.awaitingSince.plus(timeout))) {
                if (rollout.procedure.remedy().rebootOnce() && !node.remedied) {
                    node.remedied = true;
                    node.state = NodeState.REMEDIATING;
                    node.note = "not active on " + rollout.target() + " within " + timeout + ": remedy, reboot once";
                    send(rollout, node, NodeProgress.Pending.REMEDY_REBOOT, "remedy-reboot", NodeCommand.Kind.REBOOT,
                            "reboot", rollout.procedure.remedy().rebootTimeout(), true, null, Cause.TIMER, out);
                } else {
                    fail(rollout, node, "HEALTH_TIMEOUT", node.name() + " did not become active on " + rollout.target()
                            + " within " + timeout + (node.remedied ? " after the remedy reboot" : ""), Cause.TIMER, out);
                }
            }
        }
    }

    private void checkMixedVersionDeadline(Rollout rollout, Instant now, List<Emission> out) {
        ProcedureRules.MixedVersionDeadline deadline = rollout.procedure.mixedVersion();
        if (deadline == null || rollout.mixedSince == null || !rollout.isDriving()) {
            return;
        }
        Duration mixed = Duration.between(rollout.mixedSince, now);
        Cause by = new Cause(null, rollout.actor);
        if (mixed.compareTo(deadline.haltAfter()) > 0) {
            rollout.state = RolloutState.HALTED;
            rollout.waitingFor = "operator: rollout halted (" + GuardBlock.MIXED_VERSION_DEADLINE + ")";
            emit(out, new RolloutHalted(rollout.id, rollout.clusterId(), null, GuardBlock.MIXED_VERSION_DEADLINE,
                    "the cluster has run mixed versions for " + mixed + ", past the procedure's limit of "
                            + deadline.haltAfter()), by);
        } else if (mixed.compareTo(deadline.alertAfter()) > 0 && !rollout.mixedAlerted) {
            rollout.mixedAlerted = true;
            emit(out, new GuardBlocked(rollout.id, rollout.clusterId(), null, GuardBlock.MIXED_VERSION_DEADLINE,
                    "the cluster has run mixed versions for " + mixed + " (alert after " + deadline.alertAfter()
                            + "; the rollout halts after " + deadline.haltAfter() + ")"), by);
        }
    }

    /** The node keeps its unavailability budget: no timer ever frees it (invariant 1). */
    private void fail(Rollout rollout, NodeProgress node, String code, String message, Cause cause, List<Emission> out) {
        node.state = NodeState.FAILED;
        node.note = code + ": " + message;
        node.currentCommandId = null;
        node.failedAt = clock.instant();
        node.finishedAt = clock.instant();
        rollout.state = RolloutState.HALTED;
        rollout.waitingFor = "operator: rollout halted (" + code + ")";
        emit(out, new RolloutHalted(rollout.id, rollout.clusterId(), node.name(), code, message),
                new Cause(cause.eventId(), rollout.actor));
    }

    private static String describeWait(Rollout rollout, GuardBlock guard) {
        for (NodeProgress node : rollout.nodes) {
            if (node.currentCommandId != null) {
                return "step " + node.currentStep + " on " + node.name();
            }
            if (node.state == NodeState.AWAITING_ACTIVE) {
                return "health: " + node.name() + " active on " + rollout.target();
            }
            if (node.waitingForArtifact || node.retryAt != null) {
                return node.name() + ": " + node.note;
            }
        }
        return guard == null ? null : "guard " + guard.code() + ": " + guard.message();
    }

    private List<Emission> reject(String rolloutId, UpgradeRequested request, Rejection rejection, Cause cause,
                                  Object... args) {
        refused.put(rolloutId, new RolloutView(rolloutId, request.requestId(), request.clusterId(),
                request.targetVersion(), RolloutState.REJECTED, request.dryRun(), 0, false, null, null,
                request.requestedBy(), clock.instant(), new RolloutView.Rejected(rejection.name(), rejection.message(args)),
                List.of()));
        return List.of(new Emission(new RolloutRejected(rolloutId, request.clusterId(), request.requestId(),
                rejection.name(), rejection.message(args)), request.requestedBy(), cause.eventId()));
    }

    private void rejectOpen(Rollout rollout, Rejection rejection, Cause cause, List<Emission> out, Object... args) {
        rollout.state = RolloutState.REJECTED;
        rollout.waitingFor = null;
        rollout.rejection = new RolloutView.Rejected(rejection.name(), rejection.message(args));
        emit(out, new RolloutRejected(rollout.id, rollout.clusterId(), rollout.request.requestId(), rejection.name(),
                rollout.rejection.message()), new Cause(cause.eventId(), rollout.actor));
    }

    private Optional<Rollout> openRollout(String clusterId) {
        return rollouts.values().stream().filter(r -> r.clusterId().equals(clusterId) && r.state.isOpen()).findFirst();
    }

    private ClusterPicture picture(String clusterId) {
        return pictures.computeIfAbsent(clusterId, c -> new ClusterPicture());
    }

    private static void emit(List<Emission> out, BatonEvent event, Cause cause) {
        out.add(new Emission(event, cause.actor(), cause.eventId()));
    }
}
