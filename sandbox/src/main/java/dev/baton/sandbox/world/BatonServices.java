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
    private Path repoRoot;
    private Wiring wiring;
    private Path workDir;
    private Tuning tuning = Tuning.QUICK_START;

    /**
     * How the services' JVMs are started and what they are told besides the wiring: JVM options, and environment
     * variables that override the sandbox's defaults (e.g. {@code BATON_HEALTH_INTERVAL}).
     */
    public record Tuning(List<String> jvmOptions, Map<String, String> env) {
        /** Small heaps, C1 only: quick start-up for tests and the demo (the default). */
        public static final Tuning QUICK_START = new Tuning(ServiceProcess.QUICK_START_JVM, Map.of());

        public Tuning {
            jvmOptions = List.copyOf(jvmOptions);
            env = Map.copyOf(env);
        }

        /** Long-running services as in production: the JVM's full JIT, and this heap per service. */
        public static Tuning longRunning(String maxHeap) {
            return new Tuning(List.of("-Xmx" + maxHeap), Map.of());
        }

        /** The same with one more environment variable. */
        public Tuning withEnv(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(env);
            more.put(name, value);
            return new Tuning(jvmOptions, more);
        }
    }

    /** Where each service reaches its infrastructure. */
    public record Wiring(String kafkaBootstrap, String jdbcUrl, String dbUser, String dbPassword, Path knownHosts,
                         Path privateKey) {
    }

    private BatonServices() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static BatonServices start(Path repoRoot, Wiring wiring, Path workDir) {
        return start(repoRoot, wiring, workDir, Tuning.QUICK_START);
    }

    public static BatonServices start(Path repoRoot, Wiring wiring, Path workDir, Tuning tuning) {
        BatonServices services = new BatonServices();
        services.tuning = tuning;
        services.repoRoot = repoRoot;
        services.wiring = wiring;
        services.workDir = workDir;
        try {
            for (String module : MODULES) {
                services.processes.add(ServiceProcess.start(repoRoot, module, tuning.jvmOptions(),
                        services.environment(), workDir, Duration.ofSeconds(90)));
            }
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    /** The environment of every service: the wiring, the sandbox's defaults, then the tuning's overrides. */
    public Map<String, String> environment() {
        Map<String, String> env = environment(wiring);
        env.putAll(tuning.env());
        return env;
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
        // a stable identity in the planner group, so a restarted planner takes its partitions back at once
        env.put("BATON_PLANNER_INSTANCE_ID", "planner-1");
        // the same for the executor: a restarted executor serves its commands again within seconds
        env.put("BATON_EXECUTOR_INSTANCE_ID", "executor-1");
        return env;
    }

    public ServiceProcess service(String module) {
        return processes.stream().filter(p -> p.module().equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no such service: " + module));
    }

    /** Kills the service's JVM with SIGKILL (no shutdown hooks, nothing flushed), as a crash would. */
    public void kill(String module) {
        service(module).kill();
    }

    /** Starts the service again (after {@link #kill}), with the same environment; its log is appended to. */
    public ServiceProcess restart(String module) {
        ServiceProcess old = service(module);
        old.close();
        ServiceProcess fresh = ServiceProcess.start(repoRoot, module, tuning.jvmOptions(), environment(), workDir,
                Duration.ofSeconds(90));
        processes.set(processes.indexOf(old), fresh);
        return fresh;
    }

    /**
     * Starts one more instance of a service beside the running one (e.g. a second planner), with extra environment
     * (at least a distinct instance id); the caller stops it, or {@link #close} does.
     */
    public ServiceProcess startAnother(String module, Map<String, String> extraEnv) {
        Map<String, String> env = environment();
        env.putAll(extraEnv);
        Path dir = workDir.resolve(module + "-" + (processes.size() + 1));
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ServiceProcess another = ServiceProcess.start(repoRoot, module, tuning.jvmOptions(), env, dir, Duration.ofSeconds(90));
        processes.add(another);
        return another;
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
