package dev.baton.planner.rollout;

/** Where an observation came from: the CloudEvents id of the message and its actor. */
public record Cause(String eventId, String actor) {
    public static final Cause TIMER = new Cause(null, "baton-planner");

    /** The same event acting for {@code who} (a rollout's decisions are its requester's). */
    Cause as(String who) {
        return new Cause(eventId, who);
    }
}
