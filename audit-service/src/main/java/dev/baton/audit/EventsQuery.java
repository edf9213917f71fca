package dev.baton.audit;

/** A validated request for stored messages: at least one filter, and how many at most. */
public record EventsQuery(AuditFilter filter, int limit) {
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;

    /** Validates query parameters; throws {@link InvalidQueryException} naming the offending parameter. */
    public static EventsQuery parse(String rolloutId, String clusterId, String type, String limit) {
        AuditFilter filter = AuditFilter.of(rolloutId, clusterId, type);
        if (filter.isEmpty()) {
            throw new InvalidQueryException("rolloutId",
                    "give at least one filter: rolloutId, clusterId or type (e.g. ?rolloutId=r-42)");
        }
        return new EventsQuery(filter, limit(limit));
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidQueryException("limit",
                "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
    }
}
