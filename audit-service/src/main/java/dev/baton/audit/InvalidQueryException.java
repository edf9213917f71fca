package dev.baton.audit;

/** A query the caller got wrong; answered with 400 and a body naming the parameter. */
public class InvalidQueryException extends RuntimeException {
    private final String field;

    public InvalidQueryException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The query parameter that is missing or wrong. */
    public String field() {
        return field;
    }
}
