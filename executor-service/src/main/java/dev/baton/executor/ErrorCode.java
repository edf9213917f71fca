package dev.baton.executor;

import dev.baton.contracts.FailureCode;
import dev.baton.executor.ssh.ShellFailure;

/**
 * How a step failed, as the executor tells it, with a sentence saying what it means. Published as the
 * {@code errorCode} of a {@link dev.baton.contracts.StepFailed} on {@code baton.results.v1} through {@link #code()}:
 * each value is the {@link FailureCode} of the same name, the one list the planner reads too.
 */
public enum ErrorCode {
    HOST_KEY_MISMATCH("the node's host key is unknown or has changed; nothing was run on it"),
    UNREACHABLE("the node could not be reached over SSH (refused, timed out, no route)"),
    AUTH_FAILED("the node did not accept the executor's SSH key, or the key file is unusable"),
    EXIT_STATUS("the command exited with a non-zero status"),
    TIMEOUT("the step did not finish within its timeout"),
    CONNECTION_LOST("the connection dropped while the command ran, before it reported an exit status"),
    UNSUPPORTED_KIND("this executor cannot run commands of this kind yet"),
    IN_DOUBT("another executor (or an earlier delivery) started this command on the node and recorded no outcome "
            + "within the step timeout; it was not run again"),
    ARTIFACT_MISSING("the artifact is not where the command says (nothing built there, or not in this executor's cache)"),
    ARTIFACT_TRANSFER("copying the artifact over SFTP failed or its checksum did not match"),
    INVALID_COMMAND("the command is incomplete (no id, target or command line); nothing was run"),
    EXECUTOR_ERROR("the executor failed unexpectedly; see its log"),
    COMMAND_EXPIRED("the command reached this executor after its startBy, when the planner no longer waits for it; "
            + "nothing was run");

    private final String meaning;

    ErrorCode(String meaning) {
        this.meaning = meaning;
    }

    /** The code on the wire ({@code StepFailed.errorCode}): the contract's code of the same name. */
    public FailureCode code() {
        return FailureCode.valueOf(name());
    }

    /** A human-readable sentence saying what this code means. */
    public String meaning() {
        return meaning;
    }

    /** The step error that an SSH failure amounts to. */
    public static ErrorCode of(ShellFailure failure) {
        return switch (failure) {
            case HOST_KEY_MISMATCH -> HOST_KEY_MISMATCH;
            case UNREACHABLE -> UNREACHABLE;
            case AUTH_FAILED -> AUTH_FAILED;
            case TIMEOUT -> TIMEOUT;
            case CONNECTION_LOST -> CONNECTION_LOST;
            case FILE_TRANSFER -> ARTIFACT_TRANSFER;
        };
    }
}
