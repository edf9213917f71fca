package dev.baton.health.probe;

import dev.baton.ssh.ExecResult;

/**
 * What one probe command on a node came to, as seen by a {@link NodeProbe}: the command's result (the shared
 * {@link ExecResult}'s exit status and standard output, standard error as detail), or why it got none.
 *
 * @param exitCode the command's exit status (only for {@link Kind#COMPLETED})
 * @param output its standard output (only for {@link Kind#COMPLETED})
 * @param detail why it did not complete, or its standard error; never a secret
 */
public record ProbeAnswer(Kind kind, int exitCode, String output, String detail) {

    /** How far the command got. */
    public enum Kind {
        /** The command ran and exited. */
        COMPLETED,
        /** No connection, no login, or no answer within the timeout. */
        UNREACHABLE,
        /** The host presented a key known_hosts does not hold (or holds differently); nothing was run. */
        HOST_KEY_REJECTED
    }

    /** The answer of a command that ran: its exit status, standard output, and standard error as detail (if any). */
    public static ProbeAnswer completed(ExecResult result) {
        return completed(result.exitCode(), result.output(),
                result.errorOutput().isBlank() ? null : result.errorOutput().strip());
    }

    public static ProbeAnswer completed(int exitCode, String output, String stderr) {
        return new ProbeAnswer(Kind.COMPLETED, exitCode, output == null ? "" : output, stderr);
    }

    public static ProbeAnswer unreachable(String detail) {
        return new ProbeAnswer(Kind.UNREACHABLE, -1, "", detail);
    }

    public static ProbeAnswer hostKeyRejected(String detail) {
        return new ProbeAnswer(Kind.HOST_KEY_REJECTED, -1, "", detail);
    }
}
