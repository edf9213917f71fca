package dev.baton.audit;

import java.sql.SQLException;

/**
 * What a failure to store a message means: PostgreSQL refused this particular row (retrying the same
 * row cannot help), or the store is unavailable (retrying later will).
 */
public enum StoreFailure {
    /** SQLSTATE class 22 (data exception), 23 (integrity constraint) or 54 (program limit exceeded). */
    REFUSED_ROW,
    /** Anything else: connection lost, database down, timeouts, a rolled-back transaction. */
    UNAVAILABLE;

    /** Classifies by the first SQLState found in the cause chain. */
    public static StoreFailure of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String sqlClass = sql.getSQLState().length() >= 2 ? sql.getSQLState().substring(0, 2) : "";
                return switch (sqlClass) {
                    case "22", "23", "54" -> REFUSED_ROW;
                    default -> UNAVAILABLE;
                };
            }
        }
        return UNAVAILABLE;
    }
}
