package dev.baton.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A validated request for stored messages: at least one filter, how many at most, and where the previous page
 * ended.
 *
 * @param after the cursor: only messages recorded after the one with this {@code seq} (null: from the start)
 */
public record EventsQuery(AuditFilter filter, int limit, Long after) {
    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 10_000;

    /** The raw query parameters of {@code GET /api/v1/audit/events}. */
    public record Params(String rolloutId, String clusterId, String nodeName, String type, String actor,
                         String from, String to, String limit, String cursor) {
    }

    /** Validates rollout, cluster, type and limit only (no paging). */
    public static EventsQuery parse(String rolloutId, String clusterId, String type, String limit) {
        return parse(new Params(rolloutId, clusterId, null, type, null, null, null, limit, null));
    }

    /** Validates query parameters; throws {@link InvalidQueryException} naming the offending parameter. */
    public static EventsQuery parse(Params p) {
        AuditFilter filter = filter(p);
        if (filter.isEmpty()) {
            throw new InvalidQueryException("rolloutId",
                    "give at least one filter: rolloutId, clusterId or type (or nodeName, actor, from, to), e.g. ?rolloutId=r-42");
        }
        return new EventsQuery(filter, limit(p.limit()), cursor(p.cursor()));
    }

    /** The filter alone (counting allows an empty one). */
    public static AuditFilter filter(Params p) {
        Instant from = time("from", p.from());
        Instant to = time("to", p.to());
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidQueryException("to", "to must be after from, got from=" + p.from() + " to=" + p.to());
        }
        return AuditFilter.of(p.rolloutId(), p.clusterId(), p.nodeName(), p.type(), p.actor(), from, to);
    }

    private static Instant time(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new InvalidQueryException(field,
                    field + " must be an RFC 3339 time in UTC such as 2026-11-22T10:00:00Z, got '" + text + "'");
        }
    }

    private static Long cursor(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            long after = Long.parseLong(text.trim());
            if (after >= 0) {
                return after;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidQueryException("cursor",
                "cursor must be the nextCursor value of the previous page (X-Next-Cursor header), got '" + text + "'");
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
