package dev.baton.audit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

/** Read-only HTTP API over the stored messages (no topics; it only reads PostgreSQL). */
@Path("/api/v1/audit/events")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    /** Response header holding the cursor of the next page; absent on the last page. */
    public static final String NEXT_CURSOR = "X-Next-Cursor";

    private final AuditLog auditLog;

    public AuditResource(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /**
     * Stored messages matching the filters (at least one required), in recording order, one page at a time:
     * when the page is full the {@value #NEXT_CURSOR} header (and a {@code Link: rel="next"}) says where the
     * next one starts.
     */
    @GET
    public RestResponse<List<AuditedEvent>> events(@QueryParam("rolloutId") String rolloutId,
                                                   @QueryParam("clusterId") String clusterId,
                                                   @QueryParam("nodeName") String nodeName,
                                                   @QueryParam("type") String type,
                                                   @QueryParam("actor") String actor,
                                                   @QueryParam("from") String from,
                                                   @QueryParam("to") String to,
                                                   @QueryParam("limit") String limit,
                                                   @QueryParam("cursor") String cursor) {
        EventsQuery query = EventsQuery.parse(new EventsQuery.Params(rolloutId, clusterId, nodeName, type, actor,
                from, to, limit, cursor));
        List<AuditedEvent> events = auditLog.find(query);
        RestResponse.ResponseBuilder<List<AuditedEvent>> response = RestResponse.ResponseBuilder.ok(events);
        if (events.size() == query.limit()) {
            String next = Long.toString(events.get(events.size() - 1).seq());
            response.header(NEXT_CURSOR, next);
        }
        return response.build();
    }

    /** How many stored messages match the filters (none given: all). */
    @GET
    @Path("count")
    public EventCount count(@QueryParam("rolloutId") String rolloutId,
                            @QueryParam("clusterId") String clusterId,
                            @QueryParam("nodeName") String nodeName,
                            @QueryParam("type") String type,
                            @QueryParam("actor") String actor,
                            @QueryParam("from") String from,
                            @QueryParam("to") String to) {
        return new EventCount(auditLog.count(EventsQuery.filter(new EventsQuery.Params(rolloutId, clusterId, nodeName,
                type, actor, from, to, null, null))));
    }

    /** The answer to a count query. */
    public record EventCount(long count) {
    }

}
