package dev.baton.contracts;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The inventory of a cluster, published on {@link Topics#CLUSTERS} by fleet management or the CLI.
 *
 * @param procedure name of the procedure that upgrades this product (e.g. {@code matrix-server})
 * @param executorPool which executors can reach the nodes (null = any)
 */
public record ClusterRegistered(
        String clusterId,
        String product,
        String procedure,
        String executorPool,
        List<Node> nodes,
        Hooks hooks) implements ClusterEvent {

    public ClusterRegistered {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /** A cluster without hooks. */
    public ClusterRegistered(String clusterId, String product, String procedure, String executorPool, List<Node> nodes) {
        this(clusterId, product, procedure, executorPool, nodes, null);
    }

    /** The same cluster with these hooks. */
    public ClusterRegistered withHooks(Hooks newHooks) {
        return new ClusterRegistered(clusterId, product, procedure, executorPool, nodes, newHooks);
    }

    /**
     * This cluster's own commands around each node's upgrade, for what the product's procedure cannot know: the
     * applications on the node, a load balancer in front of it.
     *
     * @param beforeDisruption runs on a node before its first disruptive step (stop the applications, drain it)
     * @param afterActive runs on a node once health sees it active on the target, before it counts as done (start the
     *                    applications, undrain it); the node keeps its place in the budget until it succeeds
     */
    public record Hooks(Hook beforeDisruption, Hook afterActive) {
    }

    /**
     * One hook command.
     *
     * @param timeout how long it may take (null: five minutes)
     * @param onFailure what its failure (a non-zero exit) means: {@code halt} (the default: the rollout halts, the node
     *                  keeps its budget) or {@code continue} (noted on the node, the upgrade goes on). A failure that is
     *                  not the command's own (unreachable, host key, time-out) always halts.
     */
    public record Hook(String command, Duration timeout, String onFailure) {
        /** The time-out of a hook that names none. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

        /** Whether a failure of this hook lets the upgrade go on. */
        public boolean continuesOnFailure() {
            return "continue".equals(onFailure);
        }

        /** The time-out, or the default. */
        public Duration timeoutOrDefault() {
            return timeout == null ? DEFAULT_TIMEOUT : timeout;
        }
    }

    /**
     * One node of the cluster.
     *
     * @param sshHost where Baton reaches the node over SSH
     * @param clusterAddress the address the cluster itself knows the node by; can differ from {@code sshHost}
     * @param addresses every network interface of the node
     */
    public record Node(
            String name,
            String sshHost,
            int sshPort,
            String sshUser,
            String clusterAddress,
            List<String> addresses,
            String arch,
            String os,
            Map<String, String> labels) {

        public Node {
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        /** The SSH endpoint of this node. */
        public SshTarget sshTarget() {
            return new SshTarget(sshHost, sshPort, sshUser);
        }
    }

    /** The node with this name, or null. */
    public Node node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }
}
