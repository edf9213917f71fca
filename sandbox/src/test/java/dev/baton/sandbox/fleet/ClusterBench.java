package dev.baton.sandbox.fleet;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One simulated cluster without SSH: the product model and a shell per node, for fast unit tests. */
final class ClusterBench {

    final SimulatedProduct product;
    private final Map<String, Machine> machines = new LinkedHashMap<>();
    private final Map<String, NodeShell> shells = new LinkedHashMap<>();

    private ClusterBench(FleetSpec spec, String clusterId) {
        FleetSpec.Cluster cluster = spec.cluster(clusterId);
        List<Machine> list = cluster.nodes().stream()
                .map(n -> new Machine(cluster.id(), n, spec.sshUser(), n.faults().copy()))
                .toList();
        product = SimulatedProduct.of(cluster, list);
        for (Machine machine : list) {
            machines.put(machine.name(), machine);
            shells.put(machine.name(), new NodeShell(machine, product, spec.sshUser()));
        }
    }

    static ClusterBench of(String yaml, String clusterId) {
        return new ClusterBench(FleetSpec.parse(yaml), clusterId);
    }

    static ClusterBench demo(String clusterId) {
        return new ClusterBench(FleetSpec.fromClasspath("/fleets/demo.yaml"), clusterId);
    }

    CommandResult run(String node, String commandLine) {
        return run(node, commandLine, "");
    }

    CommandResult run(String node, String commandLine, String stdin) {
        return shells.get(node).run(commandLine, () -> stdin.getBytes(StandardCharsets.UTF_8));
    }

    Machine machine(String node) {
        return machines.get(node);
    }

    Faults faults(String node) {
        return machines.get(node).faults();
    }

    /** The machine goes down as in the first half of a reboot. */
    void down(String node) {
        synchronized (product) {
            product.shutdown(machines.get(node));
            machines.get(node).goDown();
        }
    }

    /** The machine boots as in the second half of a reboot. */
    void boot(String node) {
        synchronized (product) {
            machines.get(node).boot();
            product.boot(machines.get(node));
        }
    }

    void reboot(String node) {
        down(node);
        boot(node);
    }

    String runningVersion(String node) {
        return product.runningVersion(machines.get(node));
    }

    String installedVersion(String node) {
        return product.installedVersion(machines.get(node));
    }

    boolean active(String node) {
        return product.active(machines.get(node));
    }
}
