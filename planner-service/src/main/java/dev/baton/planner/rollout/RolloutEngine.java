package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
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
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
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
import java.util.function.Supplier;

/**
 * The rollout state machine: turns observations (registrations, requests, step results, health
 * edges, timer ticks) into decisions ({@link Emission}s to publish). Pure Java: no Kafka, CDI or SSH;
 * the clock and id source are injected. Not thread-safe: the caller serialises calls.
 *
 * <pre>
 * 1. On UpgradeRequested: reject (RolloutRejected, code + sentence) if the cluster or its procedure is
 *    unknown, a rollout is already open on the cluster, the target does not parse, or the request is
 *    malformed. Otherwise hold the cluster in REQUESTED until every node not excluded is active
 *    (preflight, bounded by the preflight timeout), then reject if a node runs a newer version than the
 *    target (unless force) or the procedure's compatibility table forbids rolling from a node's version.
 * 2. Accept and plan: order the nodes by the procedure's ordering policy (Matrix: membership address,
 *    highest first, numeric); nodes already on target (unless force) and excluded ones are SKIPPED;
 *    publish RolloutAccepted and RolloutPlanned. A dry run stops here.
 * 3. Run: while fewer than maxUnavailable nodes are out of service and no pause/halt/delay holds,
 *    start the next PENDING node in plan order: NodeUpgradeStarted, then its first step's NodeCommand.
 * 4. On StepSucceeded for a node's current command, send its next step; after the last step the node
 *    is AWAITING_ACTIVE.
 * 5. A node AWAITING_ACTIVE is DONE once health reports it active on the target version (NodeActive,
 *    which the health service only publishes after its stability window): NodeUpgraded, the budget
 *    returns, go to 3. When no node is left, RolloutCompleted.
 * 6. StepFailed, no result within the step timeout, or no NodeActive on target within the procedure's
 *    health timeout: the node is FAILED and keeps its budget; the rollout HALTS and sends nothing more
 *    for the cluster until an operator resumes it.
 * </pre>
 */
public final class RolloutEngine {
    /** Slack on top of a step's own timeout before the planner gives up waiting for its result. */
    static final Duration RESULT_GRACE = Duration.ofMinutes(1);
    private static final long EPOCH = 1;

    private final ProcedureCatalog procedures;
    private final Clock clock;
    private final Duration preflightTimeout;
    private final Supplier<String> ids;

    private final Map<String, ClusterRegistered> clusters = new HashMap<>();
    private final Map<String, MembershipObserved> memberships = new HashMap<>();
    /** clusterId → nodeName → last health edge. */
    private final Map<String, Map<String, HealthEvent>> health = new HashMap<>();
    private final Map<String, Rollout> rollouts = new LinkedHashMap<>();

    public RolloutEngine(ProcedureCatalog procedures, Clock clock, Duration preflightTimeout, Supplier<String> ids) {
        this.procedures = procedures;
        this.clock = clock;
        this.preflightTimeout = preflightTimeout;
        this.ids = ids;
    }

    // ---- observations ------------------------------------------------------------------------

    public List<Emission> onClusterRegistered(ClusterRegistered cluster) {
        clusters.put(cluster.clusterId(), cluster);
        return List.of();
    }

    public List<Emission> onHealth(HealthEvent event, Cause cause) {
        List<Emission> out = new ArrayList<>();
        if (event instanceof MembershipObserved membership) {
            memberships.put(membership.clusterId(), membership);
        } else {
            health.computeIfAbsent(event.clusterId(), c -> new HashMap<>()).put(event.nodeName(), event);
            if (event instanceof NodeActive) {
                openRollout(event.clusterId()).ifPresent(r -> progress(r, cause, out));
            }
        }
        return out;
    }

    public List<Emission> onUpgradeRequested(UpgradeRequested request, Cause cause) {
        List<Emission> out = new ArrayList<>();
        String rolloutId = ids.get();
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
        if (!Versions.isValid(request.targetVersion())) {
            return reject(rolloutId, request, Rejection.BAD_VERSION, cause, request.targetVersion());
        }
        if (request.maxUnavailable() != null && request.maxUnavailable() < 1) {
            return reject(rolloutId, request, Rejection.BAD_REQUEST, cause, "maxUnavailable must be at least 1");
        }
        for (String excluded : request.exclude()) {
            if (cluster.node(excluded) == null) {
                return reject(rolloutId, request, Rejection.BAD_REQUEST, cause,
                        "exclude names node '" + excluded + "', which cluster " + cluster.clusterId() + " does not have");
            }
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
        if (rollout == null) {
            return out;
        }
        Optional<NodeProgress> found = rollout.nodeByCommand(result.commandId());
        if (found.isEmpty() || found.get().state != NodeState.UPGRADING) {
            return out; // a duplicate or a result for a step we no longer wait for
        }
        NodeProgress node = found.get();
        if (result instanceof StepSucceeded) {
            node.currentCommandId = null;
            if (rollout.state == RolloutState.RUNNING || rollout.state == RolloutState.PAUSED) {
                sendNextStep(rollout, node, cause, out);
                progress(rollout, cause, out);
            }
        } else if (result instanceof StepFailed failed) {
            fail(rollout, node, failed.errorCode() == null ? "STEP_FAILED" : failed.errorCode(),
                    "step " + failed.step() + " failed on " + node.name() + ": " + failed.message(), cause, out);
        }
        // StepStarted and StepOutput are informational
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
            case RELEASE -> {
                // releasing a failed node's budget by hand comes with the full planner (see README)
            }
        }
        return out;
    }

    /** Time passes: preflight deadlines, delays between nodes, step and health timeouts. */
    public List<Emission> onTick() {
        List<Emission> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Rollout rollout : List.copyOf(rollouts.values())) {
            switch (rollout.state) {
                case REQUESTED -> preflight(rollout, Cause.TIMER, out);
                case RUNNING, PAUSED -> {
                    for (NodeProgress node : rollout.nodes) {
                        if (rollout.state == RolloutState.HALTED) {
                            break;
                        }
                        checkTimeouts(rollout, node, now, out);
                    }
                    progress(rollout, Cause.TIMER, out);
                }
                default -> {
                }
            }
        }
        return out;
    }

    // ---- queries -----------------------------------------------------------------------------

    public Optional<RolloutView> rollout(String rolloutId) {
        return Optional.ofNullable(rollouts.get(rolloutId)).map(Rollout::view);
    }

    public List<RolloutView> rollouts(String clusterId) {
        return rollouts.values().stream().filter(r -> clusterId == null || r.clusterId().equals(clusterId))
                .map(Rollout::view).toList();
    }

    // ---- the algorithm -----------------------------------------------------------------------

    private void preflight(Rollout rollout, Cause cause, List<Emission> out) {
        Map<String, HealthEvent> seen = health.getOrDefault(rollout.clusterId(), Map.of());
        for (ClusterRegistered.Node node : rollout.cluster.nodes()) {
            if (rollout.request.exclude().contains(node.name())) {
                continue;
            }
            HealthEvent last = seen.get(node.name());
            if (!(last instanceof NodeActive)) {
                String why = last == null ? "health has not reported it yet" : "inactive: " + ((NodeInactive) last).reason();
                if (clock.instant().isBefore(rollout.preflightDeadline)) {
                    rollout.waitingFor = "preflight: node " + node.name() + " to be active (" + why + ")";
                    return;
                }
                rejectOpen(rollout, Rejection.PREFLIGHT_NODE_NOT_ACTIVE, cause, out, node.name(), why);
                return;
            }
            String running = ((NodeActive) last).runningVersion();
            if (running != null && Versions.isValid(running)) {
                if (Versions.compare(running, rollout.target()) > 0 && !rollout.request.force()) {
                    rejectOpen(rollout, Rejection.NOT_NEWER, cause, out, node.name(), running, rollout.target());
                    return;
                }
                if (Versions.compare(running, rollout.target()) < 0 && !rollout.procedure.allowsRolling(running, rollout.target())) {
                    rejectOpen(rollout, Rejection.ROLLING_NOT_SUPPORTED, cause, out, running, rollout.target(), node.name());
                    return;
                }
            }
        }
        accept(rollout, cause, out);
    }

    private void accept(Rollout rollout, Cause cause, List<Emission> out) {
        Cause by = new Cause(cause.eventId(), rollout.actor);
        UpgradeRequested request = rollout.request;
        emit(out, new RolloutAccepted(rollout.id, rollout.clusterId(), request.requestId(), request.targetVersion(),
                rollout.actor), by);
        Map<String, HealthEvent> seen = health.getOrDefault(rollout.clusterId(), Map.of());
        List<RolloutPlanned.PlannedNode> planned = new ArrayList<>();
        List<String> stepNames = rollout.procedure.steps().stream().map(StepDefinition::name).toList();
        for (NodeOrdering.Ordered ordered : NodeOrdering.order(rollout.cluster, rollout.procedure.ordering(),
                memberships.get(rollout.clusterId()))) {
            String name = ordered.node().name();
            String from = seen.get(name) instanceof NodeActive active ? active.runningVersion() : null;
            NodeState state = NodeState.PENDING;
            String action = "upgrade";
            if (request.exclude().contains(name)) {
                state = NodeState.SKIPPED;
                action = "excluded";
            } else if (from != null && Versions.isValid(from) && Versions.compare(from, request.targetVersion()) == 0
                    && !request.force()) {
                state = NodeState.SKIPPED;
                action = "already-on-target";
            }
            rollout.nodes.add(new NodeProgress(ordered.node(), ordered.orderingAddress(), from, state,
                    state == NodeState.SKIPPED ? action : null));
            planned.add(new RolloutPlanned.PlannedNode(name, ordered.orderingAddress(), from, action,
                    state == NodeState.PENDING ? stepNames : List.of()));
        }
        emit(out, new RolloutPlanned(rollout.id, rollout.clusterId(), request.targetVersion(),
                rollout.procedure.ordering().yamlName(), rollout.maxUnavailable, request.dryRun(), planned), by);
        if (request.dryRun()) {
            rollout.state = RolloutState.PLANNED;
            rollout.waitingFor = null;
            return;
        }
        rollout.state = RolloutState.RUNNING;
        rollout.waitingFor = null;
        progress(rollout, cause, out);
    }

    /** Moves a running rollout forward as far as the budget and the gates allow. */
    private void progress(Rollout rollout, Cause cause, List<Emission> out) {
        if (rollout.state != RolloutState.RUNNING && rollout.state != RolloutState.PAUSED) {
            return;
        }
        Cause by = new Cause(cause.eventId(), rollout.actor);
        Map<String, HealthEvent> seen = health.getOrDefault(rollout.clusterId(), Map.of());
        for (NodeProgress node : rollout.nodes) {
            if (node.state == NodeState.AWAITING_ACTIVE && seen.get(node.name()) instanceof NodeActive active
                    && rollout.target().equals(active.runningVersion())) {
                node.state = NodeState.DONE;
                node.finishedAt = clock.instant();
                rollout.doneSinceResume++;
                emit(out, new NodeUpgraded(rollout.id, rollout.clusterId(), node.name(), active.runningVersion()), by);
                Duration delay = rollout.request.delayBetweenNodes();
                rollout.nextStartNotBefore = delay == null ? null : clock.instant().plus(delay);
                pauseIfCheckpoint(rollout, by, out);
            }
        }
        if (rollout.nodes.stream().allMatch(n -> n.state == NodeState.DONE || n.state == NodeState.SKIPPED)) {
            rollout.state = RolloutState.COMPLETED;
            rollout.waitingFor = null;
            emit(out, new RolloutCompleted(rollout.id, rollout.clusterId(), null, "COMPLETED",
                    "every node runs " + rollout.target() + " or was skipped"), by);
            return;
        }
        if (rollout.state != RolloutState.RUNNING) {
            return;
        }
        while (rollout.outOfService() < rollout.maxUnavailable) {
            Optional<NodeProgress> next = rollout.nodes.stream().filter(n -> n.state == NodeState.PENDING).findFirst();
            if (next.isEmpty()) {
                break;
            }
            if (rollout.nextStartNotBefore != null && clock.instant().isBefore(rollout.nextStartNotBefore)) {
                rollout.waitingFor = "delay between nodes until " + rollout.nextStartNotBefore;
                return;
            }
            NodeProgress node = next.get();
            node.state = NodeState.UPGRADING;
            node.startedAt = clock.instant();
            emit(out, new NodeUpgradeStarted(rollout.id, rollout.clusterId(), node.name(), node.fromVersion,
                    rollout.target()), by);
            sendNextStep(rollout, node, cause, out);
        }
        rollout.waitingFor = describeWait(rollout);
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

    private void sendNextStep(Rollout rollout, NodeProgress node, Cause cause, List<Emission> out) {
        node.stepIndex++;
        List<StepDefinition> steps = rollout.procedure.steps();
        if (node.stepIndex >= steps.size()) {
            node.state = NodeState.AWAITING_ACTIVE;
            node.awaitingSince = clock.instant();
            node.currentCommandId = null;
            return;
        }
        StepDefinition step = steps.get(node.stepIndex);
        String commandId = rollout.id + ":" + node.name() + ":" + step.name() + ":1";
        node.currentCommandId = commandId;
        node.stepSentAt = clock.instant();
        Map<String, String> values = new HashMap<>();
        values.put("targetVersion", rollout.target());
        values.put("fromVersion", node.fromVersion == null ? "" : node.fromVersion);
        values.put("nodeName", node.name());
        values.put("clusterAddress", node.orderingAddress == null ? "" : node.orderingAddress);
        values.put("clusterId", rollout.clusterId());
        NodeCommand command = new NodeCommand(commandId, rollout.id, rollout.clusterId(), node.name(), step.name(),
                "reboot".equals(step.kind()) ? NodeCommand.Kind.REBOOT : NodeCommand.Kind.RUN, step.render(values),
                node.node.sshTarget(), step.timeout(), step.disruptive(), 1, EPOCH);
        emit(out, command, new Cause(cause.eventId(), rollout.actor));
    }

    private void checkTimeouts(Rollout rollout, NodeProgress node, Instant now, List<Emission> out) {
        if (node.state == NodeState.UPGRADING && node.currentCommandId != null) {
            StepDefinition step = rollout.procedure.steps().get(node.stepIndex);
            if (now.isAfter(node.stepSentAt.plus(step.timeout()).plus(RESULT_GRACE))) {
                fail(rollout, node, "STEP_RESULT_MISSING", "no result for step " + step.name() + " on " + node.name()
                        + " within " + step.timeout().plus(RESULT_GRACE), Cause.TIMER, out);
            }
        } else if (node.state == NodeState.AWAITING_ACTIVE) {
            Duration timeout = rollout.procedure.health().timeout();
            if (now.isAfter(node.awaitingSince.plus(timeout))) {
                fail(rollout, node, "HEALTH_TIMEOUT", node.name() + " did not become active on " + rollout.target()
                        + " within " + timeout, Cause.TIMER, out);
            }
        }
    }

    /** The node keeps its unavailability budget: no timer ever frees it (invariant 1). */
    private void fail(Rollout rollout, NodeProgress node, String code, String message, Cause cause, List<Emission> out) {
        node.state = NodeState.FAILED;
        node.note = code + ": " + message;
        node.currentCommandId = null;
        node.finishedAt = clock.instant();
        rollout.state = RolloutState.HALTED;
        rollout.waitingFor = "operator: rollout halted (" + code + ")";
        emit(out, new RolloutHalted(rollout.id, rollout.clusterId(), node.name(), code, message),
                new Cause(cause.eventId(), rollout.actor));
    }

    private static String describeWait(Rollout rollout) {
        for (NodeProgress node : rollout.nodes) {
            if (node.state == NodeState.UPGRADING) {
                return "step " + rollout.procedure.steps().get(node.stepIndex).name() + " on " + node.name();
            }
            if (node.state == NodeState.AWAITING_ACTIVE) {
                return "health: " + node.name() + " active on " + rollout.target();
            }
        }
        return null;
    }

    private List<Emission> reject(String rolloutId, UpgradeRequested request, Rejection rejection, Cause cause,
                                  Object... args) {
        return List.of(new Emission(new RolloutRejected(rolloutId, request.clusterId(), request.requestId(),
                rejection.name(), rejection.message(args)), request.requestedBy(), cause.eventId()));
    }

    private void rejectOpen(Rollout rollout, Rejection rejection, Cause cause, List<Emission> out, Object... args) {
        rollout.state = RolloutState.REJECTED;
        rollout.waitingFor = null;
        emit(out, new RolloutRejected(rollout.id, rollout.clusterId(), rollout.request.requestId(), rejection.name(),
                rejection.message(args)), new Cause(cause.eventId(), rollout.actor));
    }

    private Optional<Rollout> openRollout(String clusterId) {
        return rollouts.values().stream().filter(r -> r.clusterId().equals(clusterId) && r.state.isOpen()).findFirst();
    }

    private static void emit(List<Emission> out, dev.baton.contracts.BatonEvent event, Cause cause) {
        out.add(new Emission(event, cause.actor(), cause.eventId()));
    }
}
