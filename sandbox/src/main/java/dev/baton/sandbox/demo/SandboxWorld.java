package dev.baton.sandbox.demo;

import dev.baton.sandbox.world.ChildProcesses;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.world.LocalBaton;
import dev.baton.sandbox.world.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code ./baton sandbox up}: the demo's world kept running for a user's own experiments. Starts
 * Kafka, PostgreSQL, the simulated fleet and the four services, publishes every cluster of the fleet
 * on {@code baton.clusters.v1}, waits until health reports every node active, then writes
 * {@code endpoints.env} (Kafka bootstrap, REST URLs, known_hosts, key, JDBC URL) and
 * {@code pids} (this JVM and every process it started) into its work directory and runs until
 * it is terminated ({@code ./baton sandbox down} sends SIGTERM; the shutdown hooks stop everything).
 */
public final class SandboxWorld {
    static final String ENDPOINTS = "endpoints.env";
    static final String PIDS = "pids";

    private SandboxWorld() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Kafka's and PostgreSQL's threads would keep the JVM alive: exit, so the launcher sees it
            System.err.println("baton sandbox: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
        Path workDir = null;
        Path fleetFile = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--work-dir" -> workDir = Path.of(args[i + 1]).toAbsolutePath();
                case "-f", "--fleet" -> fleetFile = Path.of(args[i + 1]);
                default -> {
                    System.err.println("baton sandbox: unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (workDir == null) {
            workDir = repoRoot.resolve(".baton/sandbox");
        }
        FleetSpec spec;
        try {
            spec = fleetFile == null ? FleetSpec.fromClasspath(Demo.DEFAULT_FLEET) : FleetSpec.load(fleetFile);
        } catch (IllegalArgumentException e) {
            System.err.println("baton sandbox: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(workDir);
        ChildProcesses.stopAllOnExit("baton-sandbox-children-stop");
        LocalBaton baton;
        try {
            baton = LocalBaton.start(repoRoot, spec, workDir, "sandbox-fleet-management");
        } catch (Exception e) {
            System.err.println("baton sandbox: could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Demo.stopForShutdown(baton);
            stopped.countDown();
        }, "baton-sandbox-stop"));
        baton.registerFleet();
        for (ClusterRegistered cluster : baton.fleet().registrations()) {
            baton.awaitAllActive(cluster, Duration.ofSeconds(90));
        }
        Map<String, String> endpoints = endpoints(baton);
        write(workDir.resolve(PIDS), ProcessHandle.current().pid() + "\n" + ProcessHandle.current().descendants()
                .map(p -> Long.toString(p.pid())).collect(Collectors.joining("\n")) + "\n");
        // written last and atomically: the launcher waits for this file to know the world is up
        write(workDir.resolve(ENDPOINTS), endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n")) + "\n");
        System.out.println("sandbox up: " + baton.fleet().registrations().stream()
                .map(c -> c.clusterId() + " (" + c.product() + ", " + c.nodes().size() + " nodes)").toList());
        stopped.await();
    }

    static Map<String, String> endpoints(LocalBaton baton) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATON_KAFKA_BOOTSTRAP", baton.kafka().bootstrapServers());
        env.put("BATON_PLANNER_URL", url(baton.services().service("planner-service")));
        env.put("BATON_EXECUTOR_URL", url(baton.services().service("executor-service")));
        env.put("BATON_HEALTH_URL", url(baton.services().service("health-service")));
        env.put("BATON_AUDIT_URL", url(baton.services().service("audit-service")));
        env.put("BATON_SSH_KNOWN_HOSTS", baton.fleet().knownHostsFile().toString());
        env.put("BATON_SSH_PRIVATE_KEY", baton.fleet().clientPrivateKey().toString());
        env.put("BATON_POSTGRES_URL", baton.postgres().jdbcUrl());
        env.put("BATON_CLUSTERS", baton.fleet().registrations().stream().map(ClusterRegistered::clusterId)
                .collect(Collectors.joining(",")));
        return env;
    }

    private static String url(ServiceProcess service) {
        return service.baseUrl();
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
