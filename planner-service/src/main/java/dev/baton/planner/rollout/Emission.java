package dev.baton.planner.rollout;

import dev.baton.contracts.BatonEvent;

/** A decision of the engine: an event to publish, with who asked for it and what caused it. */
public record Emission(BatonEvent event, String actor, String causationId) {
    /** The event, caused by {@code cause} and asked for by its actor. */
    static Emission of(BatonEvent event, Cause cause) {
        return new Emission(event, cause.actor(), cause.eventId());
    }
}
