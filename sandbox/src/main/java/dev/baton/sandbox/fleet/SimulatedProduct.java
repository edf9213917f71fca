package dev.baton.sandbox.fleet;

import java.util.List;

/**
 * The product a simulated cluster runs, with its cluster-wide state. Every method is called while holding the
 * product's monitor ({@code synchronized (product)}), so one command at a time changes a cluster. Touches no topic.
 */
sealed interface SimulatedProduct permits DolphinExpressWare, MatrixServer {

    /** The model of a cluster's product over its machines, each starting on its spec'd version, running. */
    static SimulatedProduct of(FleetSpec.Cluster cluster, List<Machine> machines) {
        return switch (cluster.product()) {
            case DOLPHIN_EXPRESSWARE -> new DolphinExpressWare(cluster, machines);
            case MATRIX_SERVER -> new MatrixServer(cluster, machines);
        };
    }

    /**
     * Runs one of the product's commands.
     *
     * @return the exit status, or -1 if {@code argv} is not a command of this product
     */
    int run(Machine machine, List<String> argv, String cwd, Console console);

    /**
     * Whether a script file of this name is one of the product's commands (then the shell runs it with
     * {@link #run}, its path first); a node runs no other script.
     */
    default boolean runsScript(String fileName) {
        return false;
    }

    /** The scripts {@link #runsScript} accepts, in words: "the ... installer", or "no scripts". */
    default String scripts() {
        return "no scripts";
    }

    /** The machine is going down: the product stops on it without a word. */
    void shutdown(Machine machine);

    /** The machine has booted: the product starts as its init scripts would. */
    void boot(Machine machine);

    /** The version the node runs now, or null when the product is not running there. */
    String runningVersion(Machine machine);

    /** The version installed on disk. */
    String installedVersion(Machine machine);

    /** Whether the node serves: Dolphin services up, or a Matrix Server that is a member of the matrix. */
    boolean active(Machine machine);

    /** A one-line status for diagnostics and test failure messages. */
    String describe(Machine machine);
}
