package dev.baton.audit;

import dev.baton.contracts.RolloutPlanned;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The compliance report of one rollout, built from its stored events: who asked for what, the plan, each node's
 * version before and after with times, what failed and what was done about it, which guards held it back, how long
 * the cluster ran mixed versions, and how it ended.
 *
 * @param mixedVersionDuration total time the cluster ran mixed versions (open windows count up to {@code generatedAt})
 * @param eventCount how many stored events the report was built from
 */
public record RolloutReport(
        String rolloutId,
        String clusterId,
        Request request,
        Plan plan,
        List<NodeReport> nodes,
        List<Failure> failures,
        List<Notice> guardsBlocked,
        List<Notice> interruptions,
        List<MixedVersionWindow> mixedVersionWindows,
        Duration mixedVersionDuration,
        Outcome outcome,
        Instant startedAt,
        Instant finishedAt,
        long eventCount,
        Instant generatedAt) {

    /** Who asked, for which version, and when it was accepted. */
    public record Request(String requestId, String requestedBy, String actor, String targetVersion, Instant acceptedAt) {
    }

    /** The published plan. */
    public record Plan(Instant plannedAt, String targetVersion, String orderingPolicy, int maxUnavailable, boolean dryRun,
                       List<PlannedNode> nodes) {
    }

    /**
     * One node of the plan, in order, with the plan's explanation: why it was there and the commands it was to get (the
     * procedure's steps and the cluster's hooks, rendered as sent).
     */
    public record PlannedNode(int position, String nodeName, String clusterAddress, String fromVersion, String action,
                              List<String> steps, String reason, List<RolloutPlanned.PlannedStep> plannedSteps) {
    }

    /** What happened to one node: its version before and after, and when. */
    public record NodeReport(String nodeName, String versionBefore, String versionAfter, Instant startedAt,
                             Instant upgradedAt, Duration duration, List<StepReport> steps, String status) {
    }

    /** One step run on a node. */
    public record StepReport(String step, Instant startedAt, Instant finishedAt, String outcome, Integer exitCode,
                             String errorCode) {
    }

    /** A failed step and what followed it. */
    public record Failure(Instant at, String nodeName, String step, String errorCode, Integer exitCode, String message,
                          String remedy, Instant remedyAt) {
    }

    /** A guard that blocked, an out-of-order detection, a pause, resume, halt or abort. */
    public record Notice(Instant at, String type, String nodeName, String code, String message, String actor) {
    }

    /** A time the cluster ran more than one version. */
    public record MixedVersionWindow(Instant openedAt, Instant closedAt, Duration duration, List<String> versions) {
    }

    /** How the rollout ended (or {@code RUNNING}); {@code skipped}: the nodes an operator left out (not upgraded). */
    public record Outcome(String status, Instant at, String code, String message, List<String> skipped) {
        public Outcome(String status, Instant at, String code, String message) {
            this(status, at, code, message, List.of());
        }
    }
}
