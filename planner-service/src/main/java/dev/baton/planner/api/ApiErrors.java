package dev.baton.planner.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The planner's REST error body, {@code {"error": ..., "field": ...}}: what a caller got wrong, the field it concerns
 * and what is accepted, never a stack trace. Bodies are read with {@link JsonBody}.
 */
final class ApiErrors {
    private ApiErrors() {
    }

    static Response error(int status, String message, String field) {
        return Response.status(status).entity(Map.of("error", message, "field", field)).type(MediaType.APPLICATION_JSON)
                .build();
    }

    /** Who asks, from a {@code requestedBy} query parameter: "rest" when absent or blank. */
    static String actor(String requestedBy) {
        if (requestedBy == null || requestedBy.isBlank()) {
            return "rest";
        }
        if (requestedBy.length() > JsonBody.MAX_NAME_LENGTH) {
            throw new InvalidField("requestedBy", "requestedBy is " + requestedBy.length() + " characters long; ids and"
                    + " names may have at most " + JsonBody.MAX_NAME_LENGTH + " characters: who asks, like alice@ops");
        }
        return requestedBy;
    }
}
