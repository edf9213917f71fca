package dev.baton.systemtest;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutAborted;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.RolloutResumed;
import dev.baton.contracts.StepStarted;
import dev.baton.sandbox.world.EventLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;

/**
 * The chaos test's independent judge: pure logic over what was recorded during a run (every message read back from
 * the {@code baton.*} topics, each node's own command log, samples of how many nodes of a cluster were down taken
 * from the fleet itself, and the coordinates of every message the audit store holds). It knows no service's code and
 * trusts no service's own account: one rule per invariant of DESIGN.md that a chaos run can break, each with a message
 * that names the rollout, node or message at fault.
 *
 * <ol>
 *   <li>{@link Rule#LIVENESS}: every accepted rollout (not a dry run) ends {@code RolloutCompleted}; a halt, an abort
 *       or a rollout still running is reported with its last word (code and message);</li>
 *   <li>{@link Rule#AT_MOST_ONCE}: on every node, each disruptive command line ran (the node's own log) at most as
 *       often as there were distinct attempts ({@code rolloutId, step, attempt}) of it;</li>
 *   <li>{@link Rule#BUDGET}: never more nodes of a cluster down than its rollout's {@code maxUnavailable}, both as the
 *       topics tell it (a node is down from the first {@code StepStarted} of a disruptive command until health's next
 *       {@code NodeActive} for it; invariant 1; a redelivered command's repeated {@code StepStarted} starts nothing)
 *       and as the fleet itself was sampled;</li>
 *   <li>{@link Rule#NOTHING_AFTER_HALT}: after {@code RolloutHalted} or {@code RolloutAborted} no disruptive
 *       {@code NodeCommand} of that rollout is published until a {@code RolloutResumed} (invariant 5);</li>
 *   <li>{@link Rule#EPOCHS}: on {@code baton.commands.v1}, in log order, a cluster's command epochs never go down;</li>
 *   <li>{@link Rule#AUDIT_EXACTLY_ONCE}: the audit store holds exactly the published messages, none twice
 *       (invariant 4): per audited cluster by Kafka coordinates, and in total by count.</li>
 * </ol>
 */
final class ChaosChecker {

    /** The invariants a chaos run is judged by, in the order they are checked. */
    enum Rule {
        LIVENESS("every rollout completes"),
        AT_MOST_ONCE("each disruptive step ran at most once per attempt on the node"),
        BUDGET("never more nodes down than the budget"),
        NOTHING_AFTER_HALT("nothing disruptive sent after a halt"),
        EPOCHS("command epochs never go down"),
        AUDIT_EXACTLY_ONCE("the audit store holds exactly the published messages, none twice");

        private final String text;

        Rule(String text) {
            this.text = text;
        }

        /** What the rule asserts, in words. */
        String text() {
            return text;
        }
    }

    /** A node of a cluster. */
    record NodeRef(String clusterId, String nodeName) {
        @Override
        public String toString() {
            return clusterId + "/" + nodeName;
        }
    }

    /** How many nodes of a cluster were down at one moment, seen on the fleet itself (not on any topic). */
    record FleetSample(Instant at, String clusterId, int down) {
    }

    /**
     * What the audit store holds: for each cluster asked about, the coordinates ({@code topic/partition/offset}) of
     * every stored message of that cluster, duplicates included; and the store's total count beside the number of
     * messages the broker holds on every {@code baton.*} topic (negative: not known, not compared).
     */
    record Audit(Map<String, List<String>> storedByCluster, long storedTotal, long publishedTotal) {
        static final Audit NONE = new Audit(Map.of(), -1, -1);
    }

    /**
     * Everything recorded in one run.
     *
     * @param entries every message read back from the topics, in the order read (per partition: log order)
     * @param commandLogs each node's own log of the commands it ran, in order
     * @param fleetSamples down-counts sampled from the fleet
     * @param audit what the audit store holds
     * @param ranAs whether a line of a node's command log is a run of a command line Baton sent
     */
    record History(List<EventLog.Entry> entries, Map<NodeRef, List<String>> commandLogs, List<FleetSample> fleetSamples,
                   Audit audit, BiPredicate<String, String> ranAs) {
        History {
            entries = List.copyOf(entries);
            commandLogs = Map.copyOf(commandLogs);
            fleetSamples = List.copyOf(fleetSamples);
            audit = audit == null ? Audit.NONE : audit;
            ranAs = ranAs == null ? String::equals : ranAs;
        }

        History(List<EventLog.Entry> entries, Map<NodeRef, List<String>> commandLogs, List<FleetSample> fleetSamples,
                Audit audit) {
            this(entries, commandLogs, fleetSamples, audit, null);
        }
    }

    /** One broken rule, with the evidence. */
    record Violation(Rule rule, String message) {
        @Override
        public String toString() {
            return rule + " (" + rule.text() + "): " + message;
        }
    }

    private ChaosChecker() {
    }

    /** Every violation of every rule in the history; empty when the run obeyed them all. */
    static List<Violation> check(History history) {
        List<Violation> violations = new ArrayList<>();
        Rollouts rollouts = Rollouts.of(history.entries());
        liveness(rollouts, history.entries(), violations);
        atMostOnce(history, violations);
        budgetFromTopics(rollouts, history.entries(), violations);
        budgetFromFleet(rollouts, history.fleetSamples(), violations);
        nothingAfterHalt(history.entries(), violations);
        epochs(history.entries(), violations);
        audit(history.entries(), history.audit(), violations);
        return violations;
    }

    /** The rules that held (none of their violations in {@code violations}). */
    static Set<Rule> held(List<Violation> violations) {
        Set<Rule> held = new LinkedHashSet<>(List.of(Rule.values()));
        violations.forEach(v -> held.remove(v.rule()));
        return held;
    }

    // ---- 1. liveness ---------------------------------------------------------------------------------------------

    private static void liveness(Rollouts rollouts, List<EventLog.Entry> entries, List<Violation> out) {
        for (RolloutAccepted accepted : rollouts.accepted.values()) {
            String id = accepted.rolloutId();
            RolloutPlanned planned = rollouts.planned.get(id);
            if (planned != null && planned.dryRun()) {
                continue;
            }
            if (rollouts.completed.contains(id)) {
                continue;
            }
            BatonEvent last = null;
            for (EventLog.Entry entry : entries) {
                BatonEvent event = entry.event();
                if (event instanceof RolloutHalted || event instanceof RolloutAborted || event instanceof RolloutRejected
                        || event instanceof RolloutResumed) {
                    if (id.equals(event.rolloutId())) {
                        last = event;
                    }
                }
            }
            String state;
            if (last instanceof RolloutHalted h) {
                state = "HALTED on " + h.nodeName() + " (" + h.code() + ": " + h.message() + ")";
            } else if (last instanceof RolloutAborted a) {
                state = "ABORTED (" + a.code() + ": " + a.message() + ")";
            } else if (last instanceof RolloutRejected r) {
                state = "REJECTED (" + r + ")";
            } else if (last == null) {
                state = "never completed (still running, or its end was not published)";
            } else {
                state = "resumed and never completed";
            }
            out.add(new Violation(Rule.LIVENESS, "rollout " + id + " of " + accepted.clusterId() + " to "
                    + accepted.targetVersion() + ": " + state));
        }
    }

    // ---- 2. at most once per attempt -----------------------------------------------------------------------------

    private static void atMostOnce(History history, List<Violation> out) {
        // node -> command line -> the distinct attempts Baton sent of it
        Map<NodeRef, Map<String, Set<String>>> attempts = new HashMap<>();
        for (EventLog.Entry entry : history.entries()) {
            if (entry.event() instanceof NodeCommand c && c.disruptive() && c.command() != null && !c.command().isBlank()) {
                attempts.computeIfAbsent(new NodeRef(c.clusterId(), c.nodeName()), n -> new TreeMap<>())
                        .computeIfAbsent(c.command(), k -> new HashSet<>())
                        .add(c.rolloutId() + "/" + c.step() + "/" + c.attempt());
            }
        }
        for (var node : new TreeMap<>(attempts.entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().toString(), e -> e))).values()) {
            List<String> log = history.commandLogs().get(node.getKey());
            if (log == null) {
                continue; // no log of its own for this node: nothing to judge by (the test says which nodes it logs)
            }
            for (var command : node.getValue().entrySet()) {
                long runs = log.stream().filter(line -> history.ranAs().test(line, command.getKey())).count();
                int allowed = command.getValue().size();
                if (runs > allowed) {
                    out.add(new Violation(Rule.AT_MOST_ONCE, node.getKey() + " ran '" + command.getKey() + "' " + runs
                            + " times (its own command log) for " + allowed + " attempt(s) " + command.getValue()));
                }
            }
        }
    }

    // ---- 3. budget -----------------------------------------------------------------------------------------------

    private static void budgetFromTopics(Rollouts rollouts, List<EventLog.Entry> entries, List<Violation> out) {
        Map<String, NodeCommand> commands = new HashMap<>();
        for (EventLog.Entry entry : entries) {
            if (entry.event() instanceof NodeCommand c) {
                commands.putIfAbsent(c.commandId(), c);
            }
        }
        List<EventLog.Entry> byTime = new ArrayList<>(entries);
        byTime.sort(Comparator.comparing(EventLog.Entry::timestamp)); // stable: read order among equal timestamps
        Map<String, Set<String>> down = new HashMap<>(); // cluster -> nodes down
        Map<String, Integer> worst = new HashMap<>();
        Set<String> startedOnce = new HashSet<>();
        for (EventLog.Entry entry : byTime) {
            BatonEvent event = entry.event();
            if (event instanceof StepStarted started) {
                NodeCommand command = commands.get(started.commandId());
                // a command's second StepStarted is a redelivery the executor reports again (its node's ledger refuses
                // to run it twice, which AT_MOST_ONCE checks on the node): it begins no new disruption
                if (command == null || !command.disruptive() || !startedOnce.add(started.commandId())) {
                    continue;
                }
                Set<String> nodes = down.computeIfAbsent(started.clusterId(), c -> new LinkedHashSet<>());
                if (!nodes.add(started.nodeName())) {
                    continue;
                }
                int budget = rollouts.budgetOf(started.rolloutId());
                if (nodes.size() > budget && nodes.size() > worst.getOrDefault(started.clusterId(), budget)) {
                    worst.put(started.clusterId(), nodes.size());
                    out.add(new Violation(Rule.BUDGET, started.clusterId() + ": " + nodes.size() + " nodes down at "
                            + entry.timestamp() + " " + nodes + " with maxUnavailable " + budget + " (the topics: "
                            + started.nodeName() + "'s " + started.step() + " started before the others were active again)"));
                }
            } else if (event instanceof NodeActive active) {
                Set<String> nodes = down.get(active.clusterId());
                if (nodes != null) {
                    nodes.remove(active.nodeName());
                }
            }
        }
    }

    private static void budgetFromFleet(Rollouts rollouts, List<FleetSample> samples, List<Violation> out) {
        Map<String, FleetSample> worst = new TreeMap<>();
        for (FleetSample sample : samples) {
            int budget = rollouts.budgetOfCluster(sample.clusterId());
            if (sample.down() > budget && sample.down() > worst.getOrDefault(sample.clusterId(),
                    new FleetSample(null, null, budget)).down()) {
                worst.put(sample.clusterId(), sample);
            }
        }
        worst.values().forEach(s -> out.add(new Violation(Rule.BUDGET, s.clusterId() + ": " + s.down()
                + " nodes down at once at " + s.at() + " with maxUnavailable " + rollouts.budgetOfCluster(s.clusterId())
                + " (sampled from the fleet itself)")));
    }

    // ---- 4. nothing after a halt ---------------------------------------------------------------------------------

    private static void nothingAfterHalt(List<EventLog.Entry> entries, List<Violation> out) {
        List<EventLog.Entry> byTime = new ArrayList<>(entries);
        byTime.sort(Comparator.comparing(EventLog.Entry::timestamp));
        Map<String, BatonEvent> stoppedBy = new HashMap<>(); // rollout -> the halt or abort in force
        for (EventLog.Entry entry : byTime) {
            BatonEvent event = entry.event();
            if (event instanceof RolloutHalted || event instanceof RolloutAborted) {
                stoppedBy.put(event.rolloutId(), event);
            } else if (event instanceof RolloutResumed resumed) {
                stoppedBy.remove(resumed.rolloutId());
            } else if (event instanceof NodeCommand c && c.disruptive() && stoppedBy.containsKey(c.rolloutId())) {
                BatonEvent stop = stoppedBy.get(c.rolloutId());
                out.add(new Violation(Rule.NOTHING_AFTER_HALT, "rollout " + c.rolloutId() + " of " + c.clusterId() + ": "
                        + c.step() + " for " + c.nodeName() + " (command " + c.commandId() + ") published at "
                        + entry.timestamp() + " after " + stop.getClass().getSimpleName() + " and no resume"));
            }
        }
    }

    // ---- 5. epochs -----------------------------------------------------------------------------------------------

    private static void epochs(List<EventLog.Entry> entries, List<Violation> out) {
        List<EventLog.Entry> commands = entries.stream().filter(e -> e.event() instanceof NodeCommand)
                .sorted(Comparator.comparing(EventLog.Entry::partition).thenComparing(EventLog.Entry::offset)).toList();
        Map<String, NodeCommand> highest = new HashMap<>();
        for (EventLog.Entry entry : commands) {
            NodeCommand c = (NodeCommand) entry.event();
            NodeCommand before = highest.get(c.clusterId());
            if (before != null && c.epoch() < before.epoch()) {
                out.add(new Violation(Rule.EPOCHS, c.clusterId() + ": command " + c.commandId() + " (" + c.step() + " on "
                        + c.nodeName() + ", offset " + entry.offset() + ") has epoch " + c.epoch() + " after epoch "
                        + before.epoch() + " (command " + before.commandId() + ")"));
            } else {
                highest.put(c.clusterId(), c);
            }
        }
    }

    // ---- 6. audit ------------------------------------------------------------------------------------------------

    private static void audit(List<EventLog.Entry> entries, Audit audit, List<Violation> out) {
        for (var cluster : new TreeMap<>(audit.storedByCluster()).entrySet()) {
            Set<String> published = entries.stream()
                    .filter(e -> e.event() != null && cluster.getKey().equals(e.event().clusterId()))
                    .map(e -> e.topic() + "/" + e.partition() + "/" + e.offset())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            Map<String, Long> stored = cluster.getValue().stream()
                    .collect(Collectors.groupingBy(c -> c, LinkedHashMap::new, Collectors.counting()));
            List<String> twice = stored.entrySet().stream().filter(e -> e.getValue() > 1)
                    .map(e -> e.getKey() + " x" + e.getValue()).toList();
            List<String> missing = published.stream().filter(c -> !stored.containsKey(c)).toList();
            List<String> extra = stored.keySet().stream().filter(c -> !published.contains(c)).toList();
            if (!twice.isEmpty()) {
                out.add(new Violation(Rule.AUDIT_EXACTLY_ONCE, cluster.getKey() + ": stored more than once: " + first(twice)));
            }
            if (!missing.isEmpty()) {
                out.add(new Violation(Rule.AUDIT_EXACTLY_ONCE, cluster.getKey() + ": published, never stored: " + first(missing)));
            }
            if (!extra.isEmpty()) {
                out.add(new Violation(Rule.AUDIT_EXACTLY_ONCE, cluster.getKey() + ": stored, never published: " + first(extra)));
            }
        }
        if (audit.storedTotal() >= 0 && audit.publishedTotal() >= 0 && audit.storedTotal() != audit.publishedTotal()) {
            out.add(new Violation(Rule.AUDIT_EXACTLY_ONCE, "the store holds " + audit.storedTotal()
                    + " messages, the broker " + audit.publishedTotal()));
        }
    }

    private static String first(List<String> items) {
        return items.size() + " " + (items.size() > 10 ? items.subList(0, 10) + " ..." : items);
    }

    /** The rollouts of the history: accepted, planned (budget), completed. */
    private record Rollouts(Map<String, RolloutAccepted> accepted, Map<String, RolloutPlanned> planned, Set<String> completed) {
        static Rollouts of(List<EventLog.Entry> entries) {
            Map<String, RolloutAccepted> accepted = new LinkedHashMap<>();
            Map<String, RolloutPlanned> planned = new HashMap<>();
            Set<String> completed = new HashSet<>();
            for (EventLog.Entry entry : entries) {
                BatonEvent event = entry.event();
                if (event instanceof RolloutAccepted a) {
                    accepted.putIfAbsent(a.rolloutId(), a);
                } else if (event instanceof RolloutPlanned p) {
                    planned.putIfAbsent(p.rolloutId(), p);
                } else if (event instanceof RolloutCompleted c) {
                    completed.add(c.rolloutId());
                }
            }
            return new Rollouts(accepted, planned, completed);
        }

        /** The rollout's maxUnavailable; 1 when it was never planned (the strictest reading). */
        int budgetOf(String rolloutId) {
            RolloutPlanned p = planned.get(rolloutId);
            return p == null ? 1 : Math.max(1, p.maxUnavailable());
        }

        /** The largest budget any rollout of the cluster had; 0 when none ran (then no node may be down). */
        int budgetOfCluster(String clusterId) {
            return planned.values().stream().filter(p -> Objects.equals(p.clusterId(), clusterId) && !p.dryRun())
                    .mapToInt(p -> Math.max(1, p.maxUnavailable())).max().orElse(0);
        }
    }
}
