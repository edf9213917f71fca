package dev.baton.messaging;

/**
 * Thrown by a handler that must not finish a record now (the service is stopping, or the store it writes to is
 * gone while it stops): the record is neither acknowledged nor dead-lettered, so it is read again after the restart.
 * Every other failure of a handler dead-letters the record ({@link DeadLetterStrategy}).
 */
public class Redelivery extends RuntimeException {
    public Redelivery(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code failure} or one of its causes asks for redelivery. */
    public static boolean requested(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Redelivery) {
                return true;
            }
        }
        return false;
    }
}
