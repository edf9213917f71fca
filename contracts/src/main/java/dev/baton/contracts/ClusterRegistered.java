package dev.baton.contracts;

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
        List<Node> nodes) implements ClusterEvent {

    public ClusterRegistered {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
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
