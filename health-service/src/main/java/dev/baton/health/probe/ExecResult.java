package dev.baton.health.probe;

/**
 * The result of one command on a node, as seen by a {@link NodeProbe}.
 *
 * @param exitCode the command's exit status (only for {@link Kind#COMPLETED})
 * @param output its standard output (only for {@link Kind#COMPLETED})
 * @param detail why it did not complete, or its standard error; never a secret
 */
public record ExecResult(Kind kind, int exitCode, String output, String detail) {

    /** How far the command got. */
    public enum Kind {
        /** The command ran and exited. */
        COMPLETED,
        /** No connection, no login, or no answer within the timeout. */
        UNREACHABLE,
        /** The host presented a key known_hosts does not hold (or holds differently); nothing was run. */
        HOST_KEY_REJECTED
    }

    public static ExecResult completed(int exitCode, String output, String stderr) {
        return new ExecResult(Kind.COMPLETED, exitCode, output == null ? "" : output, stderr);
    }

    public static ExecResult unreachable(String detail) {
        return new ExecResult(Kind.UNREACHABLE, -1, "", detail);
    }

    public static ExecResult hostKeyRejected(String detail) {
        return new ExecResult(Kind.HOST_KEY_REJECTED, -1, "", detail);
    }
}
