package dev.baton.planner.api;

import jakarta.ws.rs.core.Response;

/**
 * A field of a REST request that is missing or wrong, found before anything is published: its path in the body
 * ({@code nodes[2].sshPort}, {@code body} for the body as a whole), what is wrong and what is accepted. Answered as
 * {@code {"error": ..., "field": ...}} with its status (400 unless said otherwise).
 */
final class InvalidField extends RuntimeException {
    private final int status;
    private final String field;

    InvalidField(String field, String message) {
        this(400, field, message);
    }

    InvalidField(int status, String field, String message) {
        super(message, null, false, false); // a caller's mistake, not a fault: no stack trace
        this.status = status;
        this.field = field;
    }

    String field() {
        return field;
    }

    Response response() {
        return ApiErrors.error(status, getMessage(), field);
    }
}
