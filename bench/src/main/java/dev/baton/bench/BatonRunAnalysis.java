package dev.baton.bench;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.sandbox.world.EventLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What one Baton rollout looked like on the wire, from the {@code baton.*} topics read back by
 * {@link EventLog}: its wall time (the {@code UpgradeRequested} on {@code baton.requests.v1} to the
 * {@code RolloutCompleted} on {@code baton.rollouts.v1}) and each control-plane hop between two nodes (the
 * previous node's {@code NodeActive} on the target version on {@code baton.health.v1} to the next node's first
 * {@code NodeCommand} on {@code baton.commands.v1} and its first {@code StepStarted} on {@code baton.results.v1}).
 * Times are the Kafka record timestamps (producer create time, milliseconds, one machine's clock).
 *
 * @param hops one per pair of consecutive nodes in plan order
 */
public record BatonRunAnalysis(String clusterId, String targetVersion, Instant requestedAt, Instant completedAt,
                               List<String> planOrder, List<Hop> hops, List<NodeTimes> nodes) {

    /** One node's turn: its first step started, its last step succeeded, and health reporting it active on the target. */
    public record NodeTimes(String node, Instant firstStepStarted, Instant lastStepSucceeded, Instant active) {
    }

    /**
     * Where the wall time went; the parts add up to it exactly. {@code start}: the request to the first node's first
     * step; {@code steps}: each node's first step started to its last step succeeded (the steps themselves plus the
     * planner/executor round trips between them); {@code health}: the last step succeeded to {@code NodeActive};
     * {@code hops}: {@code NodeActive} to the next node's first step; {@code end}: the last {@code NodeActive} to
     * {@code RolloutCompleted}.
     */
    public record Breakdown(Duration start, Duration steps, Duration health, Duration hops, Duration end) {
        public Duration total() {
            return start.plus(steps).plus(health).plus(hops).plus(end);
        }

        /** The part-by-part mean of several rounds' breakdowns. */
        public static Breakdown mean(List<Breakdown> rounds) {
            int n = rounds.size();
            return new Breakdown(
                    rounds.stream().map(Breakdown::start).reduce(Duration.ZERO, Duration::plus).dividedBy(n),
                    rounds.stream().map(Breakdown::steps).reduce(Duration.ZERO, Duration::plus).dividedBy(n),
                    rounds.stream().map(Breakdown::health).reduce(Duration.ZERO, Duration::plus).dividedBy(n),
                    rounds.stream().map(Breakdown::hops).reduce(Duration.ZERO, Duration::plus).dividedBy(n),
                    rounds.stream().map(Breakdown::end).reduce(Duration.ZERO, Duration::plus).dividedBy(n));
        }
    }

    /** From the previous node active on the target to the next node's first command published and first step started. */
    public record Hop(String previousNode, String nextNode, Instant previousActive, Instant nextCommand, Instant nextStarted) {
        /** NodeActive published to the executor starting the next node's first step: the whole hop. */
        public Duration toStepStarted() {
            return Duration.between(previousActive, nextStarted);
        }

        /** NodeActive published to the planner publishing the next node's first command. */
        public Duration toCommand() {
            return Duration.between(previousActive, nextCommand);
        }
    }

    public BatonRunAnalysis {
        planOrder = List.copyOf(planOrder);
        hops = List.copyOf(hops);
        nodes = List.copyOf(nodes);
    }

    /** The rollout of {@code clusterId} to {@code targetVersion} in {@code entries}; fails naming what is missing. */
    public static BatonRunAnalysis of(List<EventLog.Entry> entries, String clusterId, String targetVersion) {
        EventLog.Entry requested = first(entries, e -> e instanceof UpgradeRequested r && r.clusterId().equals(clusterId)
                && r.targetVersion().equals(targetVersion))
                .orElseThrow(() -> new IllegalStateException("no UpgradeRequested for " + clusterId + " to " + targetVersion));
        RolloutPlanned plan = (RolloutPlanned) first(entries, e -> e instanceof RolloutPlanned p && p.clusterId().equals(clusterId)
                && p.targetVersion().equals(targetVersion) && !p.dryRun())
                .orElseThrow(() -> new IllegalStateException("no RolloutPlanned for " + clusterId + " to " + targetVersion))
                .event();
        String rolloutId = plan.rolloutId();
        EventLog.Entry completed = first(entries, e -> e instanceof RolloutCompleted c && c.rolloutId().equals(rolloutId))
                .orElseThrow(() -> new IllegalStateException("rollout " + rolloutId + " of " + clusterId + " did not complete"));
        List<String> order = plan.nodes().stream().map(RolloutPlanned.PlannedNode::nodeName).toList();
        Instant from = requested.timestamp();
        List<NodeTimes> nodes = new ArrayList<>();
        for (String node : order) {
            Optional<EventLog.Entry> started = first(entries, e -> e instanceof StepStarted s && rolloutId.equals(s.rolloutId())
                    && node.equals(s.nodeName()), from);
            Optional<EventLog.Entry> succeeded = entries.stream().filter(e -> e.event() instanceof StepSucceeded s
                    && rolloutId.equals(s.rolloutId()) && node.equals(s.nodeName()))
                    .max(Comparator.comparing(EventLog.Entry::timestamp));
            Optional<EventLog.Entry> active = first(entries, e -> e instanceof NodeActive a && a.clusterId().equals(clusterId)
                    && a.nodeName().equals(node) && targetVersion.equals(a.runningVersion()), from);
            if (started.isEmpty() || succeeded.isEmpty() || active.isEmpty()) {
                throw new IllegalStateException("node " + node + " incomplete on the wire: StepStarted " + started.isPresent()
                        + ", StepSucceeded " + succeeded.isPresent() + ", NodeActive " + active.isPresent());
            }
            nodes.add(new NodeTimes(node, started.get().timestamp(), succeeded.get().timestamp(), active.get().timestamp()));
        }
        List<Hop> hops = new ArrayList<>();
        for (int i = 1; i < order.size(); i++) {
            String previous = order.get(i - 1);
            String next = order.get(i);
            Optional<EventLog.Entry> active = first(entries, e -> e instanceof NodeActive a && a.clusterId().equals(clusterId)
                    && a.nodeName().equals(previous) && targetVersion.equals(a.runningVersion()), from);
            Optional<EventLog.Entry> command = first(entries, e -> e instanceof NodeCommand c && c.rolloutId().equals(rolloutId)
                    && c.nodeName().equals(next), from);
            Optional<EventLog.Entry> started = first(entries, e -> e instanceof StepStarted s && rolloutId.equals(s.rolloutId())
                    && next.equals(s.nodeName()), from);
            if (active.isEmpty() || command.isEmpty() || started.isEmpty()) {
                throw new IllegalStateException("hop " + previous + " -> " + next + " incomplete on the wire: NodeActive "
                        + active.isPresent() + ", NodeCommand " + command.isPresent() + ", StepStarted " + started.isPresent());
            }
            hops.add(new Hop(previous, next, active.get().timestamp(), command.get().timestamp(), started.get().timestamp()));
        }
        return new BatonRunAnalysis(clusterId, targetVersion, requested.timestamp(), completed.timestamp(), order, hops, nodes);
    }

    /** UpgradeRequested to RolloutCompleted. */
    public Duration wallTime() {
        return Duration.between(requestedAt, completedAt);
    }

    /** Where the wall time went. */
    public Breakdown breakdown() {
        Duration steps = Duration.ZERO;
        Duration health = Duration.ZERO;
        for (NodeTimes node : nodes) {
            steps = steps.plus(Duration.between(node.firstStepStarted(), node.lastStepSucceeded()));
            health = health.plus(Duration.between(node.lastStepSucceeded(), node.active()));
        }
        Duration hopSum = hops.stream().map(Hop::toStepStarted).reduce(Duration.ZERO, Duration::plus);
        return new Breakdown(Duration.between(requestedAt, nodes.get(0).firstStepStarted()), steps, health, hopSum,
                Duration.between(nodes.get(nodes.size() - 1).active(), completedAt));
    }

    /** The whole hops (NodeActive to StepStarted). */
    public Percentiles hopToStepStarted() {
        return Percentiles.of(hops.stream().map(Hop::toStepStarted).toList());
    }

    /** The planner's part of the hops (NodeActive to NodeCommand). */
    public Percentiles hopToCommand() {
        return Percentiles.of(hops.stream().map(Hop::toCommand).toList());
    }

    private static Optional<EventLog.Entry> first(List<EventLog.Entry> entries, Predicate<BatonEvent> match) {
        return first(entries, match, Instant.MIN);
    }

    /** The earliest matching entry at or after {@code notBefore} (entries of different partitions are not in time order). */
    private static Optional<EventLog.Entry> first(List<EventLog.Entry> entries, Predicate<BatonEvent> match, Instant notBefore) {
        return entries.stream().filter(e -> e.event() != null && match.test(e.event()) && !e.timestamp().isBefore(notBefore))
                .min(Comparator.comparing(EventLog.Entry::timestamp));
    }
}
