package dev.baton.bench;

import dev.baton.procedure.Procedure;
import dev.baton.procedure.StepDefinition;
import dev.baton.sandbox.fleet.FleetSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The physical limit of one rolling upgrade: what the nodes themselves need, one after the other, with zero
 * control overhead. Per node, the simulated duration of every step of the procedure (the fleet spec's
 * {@code slowCommands}, longest matching substring as the simulated node applies it) plus the health window
 * (the procedure's {@code stableProbes} good probes {@code interval} apart: {@code (stableProbes - 1) x interval}).
 *
 * @param nodes per node, in plan order, its step and stabilisation times
 */
public record PhysicalLimit(List<NodeLimit> nodes) {

    /** One node's share: its steps' known durations and the health window it must stay active for. */
    public record NodeLimit(String node, Map<String, Duration> steps, Duration stabilisation) {
        public NodeLimit {
            steps = Map.copyOf(steps);
        }

        public Duration total() {
            return steps.values().stream().reduce(stabilisation, Duration::plus);
        }
    }

    public PhysicalLimit {
        nodes = List.copyOf(nodes);
    }

    /** The limit for rolling every node of {@code cluster} to {@code targetVersion} with {@code procedure}. */
    public static PhysicalLimit of(Procedure procedure, FleetSpec.Cluster cluster, String targetVersion,
                                   Duration healthInterval) {
        Duration window = healthInterval.multipliedBy(Math.max(0, procedure.health().stableProbes() - 1));
        if (procedure.health().stableFor() != null && procedure.health().stableFor().compareTo(window) > 0) {
            window = procedure.health().stableFor();
        }
        List<NodeLimit> limits = new ArrayList<>();
        for (FleetSpec.Node node : cluster.nodes()) {
            Map<String, Duration> steps = new java.util.LinkedHashMap<>();
            for (StepDefinition step : procedure.steps()) {
                String command = step.render(Map.of("targetVersion", targetVersion, "fromVersion", cluster.version(),
                        "nodeName", node.name(), "clusterAddress", String.valueOf(node.clusterAddress()),
                        "clusterId", cluster.id()));
                steps.put(step.name(), simulatedDuration(command, node.faults().slowCommands()));
            }
            limits.add(new NodeLimit(node.name(), steps, window));
        }
        return new PhysicalLimit(limits);
    }

    /** How long the simulated node holds this command line: the longest {@code slowCommands} key it contains wins. */
    static Duration simulatedDuration(String command, Map<String, Duration> slowCommands) {
        String longest = null;
        for (String key : slowCommands.keySet()) {
            if (command.contains(key) && (longest == null || key.length() > longest.length())) {
                longest = key;
            }
        }
        return longest == null ? Duration.ZERO : slowCommands.get(longest);
    }

    /** Sum of every step time over every node. */
    public Duration stepTime() {
        return nodes.stream().flatMap(n -> n.steps().values().stream()).reduce(Duration.ZERO, Duration::plus);
    }

    /** Sum of every node's health window. */
    public Duration stabilisationTime() {
        return nodes.stream().map(NodeLimit::stabilisation).reduce(Duration.ZERO, Duration::plus);
    }

    /** The whole limit: step time plus stabilisation time. */
    public Duration total() {
        return stepTime().plus(stabilisationTime());
    }
}
