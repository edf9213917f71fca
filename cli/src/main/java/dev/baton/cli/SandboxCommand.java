package dev.baton.cli;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.world.ChildProcesses;
import dev.baton.sandbox.world.LocalBaton;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code baton sandbox}: the demo's world kept running for a user's own experiments. {@code ./baton sandbox up}
 * runs {@code sandbox up} in the background in its own session and waits for {@code endpoints.env};
 * {@code ./baton sandbox down} and {@code status} are the launcher's (they only signal and read the pids file).
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true, subcommands = SandboxCommand.Up.class,
        description = "The demo's world (Kafka, PostgreSQL, a simulated fleet, the four services), kept running.")
final class SandboxCommand implements Runnable {
    static final String ENDPOINTS = "endpoints.env";
    static final String PIDS = "pids";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Starts Kafka, PostgreSQL, the simulated fleet and the four services, publishes every cluster of the fleet on
     * {@code baton.clusters.v1}, waits until health reports every node active, then writes {@code endpoints.env}
     * (Kafka bootstrap, REST URLs, known_hosts, key, JDBC URL) and {@code pids} (this JVM and every process it
     * started) into its work directory and runs until it is terminated (SIGTERM; the shutdown hooks stop everything).
     */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Start the world and run until terminated (./baton sandbox up runs this in the background;",
                    "./baton sandbox down stops it). Writes endpoints.env and pids into the work directory once every node is active."})
    static final class Up extends BatonSubcommand {
        @Option(names = {"-f", "--fleet"}, paramLabel = "FLEET.yaml", description = "a fleet of your own (default: the demo fleet)")
        Path fleet;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "where logs, keys, endpoints.env and pids go "
                + "(default: .baton/sandbox under the repository)")
        Path workDir;

        @Override
        public Integer call() throws Exception {
            FleetSpec spec = DemoCommand.fleet(fleet);
            Path dir = workDir == null ? DemoCommand.repoRoot().resolve(".baton/sandbox") : workDir.toAbsolutePath();
            Files.createDirectories(dir);
            ChildProcesses.stopAllOnExit("baton-sandbox-children-stop");
            LocalBaton baton;
            try {
                baton = LocalBaton.start(DemoCommand.repoRoot(), spec, dir, "sandbox-fleet-management");
            } catch (Exception e) {
                throw new CliException(ExitCode.FAILED, "sandbox could not start: " + e.getMessage(), e);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                baton.stopForShutdown();
                stopped.countDown();
            }, "baton-sandbox-stop"));
            baton.registerFleet();
            for (ClusterRegistered cluster : baton.fleet().registrations()) {
                baton.awaitAllActive(cluster, Duration.ofSeconds(90));
            }
            Map<String, String> endpoints = endpoints(baton);
            write(dir.resolve(PIDS), ProcessHandle.current().pid() + "\n" + ProcessHandle.current().descendants()
                    .map(p -> Long.toString(p.pid())).collect(Collectors.joining("\n")) + "\n");
            // written last and atomically: the launcher waits for this file to know the world is up
            write(dir.resolve(ENDPOINTS), endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("\n")) + "\n");
            cli().out().println("sandbox up: " + baton.fleet().registrations().stream()
                    .map(c -> c.clusterId() + " (" + c.product() + ", " + c.nodes().size() + " nodes)").toList());
            cli().out().flush();
            stopped.await();
            return ExitCode.OK;
        }
    }

    static Map<String, String> endpoints(LocalBaton baton) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATON_KAFKA_BOOTSTRAP", baton.kafka().bootstrapServers());
        env.put("BATON_PLANNER_URL", baton.services().service("planner-service").baseUrl());
        env.put("BATON_EXECUTOR_URL", baton.services().service("executor-service").baseUrl());
        env.put("BATON_HEALTH_URL", baton.services().service("health-service").baseUrl());
        env.put("BATON_AUDIT_URL", baton.services().service("audit-service").baseUrl());
        env.put("BATON_SSH_KNOWN_HOSTS", baton.fleet().knownHostsFile().toString());
        env.put("BATON_SSH_PRIVATE_KEY", baton.fleet().clientPrivateKey().toString());
        env.put("BATON_POSTGRES_URL", baton.postgres().jdbcUrl());
        env.put("BATON_CLUSTERS", baton.fleet().registrations().stream().map(ClusterRegistered::clusterId)
                .collect(Collectors.joining(",")));
        return env;
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
