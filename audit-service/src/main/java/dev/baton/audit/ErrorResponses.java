package dev.baton.audit;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** How every endpoint of this service answers a bad request (400) or an unavailable store (503). */
public class ErrorResponses {

    @ServerExceptionMapper
    public RestResponse<QueryError> invalidQuery(InvalidQueryException e) {
        return RestResponse.status(Response.Status.BAD_REQUEST, new QueryError(e.getMessage(), e.field()));
    }

    @ServerExceptionMapper
    public RestResponse<QueryError> storeUnavailable(AuditStoreException e) {
        return RestResponse.status(Response.Status.SERVICE_UNAVAILABLE,
                new QueryError("the audit store (PostgreSQL) is unavailable, try again later", null));
    }

    @ServerExceptionMapper
    public RestResponse<QueryError> unknownRollout(RolloutResource.UnknownRolloutException e) {
        return RestResponse.status(Response.Status.NOT_FOUND, new QueryError(e.getMessage(), "rolloutId"));
    }

    /** The body of an error: what was wrong and, for a bad request, which parameter. */
    public record QueryError(String error, String field) {
    }
}
