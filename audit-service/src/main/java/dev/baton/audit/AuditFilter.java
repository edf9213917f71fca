package dev.baton.audit;

import java.time.Instant;

/**
 * Which stored messages a query selects; every given field must match exactly, absent fields match all.
 *
 * @param nodeName the {@code ce_nodeid} attribute
 * @param type the CloudEvents type, e.g. {@code dev.baton.NodeUpgraded.v1}
 * @param actor the {@code ce_actor} attribute (who asked)
 * @param from inclusive lower bound of the Kafka record timestamp
 * @param to exclusive upper bound of the Kafka record timestamp
 */
public record AuditFilter(String rolloutId, String clusterId, String nodeName, String type, String actor,
                          Instant from, Instant to) {

    /** A filter on rollout, cluster and type only; blank values count as absent. */
    public static AuditFilter of(String rolloutId, String clusterId, String type) {
        return of(rolloutId, clusterId, null, type, null, null, null);
    }

    /** A filter from query parameters; blank values count as absent. */
    public static AuditFilter of(String rolloutId, String clusterId, String nodeName, String type, String actor,
                                 Instant from, Instant to) {
        return new AuditFilter(blankToNull(rolloutId), blankToNull(clusterId), blankToNull(nodeName),
                blankToNull(type), blankToNull(actor), from, to);
    }

    public boolean isEmpty() {
        return rolloutId == null && clusterId == null && nodeName == null && type == null && actor == null
                && from == null && to == null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
