package dev.baton.planner.rollout;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import java.time.Duration;
import java.time.Instant;

/**
 * Progress of one node within one rollout: its {@link NodePhase} (the one state; changed only through
 * {@link #moveTo}, which refuses a transition the phase does not allow) and the facts the phase needs (step, attempt,
 * command in flight, times). Owned by {@link Rollout}, driven by {@link NodeDriver}. Serialised as it is into the
 * planner's state snapshot (Jackson, its fields); {@link #read} also reads the snapshots written before the phase
 * existed (state plus six booleans and the pending command's purpose).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class NodeProgress {
    /** What follows the node's last step. */
    public enum AfterLastStep {
        /** Wait for health to see the node active on the target. */
        AWAIT_ACTIVE,
        /** A step failed with require-reboot: reboot the node, then wait for health. */
        REBOOT
    }

    final ClusterRegistered.Node node;
    final String orderingAddress;
    final String fromVersion;
    private NodePhase phase;
    AfterLastStep afterLastStep = AfterLastStep.AWAIT_ACTIVE;
    /** For people (REST view, plan actions): never read back to decide anything. */
    String note;
    int stepIndex = -1;
    int attempt = 1;
    /** How many of this step's attempts were sent again after {@code COMMAND_EXPIRED} (they never ran). */
    int expiredResends;
    /** The highest attempt number any command to this node carried (command ids are never reused). */
    int highestAttempt;
    /**
     * Attempts after an operator's retry are numbered above every earlier one ({@link #highestAttempt} at the retry),
     * so the retried commands have new ids and the node's ledger runs them (at most once per attempt).
     */
    int attemptFloor;
    /** The phase the node failed in: what an operator's retry goes back to. */
    NodePhase failedIn;
    /** The cluster's before-disruption hook ran on the node (so its first disruptive step is sent next). */
    boolean beforeHookDone;
    /** The command in flight; set exactly while {@link NodePhase#commandInFlight()}. */
    String currentCommandId;
    /** An executor said it started the command in flight ({@code StepStarted}). */
    boolean stepStartSeen;
    /**
     * The command the planner gave up on ({@code STEP_RESULT_MISSING}) while the node is FAILED: a later refusal of it
     * ({@code COMMAND_EXPIRED}) tells the operator it never ran.
     */
    String gaveUpOn;
    String currentStep;
    Instant stepSentAt;
    Duration stepTimeout;
    /** The command in flight's {@code startBy}: no executor starts it later. Null in snapshots from before it existed. */
    Instant stepStartBy;
    Instant retryAt;
    Instant startedAt;
    Instant awaitingSince;
    Instant finishedAt;
    Instant failedAt;

    NodeProgress(ClusterRegistered.Node node, String orderingAddress, String fromVersion, NodePhase phase, String note) {
        this.node = node;
        this.orderingAddress = orderingAddress;
        this.fromVersion = fromVersion;
        this.phase = phase;
        this.note = note;
    }

    public String name() {
        return node.name();
    }

    public NodePhase phase() {
        return phase;
    }

    /** The coarse state (REST view, guards, budget). Written to the snapshot too, for people reading it. */
    @JsonProperty("state")
    public NodeState state() {
        return phase.state();
    }

    /** The one way the phase changes; a command id is kept only while a command is in flight. */
    void moveTo(NodePhase next) {
        if (next != phase && !phase.canMoveTo(next)) {
            throw new IllegalStateException("node " + name() + " cannot go from " + phase + " to " + next);
        }
        phase = next;
        if (!next.commandInFlight()) {
            currentCommandId = null;
        }
    }

    /** An independent copy (for a snapshot, which must not change when the engine goes on). */
    NodeProgress copy() {
        return BatonJson.mapper().convertValue(this, NodeProgress.class);
    }

    /** A read-only snapshot for the REST view. */
    public RolloutView.NodeView view() {
        return new RolloutView.NodeView(node.name(), orderingAddress, fromVersion, state(),
                currentCommandId == null ? null : currentStep, note, startedAt, finishedAt);
    }

    /**
     * Reads a node of a snapshot: the current format ({@code phase}, {@code afterLastStep}) or the one before it
     * ({@code state}, {@code pending} and the booleans), which a planner taking a cluster over may still find.
     */
    @JsonCreator
    static NodeProgress read(@JsonProperty("node") ClusterRegistered.Node node,
                             @JsonProperty("orderingAddress") String orderingAddress,
                             @JsonProperty("fromVersion") String fromVersion,
                             @JsonProperty("phase") NodePhase phase,
                             @JsonProperty("afterLastStep") AfterLastStep afterLastStep,
                             @JsonProperty("note") String note,
                             @JsonProperty("stepIndex") Integer stepIndex,
                             @JsonProperty("attempt") Integer attempt,
                             @JsonProperty("expiredResends") Integer expiredResends,
                             @JsonProperty("highestAttempt") Integer highestAttempt,
                             @JsonProperty("attemptFloor") Integer attemptFloor,
                             @JsonProperty("failedIn") NodePhase failedIn,
                             @JsonProperty("beforeHookDone") boolean beforeHookDone,
                             @JsonProperty("currentCommandId") String currentCommandId,
                             @JsonProperty("stepStartSeen") boolean stepStartSeen,
                             @JsonProperty("gaveUpOn") String gaveUpOn,
                             @JsonProperty("currentStep") String currentStep,
                             @JsonProperty("stepSentAt") Instant stepSentAt,
                             @JsonProperty("stepTimeout") Duration stepTimeout,
                             @JsonProperty("stepStartBy") Instant stepStartBy,
                             @JsonProperty("retryAt") Instant retryAt,
                             @JsonProperty("startedAt") Instant startedAt,
                             @JsonProperty("awaitingSince") Instant awaitingSince,
                             @JsonProperty("finishedAt") Instant finishedAt,
                             @JsonProperty("failedAt") Instant failedAt,
                             @JsonProperty("state") NodeState legacyState,
                             @JsonProperty("pending") String legacyPending,
                             @JsonProperty("waitingForArtifact") boolean legacyWaitingForArtifact,
                             @JsonProperty("rebootRequired") boolean legacyRebootRequired,
                             @JsonProperty("rebooted") boolean legacyRebooted,
                             @JsonProperty("remedied") boolean legacyRemedied,
                             @JsonProperty("released") boolean legacyReleased,
                             @JsonProperty("deferredStopped") boolean legacyDeferredStopped) {
        NodePhase resolved = phase;
        AfterLastStep after = afterLastStep;
        if (resolved == null) {
            // the snapshot format before NodePhase: the same facts, spread over state, pending and booleans
            boolean inFlight = currentCommandId != null;
            resolved = switch (legacyState == null ? NodeState.PENDING : legacyState) {
                case PENDING -> NodePhase.PENDING;
                case SKIPPED -> "excluded".equals(note) ? NodePhase.SKIPPED_EXCLUDED : NodePhase.SKIPPED_ON_TARGET;
                case DEFERRED -> legacyDeferredStopped ? NodePhase.DEFERRED_STOPPED
                        : inFlight ? NodePhase.DEFERRED_STOPPING : NodePhase.DEFERRED;
                case UPGRADING -> inFlight ? switch (legacyPending == null ? "STEP" : legacyPending) {
                    case "REBOOT" -> NodePhase.REBOOTING;
                    case "DEFERRED_START" -> NodePhase.DEFERRED_STARTING;
                    default -> NodePhase.RUNNING_STEP;
                } : legacyWaitingForArtifact ? NodePhase.WAITING_FOR_ARTIFACT
                        : retryAt != null ? NodePhase.RETRY_WAIT : NodePhase.RUNNING_STEP;
                case AWAITING_ACTIVE -> legacyRemedied ? NodePhase.AWAITING_ACTIVE_AFTER_REMEDY : NodePhase.AWAITING_ACTIVE;
                case REMEDIATING -> NodePhase.REMEDY_REBOOTING;
                case DONE -> NodePhase.DONE;
                case FAILED -> legacyReleased ? NodePhase.RELEASED : NodePhase.FAILED;
            };
            after = legacyRebootRequired && !legacyRebooted ? AfterLastStep.REBOOT : AfterLastStep.AWAIT_ACTIVE;
        }
        NodeProgress n = new NodeProgress(node, orderingAddress, fromVersion, resolved, note);
        n.afterLastStep = after == null ? AfterLastStep.AWAIT_ACTIVE : after;
        n.stepIndex = stepIndex == null ? -1 : stepIndex;
        n.attempt = attempt == null ? 1 : attempt;
        n.expiredResends = expiredResends == null ? 0 : expiredResends;
        n.highestAttempt = highestAttempt == null ? n.attempt : highestAttempt;
        n.attemptFloor = attemptFloor == null ? 0 : attemptFloor;
        n.failedIn = failedIn;
        n.beforeHookDone = beforeHookDone;
        n.currentCommandId = resolved.commandInFlight() ? currentCommandId : null;
        n.stepStartSeen = stepStartSeen;
        n.gaveUpOn = gaveUpOn;
        n.currentStep = currentStep;
        n.stepSentAt = stepSentAt;
        n.stepTimeout = stepTimeout;
        n.stepStartBy = stepStartBy;
        n.retryAt = retryAt;
        n.startedAt = startedAt;
        n.awaitingSince = awaitingSince;
        n.finishedAt = finishedAt;
        n.failedAt = failedAt;
        return n;
    }
}
