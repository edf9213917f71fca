package dev.baton.planner.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.baton.contracts.BatonJson;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads REST bodies with the one Baton JSON mapping and turns what a caller got wrong into a 4xx
 * {@code {"error": ..., "field": ...}} naming the field, never a stack trace.
 */
final class ApiErrors {
    private ApiErrors() {
    }

    /** A parsed body, or the 400 response that says why it could not be parsed. */
    record Parsed<T>(T value, Response error) {
    }

    static <T> Parsed<T> parse(String json, Class<T> type) {
        String what = type.getSimpleName();
        try {
            T value = json == null || json.isBlank() ? null : BatonJson.mapper().readValue(json, type);
            return value == null ? new Parsed<>(null, error(400, "the body must be a " + what + " JSON object", "body"))
                    : new Parsed<>(value, null);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return new Parsed<>(null, field.isEmpty()
                    ? error(400, "the body is not a " + what + " JSON object: " + e.getOriginalMessage(), "body")
                    : error(400, "invalid value for " + field + ": " + e.getOriginalMessage(), field));
        } catch (JsonProcessingException e) {
            return new Parsed<>(null, error(400, "the body is not valid JSON: " + e.getOriginalMessage(), "body"));
        }
    }

    static Response error(int status, String message, String field) {
        return Response.status(status).entity(Map.of("error", message, "field", field)).type(MediaType.APPLICATION_JSON)
                .build();
    }
}
