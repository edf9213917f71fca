package dev.baton.sandbox.quarkus;

import java.util.Map;

import dev.baton.sandbox.SandboxPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource pointing a service at a fresh database on the JVM's shared sandbox PostgreSQL
 * ({@link SandboxPostgres#shared()}) by setting {@code quarkus.datasource.jdbc.url}, {@code .username} and
 * {@code .password}. The database name starts with the init argument {@value #DATABASE_ARG} (default
 * {@value #DEFAULT_DATABASE}). Touches no topics; the server outlives the test.
 */
public class PostgresSandboxResource implements QuarkusTestResourceLifecycleManager {
    /** Init argument naming the database (a unique suffix is added). */
    public static final String DATABASE_ARG = "database";
    public static final String DEFAULT_DATABASE = "baton_test";

    private String database = DEFAULT_DATABASE;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault(DATABASE_ARG, DEFAULT_DATABASE);
    }

    @Override
    public Map<String, String> start() {
        SandboxPostgres postgres = SandboxPostgres.shared();
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.newDatabase(database),
                "quarkus.datasource.username", postgres.username(),
                "quarkus.datasource.password", postgres.password());
    }

    @Override
    public void stop() {
        // the shared server is stopped when the JVM exits
    }
}
