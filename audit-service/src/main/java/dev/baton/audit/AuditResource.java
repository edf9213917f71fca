package dev.baton.audit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Read-only HTTP API over the audit store (no topics; it only reads PostgreSQL). */
@Path("/api/v1/audit/events")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditLog auditLog;

    public AuditResource(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /** Stored messages matching the filters (at least one required), oldest first. */
    @GET
    public List<AuditedEvent> events(@QueryParam("rolloutId") String rolloutId,
                                     @QueryParam("clusterId") String clusterId,
                                     @QueryParam("type") String type,
                                     @QueryParam("limit") String limit) {
        EventsQuery query = EventsQuery.parse(rolloutId, clusterId, type, limit);
        return auditLog.find(query.filter(), query.limit());
    }

    /** How many stored messages match the filters (none given: all). */
    @GET
    @Path("count")
    public EventCount count(@QueryParam("rolloutId") String rolloutId,
                            @QueryParam("clusterId") String clusterId,
                            @QueryParam("type") String type) {
        return new EventCount(auditLog.count(AuditFilter.of(rolloutId, clusterId, type)));
    }

    @ServerExceptionMapper
    public RestResponse<QueryError> invalidQuery(InvalidQueryException e) {
        return RestResponse.status(Response.Status.BAD_REQUEST, new QueryError(e.getMessage(), e.field()));
    }

    @ServerExceptionMapper
    public RestResponse<QueryError> storeUnavailable(AuditStoreException e) {
        return RestResponse.status(Response.Status.SERVICE_UNAVAILABLE,
                new QueryError("the audit store (PostgreSQL) is unavailable, try again later", null));
    }

    /** The answer to a count query. */
    public record EventCount(long count) {
    }

    /** The body of an error: what was wrong and, for a bad query, which parameter. */
    public record QueryError(String error, String field) {
    }
}
