package dev.baton.planner.rollout;

import dev.baton.contracts.NodeCommand;
import java.time.Duration;

/**
 * What {@link NodeDriver} sends a node next, before the ids, target and epoch make it a {@link NodeCommand}.
 *
 * @param phase the node's phase while the command is in flight
 * @param step the step's name (part of the deterministic command id)
 * @param command the rendered command line; null for a push or a plain reboot
 * @param artifact for build-artifact and push-artifact: which artifact
 */
record StepCommand(NodePhase phase, String step, NodeCommand.Kind kind, String command, Duration timeout,
                   boolean disruptive, NodeCommand.Artifact artifact) {

    /** A reboot of the node; disruptive by nature. */
    static StepCommand reboot(NodePhase phase, String step, Duration timeout) {
        return new StepCommand(phase, step, NodeCommand.Kind.REBOOT, "reboot", timeout, true, null);
    }

    /** A command line run on the node. */
    static StepCommand run(NodePhase phase, String step, String command, Duration timeout, boolean disruptive) {
        return new StepCommand(phase, step, NodeCommand.Kind.RUN, command, timeout, disruptive, null);
    }
}
