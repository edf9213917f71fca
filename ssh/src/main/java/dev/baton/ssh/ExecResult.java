package dev.baton.ssh;

/**
 * What a finished remote command left behind: the one result type of a command run over {@link SshClients}, used by
 * the executor (merged output tail) and the health service's probe (standard output and standard error apart).
 *
 * @param exitCode the command's exit status
 * @param output its output: the tail of the merged stdout and stderr (executor), or its standard output (probe)
 * @param errorOutput its standard error when it was kept apart from {@code output}, else empty; never null
 */
public record ExecResult(int exitCode, String output, String errorOutput) {

    public ExecResult {
        output = output == null ? "" : output;
        errorOutput = errorOutput == null ? "" : errorOutput;
    }

    /** A result whose standard error is merged into {@code output}. */
    public ExecResult(int exitCode, String output) {
        this(exitCode, output, "");
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
