package dev.baton.sandbox.fleet;

/** A fleet spec that cannot be used; the message names the field and, where known, the line. Touches no topic. */
public class FleetSpecException extends IllegalArgumentException {

    public FleetSpecException(String message) {
        super(message);
    }

    public FleetSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
