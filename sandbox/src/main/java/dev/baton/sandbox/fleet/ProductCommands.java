package dev.baton.sandbox.fleet;

import java.util.List;

/**
 * Product dispatch of the simulated shell: hands a command no built-in knows to the cluster's product, under the
 * product's monitor (one command at a time changes a cluster). It knows no product by name: each
 * {@link SimulatedProduct} answers for its own commands ({@link SimulatedProduct#run}) and says which script files
 * it runs ({@link SimulatedProduct#runsScript}). Touches no topic.
 */
final class ProductCommands {
    /** What the product answers for a command that is not one of its own. */
    static final int NOT_A_PRODUCT_COMMAND = -1;

    private final Machine machine;
    private final SimulatedProduct product;

    ProductCommands(Machine machine, SimulatedProduct product) {
        this.machine = machine;
        this.product = product;
    }

    /** Whether a file of this name is a script the product runs (e.g. an installer). */
    boolean runsScript(String fileName) {
        return product.runsScript(fileName);
    }

    /** The scripts the product runs, in words, for the error that names what else a node cannot run. */
    String scripts() {
        return product.scripts();
    }

    /**
     * Runs {@code argv} (a command, or a script's path and arguments) as the product.
     *
     * @return the exit status, or {@link #NOT_A_PRODUCT_COMMAND}
     */
    int run(List<String> argv, String cwd, Console console) {
        synchronized (product) {
            return product.run(machine, argv, cwd, console);
        }
    }
}
