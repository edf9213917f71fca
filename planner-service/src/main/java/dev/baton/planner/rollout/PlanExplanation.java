package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.planner.plan.Plan;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureRules;
import dev.baton.procedure.StepDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Explains a plan the moment it is made (what the dry run shows and {@code RolloutPlanned} carries): for each node why
 * it is where it is (the ordering policy, the address it used and where that came from: the membership the cluster
 * reported or the inventory; or why it is skipped, excluded or deferred), the commands it will get rendered as they
 * will be sent, which node builds each artifact and which nodes get it pushed, the guards that will apply, and the
 * longest the rollout can take by the procedure's time-outs (and the cluster's hooks'). Pure: reads the rollout just planned and the health
 * picture, changes nothing.
 */
final class PlanExplanation {
    private PlanExplanation() {
    }

    /** The planned nodes, in plan order, with their reasons and rendered steps. */
    static List<RolloutPlanned.PlannedNode> nodes(Rollout rollout, ClusterPicture picture) {
        Map<String, String> reported = reportedAddresses(picture.membership());
        List<NodeProgress> upgraded = rollout.nodes.stream().filter(n -> n.phase() == NodePhase.PENDING).toList();
        Map<String, String> builders = new HashMap<>();
        List<RolloutPlanned.PlannedNode> planned = new ArrayList<>();
        for (NodeProgress node : rollout.nodes) {
            String action;
            List<String> stepNames;
            List<RolloutPlanned.PlannedStep> steps;
            String reason;
            switch (node.phase()) {
                case PENDING -> {
                    action = rollout.offline ? "offline-update" : "upgrade";
                    stepNames = rollout.procedure.steps().stream().map(StepDefinition::name).toList();
                    steps = steps(rollout, node, builders);
                    reason = position(rollout, node, upgraded.indexOf(node) + 1, upgraded.size(), reported);
                }
                case DEFERRED -> {
                    action = "deferred-out-of-order";
                    stepNames = List.of("out-of-order-stop", "out-of-order-start");
                    ProcedureRules.OutOfOrderRemedy remedy = rollout.procedure.outOfOrder();
                    steps = List.of(
                            new RolloutPlanned.PlannedStep("out-of-order-stop", remedy.stop(),
                                    NodeDriver.OUT_OF_ORDER_COMMAND_TIMEOUT, true, null),
                            new RolloutPlanned.PlannedStep("out-of-order-start", remedy.start(),
                                    NodeDriver.OUT_OF_ORDER_COMMAND_TIMEOUT, false, null));
                    reason = node.note + "; started last, once every other node is done";
                }
                case SKIPPED_EXCLUDED -> {
                    action = Plan.Disposition.EXCLUDED.action();
                    stepNames = List.of();
                    steps = List.of();
                    reason = "excluded by the request: nothing is done to it, and it does not count against the budget";
                }
                default -> {
                    action = Plan.Disposition.ALREADY_ON_TARGET.action();
                    stepNames = List.of();
                    steps = List.of();
                    reason = "already runs " + rollout.target() + ": skipped (a forced request re-installs it)";
                }
            }
            planned.add(new RolloutPlanned.PlannedNode(node.name(), node.orderingAddress, node.fromVersion, action,
                    stepNames, reason, steps));
        }
        return planned;
    }

    /** The guards that will hold a node back during this rollout, one sentence each, in the order they are checked. */
    static List<String> guards(Rollout rollout) {
        UpgradeRequested request = rollout.request;
        Procedure procedure = rollout.procedure;
        List<String> guards = new ArrayList<>();
        if (request.maintenanceWindow() != null) {
            guards.add("a node starts only inside the maintenance window " + Guards.describe(request.maintenanceWindow()));
        }
        if (rollout.offline) {
            guards.add("complete (offline) update: the compatibility table does not allow rolling from the running"
                    + " version to " + rollout.target() + ", so all " + rollout.maxUnavailable
                    + " planned node(s) go down together");
        } else {
            guards.add("at most " + rollout.maxUnavailable + " node(s) unavailable at once, counting every node health"
                    + " reports inactive (not the excluded or skipped ones)");
        }
        if (procedure.guards().lastOldNode() && !rollout.offline) {
            guards.add("the last active node on the old version is not taken down while another old-version node is"
                    + " inactive (old-version nodes could not rejoin)");
        }
        if (procedure.health().sharedResource() != null && !rollout.offline) {
            guards.add("the last old-version node holding " + procedure.health().sharedResource().name() + " is not taken"
                    + " down while a node on " + rollout.target() + " holds it and another old-version node does not (it"
                    + " could not take it again)");
        }
        if (request.canary() != null) {
            guards.add("pauses after the first " + request.canary() + " node(s) (canary) until an operator resumes");
        }
        if (request.stopAfter() != null) {
            guards.add("pauses after every " + request.stopAfter() + " node(s) (stop-after) until an operator resumes");
        }
        if (request.delayBetweenNodes() != null && !request.delayBetweenNodes().isZero()) {
            guards.add("waits " + request.delayBetweenNodes() + " after each node before the next one starts");
        }
        Duration healthTimeout = procedure.health().timeout();
        guards.add("a node is done when health sees it active on " + rollout.target() + " for its stable window; not"
                + " within " + healthTimeout + (procedure.remedy().rebootOnce() ? ": rebooted once, then" : ":")
                + " the rollout halts");
        if (procedure.mixedVersion() != null) {
            ProcedureRules.MixedVersionDeadline mixed = procedure.mixedVersion();
            guards.add("mixed versions in the cluster" + (mixed.alertAfter() == null ? "" : ": alert after "
                    + mixed.alertAfter()) + (mixed.haltAfter() == null ? "" : ", halt after " + mixed.haltAfter()));
        }
        guards.add("a failed step means what the procedure says for it (halt, retry, require-reboot); any failure"
                + " that is not the command's own (host key, unreachable, time-out) halts");
        return guards;
    }

    /**
     * The longest the rollout can take by the procedure's time-outs: each upgraded node's steps, a reboot the
     * procedure plans and the health gate, nodes {@code maxUnavailable} at a time (all at once offline), the delays
     * between nodes, and for each deferred node its stop and start. An upper bound, not a forecast; the retries and the
     * remedy reboot are not in it.
     */
    static Duration estimate(Rollout rollout) {
        Duration perNode = Duration.ZERO;
        for (StepDefinition step : rollout.procedure.steps()) {
            perNode = perNode.plus(step.timeout() == null ? Duration.ZERO : step.timeout());
        }
        perNode = perNode.plus(rollout.procedure.health().timeout());
        ClusterRegistered.Hooks hooks = NodeDriver.hooks(rollout);
        for (ClusterRegistered.Hook hook : new ClusterRegistered.Hook[] {hooks.beforeDisruption(), hooks.afterActive()}) {
            perNode = hook == null ? perNode : perNode.plus(hook.timeoutOrDefault());
        }
        long upgraded = rollout.nodes.stream().filter(n -> n.phase() == NodePhase.PENDING).count();
        long deferred = rollout.nodes.stream().filter(n -> n.phase() == NodePhase.DEFERRED).count();
        long batches = upgraded == 0 ? 0 : (upgraded + rollout.maxUnavailable - 1) / rollout.maxUnavailable;
        Duration total = perNode.multipliedBy(batches);
        Duration delay = rollout.request.delayBetweenNodes();
        if (delay != null && upgraded > 1) {
            total = total.plus(delay.multipliedBy(upgraded - 1));
        }
        return total.plus(NodeDriver.OUT_OF_ORDER_COMMAND_TIMEOUT.multipliedBy(2)
                .plus(rollout.procedure.health().timeout()).multipliedBy(deferred));
    }

    private static List<RolloutPlanned.PlannedStep> steps(Rollout rollout, NodeProgress node, Map<String, String> builders) {
        ProcedureRules.Artifact artifact = rollout.procedure.artifact();
        Map<String, String> values = NodeDriver.values(rollout, node);
        List<RolloutPlanned.PlannedStep> steps = new ArrayList<>();
        ClusterRegistered.Hooks hooks = NodeDriver.hooks(rollout);
        boolean beforeHookPlanned = hooks.beforeDisruption() == null;
        for (StepDefinition step : rollout.procedure.steps()) {
            if (!beforeHookPlanned && step.disruptive()) {
                steps.add(hook(NodeDriver.BEFORE_HOOK_STEP, hooks.beforeDisruption()));
                beforeHookPlanned = true;
            }
            if (artifact != null && step.name().equals(artifact.step())) {
                String key = NodeDriver.artifactKey(rollout, node);
                String builder = builders.computeIfAbsent(key, k -> node.name());
                steps.add(builder.equals(node.name())
                        ? new RolloutPlanned.PlannedStep(step.name(), step.render(values), step.timeout(), step.disruptive(),
                                "build " + key)
                        : new RolloutPlanned.PlannedStep(step.name(), null, step.timeout(), false,
                                "push " + key + " built on " + builder));
            } else {
                steps.add(new RolloutPlanned.PlannedStep(step.name(), step.render(values), step.timeout(),
                        step.disruptive(), null));
            }
        }
        if (hooks.afterActive() != null) {
            steps.add(hook(NodeDriver.AFTER_HOOK_STEP, hooks.afterActive()));
        }
        return steps;
    }

    private static RolloutPlanned.PlannedStep hook(String name, ClusterRegistered.Hook hook) {
        return new RolloutPlanned.PlannedStep(name, hook.command(), hook.timeoutOrDefault(), true, null);
    }

    private static String position(Rollout rollout, NodeProgress node, int index, int of, Map<String, String> reported) {
        String nth = ordinal(index) + " of " + of + " to upgrade";
        if (rollout.offline) {
            nth = "one of " + of + " nodes taken down together (complete update)";
        }
        return switch (rollout.procedure.ordering()) {
            case MEMBERSHIP_ADDRESS_DESC -> nth + " by membership address, highest first, compared as numbers: "
                    + node.orderingAddress + (reported.containsKey(node.name())
                    ? ", as the cluster's membership reports it" : ", the inventory's clusterAddress (the cluster's"
                    + " membership has not reported one)");
            case LABEL -> nth + " by the " + rollout.procedure.orderingLabel() + " label, lowest first: "
                    + (node.orderingAddress == null ? "no such label, so last" : node.orderingAddress);
            case INVENTORY -> nth + " in inventory order";
        };
    }

    private static Map<String, String> reportedAddresses(MembershipObserved membership) {
        Map<String, String> reported = new HashMap<>();
        if (membership != null) {
            membership.members().forEach(m -> {
                if (m.clusterAddress() != null) {
                    reported.put(m.nodeName(), m.clusterAddress());
                }
            });
        }
        return reported;
    }

    private static String ordinal(int n) {
        int mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }
}
