package dev.baton.health.node;

import dev.baton.contracts.HealthEvent;
import java.util.List;

/**
 * The result of one observation: the node's next state and the edges to publish on {@code baton.health.v1}
 * (zero, one, or, when a reboot completes a one-probe window, two), in order.
 */
public record Transition(NodeHealth next, List<HealthEvent> edges) {
    public Transition {
        edges = List.copyOf(edges);
    }
}
