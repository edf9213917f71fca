package dev.baton.health.cluster;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.MembershipObserved;
import dev.baton.health.node.NodeHealth;
import dev.baton.health.node.Phase;
import java.time.Instant;
import java.util.List;

/**
 * The current health of a cluster as served by {@code GET /api/v1/health/clusters/{id}}; built from
 * {@code baton.clusters.v1} and the probes (not read back from {@code baton.health.v1}).
 *
 * @param problem why the cluster is not probed (e.g. an unknown procedure), else null
 * @param membership the last {@code MembershipObserved} published for it, or null
 */
public record ClusterView(String clusterId, String product, String procedure, String problem, List<NodeView> nodes,
                          MembershipObserved membership) {

    /** The same with each node's view replaced. */
    public ClusterView withNodes(List<NodeView> replaced) {
        return new ClusterView(clusterId, product, procedure, problem, replaced, membership);
    }

    /** A registered cluster that cannot be probed, and why. */
    public static ClusterView unprobed(ClusterRegistered registration, String problem) {
        List<NodeView> nodes = registration.nodes().stream().map(n -> NodeView.of(n, null)).toList();
        return new ClusterView(registration.clusterId(), registration.product(), registration.procedure(), problem,
                nodes, null);
    }

    /**
     * One node.
     *
     * @param runningVersion the version announced active, else the one the last good probe saw
     * @param since when the last edge was published for the node
     * @param reason the reason of that edge
     * @param lastDetail why the last probe failed, if it did
     * @param probeInterval how often the node is probed now (ISO-8601, without jitter): the interval, or the idle
     *                      interval while it is settled; null before its first probe
     */
    public record NodeView(String name, String sshHost, int sshPort, String clusterAddress, Phase state,
                           String runningVersion, String bootId, Instant since, String reason, Instant lastProbeAt,
                           String lastDetail, String probeInterval) {

        /** The same with how often the node is probed now. */
        public NodeView withProbeInterval(String interval) {
            return new NodeView(name, sshHost, sshPort, clusterAddress, state, runningVersion, bootId, since, reason,
                    lastProbeAt, lastDetail, interval);
        }

        static NodeView of(ClusterRegistered.Node node, NodeHealth health) {
            if (health == null) {
                return new NodeView(node.name(), node.sshHost(), node.sshPort(), node.clusterAddress(), Phase.UNKNOWN,
                        null, null, null, null, null, null, null);
            }
            return new NodeView(node.name(), node.sshHost(), node.sshPort(), node.clusterAddress(), health.phase(),
                    health.runningVersion(), health.bootId(), health.since(), health.reason(), health.lastProbeAt(),
                    health.lastDetail(), null);
        }
    }
}
