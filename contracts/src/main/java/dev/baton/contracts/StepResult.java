package dev.baton.contracts;

/** Events on {@link Topics#RESULTS}: what an executor reports about a {@link NodeCommand}. */
public sealed interface StepResult extends BatonEvent permits StepStarted, StepOutput, StepSucceeded, StepFailed {

    String commandId();

    String step();
}
