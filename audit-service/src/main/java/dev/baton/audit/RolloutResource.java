package dev.baton.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.contracts.BatonJson;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout's story over HTTP: its timeline and its compliance report (JSON, CSV or NDJSON). Reads PostgreSQL only.
 */
@Path("/api/v1/audit/rollouts/{rolloutId}")
public class RolloutResource {
    /** The most events one rollout's timeline or report is built from. */
    static final int MAX_EVENTS = 100_000;
    public static final String CSV = "text/csv";
    public static final String NDJSON = "application/x-ndjson";

    private final AuditLog auditLog;
    private final Clock clock = Clock.systemUTC();
    private final ObjectMapper mapper = BatonJson.mapper().copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    public RolloutResource(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /** One entry of a timeline: what happened, when, to which node, on whose behalf. */
    public record TimelineEntry(Instant at, String type, String nodeName, String actor, String topic, long seq,
                                String summary) {
    }

    /** The events of a rollout in the order they happened. */
    public record Timeline(String rolloutId, String clusterId, List<TimelineEntry> events) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Timeline timeline(@PathParam("rolloutId") String rolloutId) {
        List<AuditedEvent> events = eventsOf(rolloutId);
        List<TimelineEntry> entries = new ArrayList<>();
        String clusterId = null;
        for (RolloutReports.Decoded d : RolloutReports.decode(events)) {
            AuditedEvent e = d.stored();
            clusterId = clusterId == null ? e.clusterId() : clusterId;
            entries.add(new TimelineEntry(d.at(), shortType(e.type()), e.nodeName(), e.actor(), e.topic(), e.seq(),
                    summary(e.data())));
        }
        return new Timeline(rolloutId, clusterId, entries);
    }

    /**
     * The compliance report: JSON by default; {@code ?format=csv} or {@code Accept: text/csv} for CSV,
     * {@code ?format=ndjson} or {@code Accept: application/x-ndjson} for one JSON object per line.
     */
    @GET
    @Path("report")
    @Produces({MediaType.APPLICATION_JSON, CSV, NDJSON})
    public Response report(@PathParam("rolloutId") String rolloutId, @QueryParam("format") String format,
                           @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        String chosen = format(format, accept);
        RolloutReport report = RolloutReports.build(rolloutId, eventsOf(rolloutId), clock.instant());
        try {
            return switch (chosen) {
                case "csv" -> Response.ok(ReportExport.csv(report), CSV + "; charset=UTF-8")
                        .header("Content-Disposition", "attachment; filename=\"rollout-" + safe(rolloutId) + ".csv\"").build();
                case "ndjson" -> Response.ok(ReportExport.ndjson(report, mapper), NDJSON).build();
                default -> Response.ok(mapper.writeValueAsString(report), MediaType.APPLICATION_JSON).build();
            };
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<AuditedEvent> eventsOf(String rolloutId) {
        if (rolloutId == null || rolloutId.isBlank()) {
            throw new InvalidQueryException("rolloutId", "give a rollout id, e.g. /api/v1/audit/rollouts/r-42");
        }
        List<AuditedEvent> events = auditLog.find(new EventsQuery(AuditFilter.of(rolloutId, null, null), MAX_EVENTS, null));
        if (events.isEmpty()) {
            throw new UnknownRolloutException(rolloutId);
        }
        return events;
    }

    private static String format(String format, String accept) {
        if (format != null && !format.isBlank()) {
            String f = format.trim().toLowerCase();
            if (f.equals("json") || f.equals("csv") || f.equals("ndjson")) {
                return f;
            }
            throw new InvalidQueryException("format", "format must be json, csv or ndjson, got '" + format + "'");
        }
        if (accept != null && accept.contains(CSV)) {
            return "csv";
        }
        if (accept != null && accept.contains(NDJSON)) {
            return "ndjson";
        }
        return "json";
    }

    private static String shortType(String type) {
        if (type == null) {
            return null;
        }
        String t = type.startsWith("dev.baton.") ? type.substring("dev.baton.".length()) : type;
        return t.endsWith(".v1") ? t.substring(0, t.length() - 3) : t;
    }

    /** The event's data, shortened for a timeline line. */
    private static String summary(String data) {
        if (data == null) {
            return null;
        }
        return data.length() <= 300 ? data : data.substring(0, 297) + "...";
    }

    private static String safe(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** No stored event carries this rollout id: 404. */
    public static class UnknownRolloutException extends RuntimeException {
        public UnknownRolloutException(String rolloutId) {
            super("no stored event belongs to rollout '" + rolloutId + "'; list rollouts with "
                    + "GET /api/v1/audit/events?type=dev.baton.RolloutAccepted.v1");
        }
    }
}
