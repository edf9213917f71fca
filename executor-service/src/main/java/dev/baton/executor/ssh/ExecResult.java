package dev.baton.executor.ssh;

/**
 * What a finished remote command left behind.
 *
 * @param exitCode the command's exit status
 * @param output the tail of its merged stdout and stderr (at most {@link OutputTail#DEFAULT_LIMIT} bytes)
 */
public record ExecResult(int exitCode, String output) {

    public boolean succeeded() {
        return exitCode == 0;
    }
}
