package dev.baton.audit;

/** PostgreSQL did not store or return what the audit log asked for. */
public class AuditStoreException extends RuntimeException {
    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
