package dev.baton.audit;

/**
 * Which stored messages a query selects; every given field must match exactly, absent fields match all.
 *
 * @param type the CloudEvents type, e.g. {@code dev.baton.NodeUpgraded.v1}
 */
public record AuditFilter(String rolloutId, String clusterId, String type) {

    /** A filter from query parameters; blank values count as absent. */
    public static AuditFilter of(String rolloutId, String clusterId, String type) {
        return new AuditFilter(blankToNull(rolloutId), blankToNull(clusterId), blankToNull(type));
    }

    public boolean isEmpty() {
        return rolloutId == null && clusterId == null && type == null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
