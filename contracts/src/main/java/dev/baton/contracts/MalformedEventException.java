package dev.baton.contracts;

/** A message that is not a valid Baton event; the reason goes to the dead-letter topic. */
public class MalformedEventException extends Exception {
    public MalformedEventException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public MalformedEventException(String reason) {
        super(reason);
    }
}
