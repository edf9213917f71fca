package dev.baton.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the audit service under {@code baton.audit}. */
@ConfigMapping(prefix = "baton.audit")
public interface AuditConfig {

    /** How long to wait between attempts to store a message while PostgreSQL is unreachable. */
    StoreRetry storeRetry();

    /** Exponential back-off, retried until the store answers again (a message is never skipped). */
    interface StoreRetry {
        @WithDefault("PT0.5S")
        Duration firstDelay();

        @WithDefault("PT30S")
        Duration maxDelay();
    }
}
