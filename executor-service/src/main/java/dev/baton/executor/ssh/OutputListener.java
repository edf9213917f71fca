package dev.baton.executor.ssh;

/**
 * Receives a running command's output (stdout and stderr interleaved) as it arrives, e.g. to stream it as
 * {@code StepOutput} chunks. Called from the output pump threads; must not block for long. Touches no topic itself.
 */
@FunctionalInterface
public interface OutputListener {

    /** Ignores everything. */
    OutputListener NONE = (bytes, offset, length) -> { };

    void onOutput(byte[] bytes, int offset, int length);
}
