package dev.baton.health;

/** The JSON body of a refused REST request: a stable code and a sentence saying what to do. */
public record ApiError(String error, String message) {
}
