package dev.baton.sandbox.fleet;

/**
 * What one exec'd command line produced on a simulated node.
 *
 * @param reboot the node reboots after the output is sent (the connection drops, no exit status)
 */
public record CommandResult(int exitCode, String stdout, String stderr, boolean reboot) {

    /** Standard output followed by standard error, as a terminal shows them. */
    public String output() {
        return stdout + stderr;
    }
}
