package dev.baton.contracts;

import java.util.Optional;

/**
 * Why a step or a node failed, the one list of these codes: the {@code errorCode} of a {@link StepFailed} (what the
 * executor reports) and the {@code code} of the {@link RolloutHalted} a failed node causes (the planner passes the
 * step's code on, or names its own verdict). On the wire as the constant's name; readers match on the name and treat a
 * name they do not know as a failure that is not the command's own.
 */
public enum FailureCode {
    // ---- reported by the executor on baton.results.v1 (StepFailed.errorCode)
    /** The node's host key is unknown or has changed; nothing was run on it. */
    HOST_KEY_MISMATCH,
    /** The node could not be reached over SSH. */
    UNREACHABLE,
    /** The node did not accept the executor's SSH key. */
    AUTH_FAILED,
    /** The command ran and exited with a non-zero status: the only failure whose meaning the procedure judges. */
    EXIT_STATUS,
    /** The step did not finish within its timeout. */
    TIMEOUT,
    /** The connection dropped while the command ran. */
    CONNECTION_LOST,
    /** The executor cannot run commands of this kind. */
    UNSUPPORTED_KIND,
    /** Another executor started the command and recorded no outcome; it was not run again. */
    IN_DOUBT,
    /** The artifact is not where the command says. */
    ARTIFACT_MISSING,
    /** Copying the artifact failed or its checksum did not match. */
    ARTIFACT_TRANSFER,
    /** The command is incomplete; nothing was run. */
    INVALID_COMMAND,
    /** The executor failed unexpectedly. */
    EXECUTOR_ERROR,
    /** The command reached an executor after its {@code startBy}: the planner has given up on it; nothing was run. */
    COMMAND_EXPIRED,

    // ---- the planner's own verdicts on baton.rollouts.v1 (RolloutHalted.code)
    /** A StepFailed that carried no errorCode. */
    STEP_FAILED,
    /** A retry step failed on every attempt the procedure allows. */
    RETRIES_EXHAUSTED,
    /** No result for a step within its timeout plus the planner's grace. */
    STEP_RESULT_MISSING,
    /** The node did not become active on the target within the procedure's health timeout (after the remedy). */
    HEALTH_TIMEOUT;

    /** The code of this name, if it is one. */
    public static Optional<FailureCode> of(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }
}
