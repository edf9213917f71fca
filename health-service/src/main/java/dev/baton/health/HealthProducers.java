package dev.baton.health;

import dev.baton.procedure.ProcedureCatalog;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The plain objects the health service is built from: the clock and the procedures (the shipped ones, plus the
 * {@code *.yaml} files of {@code baton.procedures.dir} and of {@code baton.health.procedures} if set). Touches no topic.
 */
public class HealthProducers {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    ProcedureCatalog procedures(HealthConfig config, ProceduresConfig shared) {
        return ProcedureCatalog.configured(shared.dir(), config.procedures());
    }
}
