package dev.baton.contracts;

/** Events on {@link Topics#HEALTH}: what the health service observes about nodes and memberships. */
public sealed interface HealthEvent extends BatonEvent permits NodeActive, NodeInactive, MembershipObserved {
}
