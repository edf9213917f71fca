package dev.baton.sandbox.fleet;

import dev.baton.contracts.ClusterRegistered;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A fleet of simulated nodes for tests and the demo: one real SSH server per node on its own loopback address
 * (127.77.C.N), a client key that every node authorizes, and a known_hosts file holding every node's host key.
 * {@link #registrations()} gives the inventory to publish on {@code baton.clusters.v1}; the fleet itself touches
 * no topic.
 *
 * <pre>{@code
 * try (SimulatedFleet fleet = SimulatedFleet.start(FleetSpec.fromClasspath("/fleets/demo.yaml"), workDir)) {
 *     fleet.knownHostsFile(); fleet.clientPrivateKey(); fleet.node("matrix-prod", "srv4").faults().refuseStop(true);
 * }
 * }</pre>
 */
public final class SimulatedFleet implements AutoCloseable {

    /** File names written to the work directory. */
    public static final String PRIVATE_KEY_FILE = "id_ed25519";
    public static final String KNOWN_HOSTS_FILE = "known_hosts";

    private final FleetSpec spec;
    private final Path knownHosts;
    private final Path privateKey;
    private final Path nodeFiles;
    private final Map<String, List<SimulatedNode>> clusters = new LinkedHashMap<>();
    private final ExecutorService commands;
    private final ScheduledExecutorService scheduler;
    private final SharedSshIo io = new SharedSshIo();

    private SimulatedFleet(FleetSpec spec, Path workDir) {
        this.spec = spec;
        this.knownHosts = workDir.resolve(KNOWN_HOSTS_FILE);
        this.privateKey = workDir.resolve(PRIVATE_KEY_FILE);
        this.nodeFiles = workDir.resolve("nodes");
        this.commands = Executors.newCachedThreadPool(daemonThreads("baton-fleet-exec"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("baton-fleet-reboot"));
    }

    /**
     * Starts every node of the spec and writes {@code id_ed25519} (the client key, OpenSSH format, mode 600) and
     * {@code known_hosts} to {@code workDir} (created if missing).
     */
    public static SimulatedFleet start(FleetSpec spec, Path workDir) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the fleet's work directory " + workDir, e);
        }
        SimulatedFleet fleet = new SimulatedFleet(spec, workDir);
        try {
            fleet.boot();
            return fleet;
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    private void boot() {
        KeyPair client = SshKeys.generate();
        SshKeys.writePrivateKey(client, privateKey, "baton-sandbox");
        for (FleetSpec.Cluster cluster : spec.clusters()) {
            List<Machine> machines = cluster.nodes().stream()
                    .map(node -> new Machine(cluster.id(), node, spec.sshUser(), node.faults().copy(),
                            new VirtualFiles(nodeFiles.resolve(cluster.id()).resolve(node.name()))))
                    .toList();
            SimulatedProduct product = SimulatedProduct.of(cluster, machines);
            List<SimulatedNode> nodes = new ArrayList<>();
            for (Machine machine : machines) {
                SimulatedNode node = new SimulatedNode(machine, product, cluster.node(machine.name()).sshHost(),
                        cluster.sshPort(), spec.sshUser(), client.getPublic(), spec.rebootDowntime(), commands, scheduler, io);
                nodes.add(node);
                clusters.put(cluster.id(), nodes);
                try {
                    node.startServer();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the SSH server of " + cluster.id() + "/" + machine.name()
                            + " on " + node.sshHost() + ":" + cluster.sshPort() + ": " + e.getMessage(), e);
                }
            }
        }
        String lines = nodes().stream().map(SimulatedNode::knownHostsLine).collect(Collectors.joining("\n", "", "\n"));
        try {
            Files.writeString(knownHosts, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + knownHosts, e);
        }
    }

    public FleetSpec spec() {
        return spec;
    }

    /** The OpenSSH known_hosts file with every node's host key ({@code [host]:port ssh-ed25519 ...}). */
    public Path knownHostsFile() {
        return knownHosts;
    }

    /** The client's private key (OpenSSH format, ed25519, unencrypted); the only key the nodes accept. */
    public Path clientPrivateKey() {
        return privateKey;
    }

    /** One {@code ClusterRegistered} per cluster, with the nodes' actual SSH endpoints. */
    public List<ClusterRegistered> registrations() {
        List<ClusterRegistered> registrations = new ArrayList<>();
        for (FleetSpec.Cluster cluster : spec.clusters()) {
            List<ClusterRegistered.Node> nodes = new ArrayList<>();
            for (SimulatedNode node : nodes(cluster.id())) {
                FleetSpec.Node n = cluster.node(node.name());
                nodes.add(new ClusterRegistered.Node(n.name(), node.sshHost(), node.sshPort(), spec.sshUser(),
                        n.clusterAddress(), n.addresses(), n.arch(), n.os(), Map.of()));
            }
            registrations.add(new ClusterRegistered(cluster.id(), cluster.product().id(), cluster.procedure(), null, nodes,
                    cluster.hooks()));
        }
        return registrations;
    }

    /** The registration of one cluster. */
    public ClusterRegistered registration(String clusterId) {
        return registrations().stream().filter(r -> r.clusterId().equals(clusterId)).findFirst()
                .orElseThrow(() -> unknownCluster(clusterId));
    }

    /** A node by cluster id and node name; throws IllegalArgumentException naming what exists if there is none. */
    public SimulatedNode node(String clusterId, String nodeName) {
        return nodes(clusterId).stream().filter(n -> n.name().equals(nodeName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cluster '" + clusterId + "' has no node '" + nodeName
                        + "' (nodes: " + nodes(clusterId).stream().map(SimulatedNode::name).toList() + ")"));
    }

    /** The nodes of a cluster in spec order. */
    public List<SimulatedNode> nodes(String clusterId) {
        List<SimulatedNode> nodes = clusters.get(clusterId);
        if (nodes == null) {
            throw unknownCluster(clusterId);
        }
        return List.copyOf(nodes);
    }

    /** Every node of every cluster. */
    public List<SimulatedNode> nodes() {
        return clusters.values().stream().flatMap(List::stream).toList();
    }

    private IllegalArgumentException unknownCluster(String clusterId) {
        return new IllegalArgumentException("the fleet has no cluster '" + clusterId + "' (clusters: " + clusters.keySet() + ")");
    }

    /** Stops every SSH server and every pending reboot. */
    @Override
    public void close() {
        for (SimulatedNode node : nodes()) {
            node.close();
        }
        scheduler.shutdownNow();
        commands.shutdownNow();
        io.close();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
