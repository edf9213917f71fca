package dev.baton.sandbox.fleet;

/** What one simulated command writes: standard output, standard error, and whether it reboots the node. */
final class Console {

    private final StringBuilder out = new StringBuilder();
    private final StringBuilder err = new StringBuilder();
    private boolean reboot;

    Console out(String line) {
        out.append(line).append('\n');
        return this;
    }

    Console err(String line) {
        err.append(line).append('\n');
        return this;
    }

    void write(String text) {
        out.append(text);
    }

    void writeErr(String text) {
        err.append(text);
    }

    /** The node reboots once the command's output is sent; the connection drops without an exit status. */
    void requestReboot() {
        reboot = true;
    }

    boolean rebootRequested() {
        return reboot;
    }

    String stdout() {
        return out.toString();
    }

    String stderr() {
        return err.toString();
    }
}
