package dev.baton.contracts;

/** Events on {@link Topics#REQUESTS}: what fleet management, the CLI or the planner REST API asks for. */
public sealed interface RequestEvent extends BatonEvent permits UpgradeRequested, RolloutControl {
}
