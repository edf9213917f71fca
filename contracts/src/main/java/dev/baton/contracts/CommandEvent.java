package dev.baton.contracts;

/** Events on {@link Topics#COMMANDS}: what the planner asks an executor to do on a node. */
public sealed interface CommandEvent extends BatonEvent permits NodeCommand {
}
