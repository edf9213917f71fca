package dev.baton.contracts;

/** Events on {@link Topics#ROLLOUTS}: every decision the planner takes. */
public sealed interface RolloutEvent extends BatonEvent
        permits RolloutAccepted, RolloutRejected, RolloutPlanned, NodeUpgradeStarted, NodeUpgraded,
        RolloutPaused, RolloutResumed, RolloutHalted, RolloutAborted, RolloutCompleted, GuardBlocked,
        MixedVersionWindowOpened, MixedVersionWindowClosed, OutOfOrderDetected {

    @Override
    String rolloutId();
}
