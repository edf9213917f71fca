package dev.baton.sandbox.world;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The four Baton services started as separate processes against one Kafka, one PostgreSQL and a
 * fleet's SSH credentials. Closing stops them all (also from a JVM shutdown hook, so Ctrl-C
 * leaves no process behind).
 */
public final class BatonServices implements AutoCloseable {
    public static final List<String> MODULES = List.of("audit-service", "health-service", "executor-service",
            "planner-service");

    private final List<ServiceProcess> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "baton-services-stop");

    /** Where each service reaches its infrastructure. */
    public record Wiring(String kafkaBootstrap, String jdbcUrl, String dbUser, String dbPassword, Path knownHosts,
                         Path privateKey) {
    }

    private BatonServices() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static BatonServices start(Path repoRoot, Wiring wiring, Path workDir) {
        BatonServices services = new BatonServices();
        try {
            for (String module : MODULES) {
                services.processes.add(ServiceProcess.start(repoRoot, module, environment(wiring), workDir,
                        Duration.ofSeconds(90)));
            }
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    private static Map<String, String> environment(Wiring wiring) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", wiring.kafkaBootstrap());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", wiring.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", wiring.dbUser());
        env.put("QUARKUS_DATASOURCE_PASSWORD", wiring.dbPassword());
        env.put("BATON_SSH_KNOWN_HOSTS", wiring.knownHosts().toString());
        env.put("BATON_SSH_PRIVATE_KEY", wiring.privateKey().toString());
        env.put("BATON_HEALTH_INTERVAL", "PT0.3S");
        return env;
    }

    public ServiceProcess service(String module) {
        return processes.stream().filter(p -> p.module().equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no such service: " + module));
    }

    public List<ServiceProcess> all() {
        return List.copyOf(processes);
    }

    private void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // already in shutdown: the hook is running or has run
        }
    }
}
