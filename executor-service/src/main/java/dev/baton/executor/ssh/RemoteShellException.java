package dev.baton.executor.ssh;

/** A remote command could not run to an exit status; {@link #failure()} says why, {@link #output()} holds any output seen. */
public class RemoteShellException extends Exception {
    private final ShellFailure failure;
    private final String output;

    public RemoteShellException(ShellFailure failure, String message) {
        this(failure, message, null, null);
    }

    public RemoteShellException(ShellFailure failure, String message, String output, Throwable cause) {
        super(message, cause);
        this.failure = failure;
        this.output = output;
    }

    public ShellFailure failure() {
        return failure;
    }

    /** The tail of the output the command produced before it failed, or null. */
    public String output() {
        return output;
    }
}
