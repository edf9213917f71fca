package dev.baton.audit;

import dev.baton.messaging.readiness.BoundedCheck;
import dev.baton.messaging.readiness.ReadinessConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@value #NAME}: PostgreSQL answers {@code SELECT 1} on a pooled connection (as the writer role)
 * within {@code baton.readiness.timeout}; the answer is reused for {@code baton.readiness.cache-for}
 * ({@link BoundedCheck}). Touches no topic. While it is DOWN the recorder keeps retrying (nothing is skipped) and
 * liveness stays UP: an unreachable database is waited for, not restarted away.
 *
 * <p>It replaces Quarkus' own datasource check ({@code quarkus.datasource.health.enabled=false}), which validates
 * with {@code isValid(0)}, i.e. without a time-out: against a PostgreSQL that accepts connections but never answers,
 * its first probe did not return for more than 30 s and each later one took the pool's acquisition time-out (5 s).
 */
@Readiness
@ApplicationScoped
public class AuditStoreCheck implements HealthCheck {
    /** The check's name in {@code /q/health/ready}. */
    public static final String NAME = "audit-store";

    private final DataSource dataSource;
    private final int queryTimeoutSeconds;
    private final BoundedCheck check;

    public AuditStoreCheck(DataSource dataSource, ReadinessConfig config) {
        this.dataSource = dataSource;
        this.queryTimeoutSeconds = (int) Math.max(1, Math.ceil(config.timeout().toMillis() / 1000.0));
        this.check = new BoundedCheck(NAME, config.timeout(), config.cacheFor(), Clock.systemUTC(), this::selectOne);
    }

    @Override
    public HealthCheckResponse call() {
        return check.call();
    }

    private Map<String, String> selectOne() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(queryTimeoutSeconds);
            try (ResultSet result = statement.executeQuery("SELECT 1")) {
                result.next();
            }
            return Map.of("database", connection.getCatalog());
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL did not answer SELECT 1: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        check.close();
    }
}
