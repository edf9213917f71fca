package dev.baton.procedure;

/** A procedure file that cannot be used: names the file, the line and what is wrong. */
public class ProcedureException extends RuntimeException {
    private final String source;
    private final int line;
    private final String reason;

    public ProcedureException(String source, int line, String reason) {
        super(source + ":" + line + ": " + reason);
        this.source = source;
        this.line = line;
        this.reason = reason;
    }

    /** The file (or resource) the procedure came from. */
    public String source() {
        return source;
    }

    /** 1-based line of the offending element. */
    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
