package dev.baton.health.cluster;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.MembershipObserved;
import dev.baton.health.node.NodeHealth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Builds the {@link MembershipObserved} picture (published on {@code baton.health.v1}) of a cluster. Pure. */
public final class Membership {
    private Membership() {
    }

    /**
     * The membership of a cluster.
     *
     * @param reportedAddresses the addresses the cluster itself reports (its membership command), in its order,
     *        followed by the inventory nodes it does not list (under their {@code clusterAddress}); null for a
     *        procedure without a membership command, in which case every inventory node is a member under its
     *        {@code clusterAddress}
     */
    public static MembershipObserved observe(ClusterRegistered cluster, Map<String, NodeHealth> nodes,
                                             List<String> reportedAddresses) {
        return observe(cluster, nodes, reportedAddresses, Map.of());
    }

    /** The same, each member with whether it holds the procedure's shared resource ({@code holds}; absent: unknown). */
    public static MembershipObserved observe(ClusterRegistered cluster, Map<String, NodeHealth> nodes,
                                             List<String> reportedAddresses, Map<String, Boolean> holds) {
        List<MembershipObserved.Member> members = new ArrayList<>();
        if (reportedAddresses == null) {
            for (ClusterRegistered.Node node : cluster.nodes()) {
                members.add(member(node.name(), node.clusterAddress(), nodes.get(node.name()), holds.get(node.name())));
            }
        } else {
            Set<String> listed = new HashSet<>();
            for (String address : reportedAddresses) {
                Optional<ClusterRegistered.Node> node = nodeAt(cluster, address);
                node.ifPresent(n -> listed.add(n.name()));
                members.add(member(node.map(ClusterRegistered.Node::name).orElse(null), address,
                        node.map(n -> nodes.get(n.name())).orElse(null), node.map(n -> holds.get(n.name())).orElse(null)));
            }
            // inventory nodes the cluster does not list (left, or not admitted): after the listed ones, under their
            // clusterAddress, so the picture shows who is out and on which version (e.g. the old servers of an
            // out-of-order Matrix upgrade, or an old server that may no longer rejoin)
            for (ClusterRegistered.Node node : cluster.nodes()) {
                if (!listed.contains(node.name())) {
                    members.add(member(node.name(), node.clusterAddress(), nodes.get(node.name()), holds.get(node.name())));
                }
            }
        }
        long activeVersions = members.stream().filter(MembershipObserved.Member::active)
                .map(MembershipObserved.Member::runningVersion).filter(Objects::nonNull).distinct().count();
        return new MembershipObserved(cluster.clusterId(), members, activeVersions > 1);
    }

    /** The inventory node the cluster knows under {@code address}: by {@code clusterAddress}, else by any of its addresses. */
    public static Optional<ClusterRegistered.Node> nodeAt(ClusterRegistered cluster, String address) {
        Optional<ClusterRegistered.Node> byClusterAddress = cluster.nodes().stream()
                .filter(n -> address.equals(n.clusterAddress())).findFirst();
        return byClusterAddress.isPresent() ? byClusterAddress
                : cluster.nodes().stream().filter(n -> n.addresses().contains(address)).findFirst();
    }

    /** Whether {@code node} is among the reported addresses (under its clusterAddress or any other address). */
    public static boolean isListed(ClusterRegistered.Node node, List<String> reportedAddresses) {
        return reportedAddresses.contains(node.clusterAddress())
                || node.addresses().stream().anyMatch(reportedAddresses::contains);
    }

    private static MembershipObserved.Member member(String nodeName, String address, NodeHealth health, Boolean holds) {
        return health == null
                ? new MembershipObserved.Member(nodeName, address, null, false, holds)
                : new MembershipObserved.Member(nodeName, address, health.runningVersion(), health.active(), holds);
    }
}
