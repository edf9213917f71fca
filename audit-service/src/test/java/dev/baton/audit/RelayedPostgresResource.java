package dev.baton.audit;

import dev.baton.sandbox.SandboxPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.Map;

/**
 * Quarkus test resource pointing the audit service at a fresh database on the JVM's shared sandbox PostgreSQL
 * through a {@link TcpRelay}, so that a test can make PostgreSQL unreachable for this service alone
 * ({@link #relay()}{@code .cut()}) and bring it back ({@code .restore()}) while the other tests keep the server.
 */
public class RelayedPostgresResource implements QuarkusTestResourceLifecycleManager {
    private static final String JDBC_PREFIX = "jdbc:";

    private static volatile TcpRelay current;

    private TcpRelay relay;

    /** The relay the most recently started resource runs. */
    static TcpRelay relay() {
        TcpRelay running = current;
        if (running == null) {
            throw new IllegalStateException("no relay is running: add @WithTestResource(RelayedPostgresResource.class)");
        }
        return running;
    }

    @Override
    public Map<String, String> start() {
        SandboxPostgres postgres = SandboxPostgres.shared();
        String direct = postgres.newDatabase("baton_relayed");
        URI server = URI.create(direct.substring(JDBC_PREFIX.length()));
        relay = TcpRelay.to(server.getHost(), server.getPort() < 0 ? 5432 : server.getPort());
        current = relay;
        String relayed = JDBC_PREFIX + server.getScheme() + "://127.0.0.1:" + relay.port() + server.getRawPath()
                + (server.getRawQuery() == null ? "" : "?" + server.getRawQuery());
        return Map.of(
                "quarkus.datasource.jdbc.url", relayed,
                "quarkus.datasource.username", postgres.username(),
                "quarkus.datasource.password", postgres.password());
    }

    @Override
    public void stop() {
        if (relay != null) {
            relay.close();
            if (current == relay) {
                current = null;
            }
            relay = null;
        }
    }
}
