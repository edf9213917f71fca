package dev.baton.planner.plan;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.MembershipObserved;
import dev.baton.procedure.Procedure;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders a cluster's nodes for a rollout by the procedure's policy. Pure function.
 *
 * <p>{@code membership-address-desc} (Matrix Server): highest address first, compared as numbers
 * (10.10.1.10 &gt; 10.10.1.9), using the address the cluster's own membership reports for the node
 * ({@link MembershipObserved}); only when no membership has been observed does it fall back to the
 * inventory's {@code clusterAddress}. Never the SSH address: a node's SSH interface can differ.
 * {@code label}: by the rank in the node label the procedure names, lowest first (numeric when numbers).
 */
public final class NodeOrdering {

    private NodeOrdering() {
    }

    /** One node in plan order with the address the ordering used (null for inventory order). */
    public record Ordered(ClusterRegistered.Node node, String orderingAddress) {
    }

    public static List<Ordered> order(ClusterRegistered cluster, Procedure procedure, MembershipObserved membership) {
        List<Ordered> ordered = new ArrayList<>();
        switch (procedure.ordering()) {
            case LABEL -> {
                String label = procedure.orderingLabel();
                cluster.nodes().forEach(node -> ordered.add(new Ordered(node, node.labels().get(label))));
                ordered.sort(Comparator.comparing(Ordered::orderingAddress, NodeOrdering::compareRanks));
            }
            case INVENTORY -> cluster.nodes().forEach(node -> ordered.add(new Ordered(node, node.clusterAddress())));
            case MEMBERSHIP_ADDRESS_DESC -> {
                Map<String, String> reported = new HashMap<>();
                if (membership != null) {
                    membership.members().forEach(m -> {
                        if (m.clusterAddress() != null) {
                            reported.put(m.nodeName(), m.clusterAddress());
                        }
                    });
                }
                cluster.nodes().forEach(node -> ordered.add(
                        new Ordered(node, reported.getOrDefault(node.name(), node.clusterAddress()))));
                ordered.sort(Comparator.comparing((Ordered o) -> numeric(o.orderingAddress())).reversed());
            }
        }
        return ordered;
    }

    /** Ranks lowest first: numerically when both are numbers, else as text; a node without the label goes last. */
    static int compareRanks(String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a.matches("-?\\d+") && b.matches("-?\\d+")) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        return a.compareTo(b);
    }

    /** An IPv4 or IPv6 literal as an unsigned number; anything else sorts first (lowest). */
    static BigInteger numeric(String address) {
        // only literals: never let an ordering decision depend on a DNS lookup
        if (address == null || !(address.matches("\\d{1,3}(\\.\\d{1,3}){3}") || address.matches("[0-9a-fA-F:]*:[0-9a-fA-F:.]*"))) {
            return BigInteger.valueOf(-1);
        }
        try {
            return new BigInteger(1, InetAddress.getByName(address).getAddress());
        } catch (UnknownHostException e) {
            return BigInteger.valueOf(-1);
        }
    }
}
