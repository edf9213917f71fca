package dev.baton.planner.rollout;

import dev.baton.contracts.BatonEvent;

/** A decision of the engine: an event to publish, with who asked for it and what caused it. */
public record Emission(BatonEvent event, String actor, String causationId) {
}
