package dev.baton.planner.api;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.EventSchemas;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
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

    /**
     * The last check before publishing: the event as it goes on the wire must be what its published schema accepts,
     * since every consumer reads by that schema and would dead-letter anything else. The REST rules above it give the
     * better message; this only catches what they let through.
     */
    static void requireOnTheWire(BatonEvent event) {
        List<String> violations = EventSchemas.violations(event.getClass(), BatonJson.mapper().valueToTree(event));
        if (!violations.isEmpty()) {
            String first = violations.get(0);
            String field = first.startsWith("$.") && first.contains(":") ? first.substring(2, first.indexOf(':')) : "body";
            throw new InvalidField(field, "the request would not be a valid " + event.getClass().getSimpleName()
                    + " on Kafka: " + String.join("; ", violations));
        }
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
