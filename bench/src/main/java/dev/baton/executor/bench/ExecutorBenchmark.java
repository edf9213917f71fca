package dev.baton.executor.bench;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.executor.ArtifactCache;
import dev.baton.executor.ClusterLanes;
import dev.baton.executor.CommandExecutor;
import dev.baton.executor.EpochFence;
import dev.baton.executor.FinishedCommands;
import dev.baton.executor.StepReports;
import dev.baton.executor.StepRunner;
import dev.baton.executor.ssh.RemoteSession;
import dev.baton.ssh.SshConfig;
import dev.baton.ssh.SshSettings;
import dev.baton.executor.ssh.SshjRemoteShell;
import dev.baton.fixtures.NodeCommands;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Executor benchmark on loopback against the sandbox's simulated fleet (real SSH servers in this JVM). Not a test:
 * it prints numbers and asserts nothing. Run it with (see the README):
 *
 * <pre>./baton bench executor [clusters] [steps]</pre>
 *
 * <ol>
 *   <li>Per-command overhead: {@code true} exec'd on one node, on the reused connection vs. a cold
 *       connect + key exchange + auth + exec each time; p50 and p99.</li>
 *   <li>Node steps per second with 200 clusters (one node each) in flight: every cluster gets the same number of
 *       disruptive RUN steps (each: ledger claim, the command, ledger record), through the executor's real
 *       {@link ClusterLanes} and {@link CommandExecutor}, on one instance (all clusters), then on two instances
 *       (half the clusters each, as a consumer group would split them). No Kafka in the loop: results go to a
 *       counter. Both instances and the whole fleet share this JVM and its cores.</li>
 * </ol>
 */
@Command(name = "executor", mixinStandardHelpOptions = true,
        description = "The executor alone: per-command SSH overhead, and node steps per second with 1 and 2 instances.")
public final class ExecutorBenchmark implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "200", paramLabel = "CLUSTERS",
            description = "clusters of one node each (default ${DEFAULT-VALUE})")
    int clusters = 200;

    @Parameters(index = "1", arity = "0..1", defaultValue = "10", paramLabel = "STEPS",
            description = "steps per cluster (default ${DEFAULT-VALUE})")
    int stepsPerCluster = 10;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExecutorBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        measure(clusters, stepsPerCluster);
        return 0;
    }

    private static void measure(int clusters, int stepsPerCluster) throws Exception {
        quietLogs();
        Path work = Files.createTempDirectory("baton-executor-bench-");
        StringBuilder yaml = new StringBuilder("sshUser: root\nrebootDowntime: PT1S\nclusters:\n");
        for (int c = 1; c <= clusters; c++) {
            yaml.append(String.format("  - id: bench-%03d%n    product: dolphin-expressware%n    version: 5.20.0%n"
                    + "    nodes:%n      - name: n1%n", c));
        }
        System.out.printf("starting a simulated fleet of %d clusters (one SSH server each) ...%n", clusters);
        try (SimulatedFleet fleet = SimulatedFleet.start(FleetSpec.parse(yaml.toString()), work)) {
            List<ClusterRegistered> registrations = fleet.registrations();
            overhead(fleet, registrations.get(0));
            throughput(fleet, registrations, stepsPerCluster);
        }
    }

    /** Two log lines per step would drown the numbers: only warnings. */
    private static void quietLogs() {
        System.setProperty("org.jboss.logging.provider", "jdk");
        for (String name : List.of("", "dev.baton", "net.schmizz", "com.hierynomus", "org.apache.sshd")) {
            java.util.logging.Logger.getLogger(name).setLevel(java.util.logging.Level.WARNING);
        }
    }

    // ---- 1. per-command overhead ----------------------------------------------------------------------------------

    private static void overhead(SimulatedFleet fleet, ClusterRegistered cluster) throws Exception {
        var target = cluster.nodes().get(0).sshTarget();
        SshjRemoteShell shell = new SshjRemoteShell(config(fleet));
        Duration timeout = Duration.ofSeconds(30);
        for (int i = 0; i < 50; i++) { // warm up: JIT, key loading, the first connection
            exec(shell, target, timeout);
        }
        long[] reused = new long[1000];
        for (int i = 0; i < reused.length; i++) {
            long start = System.nanoTime();
            exec(shell, target, timeout);
            reused[i] = System.nanoTime() - start;
        }
        long[] cold = new long[200];
        for (int i = 0; i < cold.length; i++) {
            shell.closeAll();
            long start = System.nanoTime();
            exec(shell, target, timeout);
            cold[i] = System.nanoTime() - start;
        }
        shell.closeAll();
        System.out.println();
        System.out.println("1. per-command overhead on loopback (exec `true`, simulated node, ed25519)");
        System.out.printf("   %-44s %10s %10s %8s%n", "", "p50 ms", "p99 ms", "samples");
        System.out.printf("   %-44s %10.2f %10.2f %8d%n", "reused connection (exec only)", pct(reused, 50),
                pct(reused, 99), reused.length);
        System.out.printf("   %-44s %10.2f %10.2f %8d%n", "cold: connect + key exchange + auth + exec", pct(cold, 50),
                pct(cold, 99), cold.length);
    }

    private static void exec(SshjRemoteShell shell, dev.baton.contracts.SshTarget target, Duration timeout)
            throws Exception {
        try (RemoteSession session = shell.open(target)) {
            if (!session.exec("true", timeout).succeeded()) {
                throw new IllegalStateException("`true` failed on " + target);
            }
        }
    }

    private static double pct(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    // ---- 2. node steps per second ---------------------------------------------------------------------------------

    private static void throughput(SimulatedFleet fleet, List<ClusterRegistered> clusters, int stepsPerCluster)
            throws Exception {
        Result one = run(fleet, List.of(clusters), stepsPerCluster);
        List<ClusterRegistered> first = clusters.subList(0, clusters.size() / 2);
        List<ClusterRegistered> second = clusters.subList(clusters.size() / 2, clusters.size());
        Result two = run(fleet, List.of(first, second), stepsPerCluster);
        System.out.println();
        System.out.printf("2. node steps per second, %d clusters in flight, %d disruptive RUN steps each "
                + "(ledger claim + command + ledger record)%n", clusters.size(), stepsPerCluster);
        System.out.printf("   %-20s %10s %10s %12s %8s%n", "", "steps", "seconds", "steps/s", "failed");
        System.out.printf("   %-20s %10d %10.2f %12.1f %8d%n", "one instance", one.steps, one.seconds,
                one.steps / one.seconds, one.failed);
        System.out.printf("   %-20s %10d %10.2f %12.1f %8d%n", "two instances", two.steps, two.seconds,
                two.steps / two.seconds, two.failed);
        System.out.printf("   (%d CPU cores for the fleet and the executors together; each instance has its own SSH "
                + "connections and lanes, concurrency %d)%n", Runtime.getRuntime().availableProcessors(),
                clusters.size());
    }

    private record Result(int steps, double seconds, int failed) {
    }

    /** Runs every cluster's steps; {@code instances} lists which clusters each executor instance serves. */
    private static Result run(SimulatedFleet fleet, List<List<ClusterRegistered>> instances, int stepsPerCluster)
            throws Exception {
        int total = instances.stream().mapToInt(List::size).sum() * stepsPerCluster;
        CountDownLatch done = new CountDownLatch(total);
        AtomicInteger failed = new AtomicInteger();
        StepReports reports = (StepResult result, String actor, String causation) -> {
            if (result instanceof StepFailed) {
                failed.incrementAndGet();
            }
        };
        List<SshjRemoteShell> shells = new ArrayList<>();
        List<ClusterLanes> lanes = new ArrayList<>();
        List<CommandExecutor> executors = new ArrayList<>();
        for (List<ClusterRegistered> ignored : instances) {
            SshjRemoteShell shell = new SshjRemoteShell(config(fleet));
            shells.add(shell);
            StepRunner runner = new StepRunner(shell, new ArtifactCache(Files.createTempDirectory("bench-cache")),
                    Clock.systemUTC(), Duration.ofMillis(200));
            executors.add(new CommandExecutor(runner, new FinishedCommands(), new EpochFence(), reports, null, 2048,
                    Duration.ofSeconds(1)));
            lanes.add(new ClusterLanes(instances.stream().mapToInt(List::size).max().orElse(1)));
        }
        // the connections exist before the clock starts in both runs: this measures steps, not connects
        for (int i = 0; i < instances.size(); i++) {
            for (ClusterRegistered cluster : instances.get(i)) {
                exec(shells.get(i), cluster.nodes().get(0).sshTarget(), Duration.ofSeconds(30));
            }
        }
        long start = System.nanoTime();
        List<Thread> feeders = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            int instance = i;
            Thread feeder = new Thread(() -> {
                try {
                    for (int step = 0; step < stepsPerCluster; step++) {
                        for (ClusterRegistered cluster : instances.get(instance)) {
                            NodeCommand command = NodeCommands.run(cluster.clusterId(), "n1", "status-" + step,
                                            "dis_services status").commandId(UUID.randomUUID().toString()).rolloutId("bench")
                                    .target(cluster.nodes().get(0).sshTarget()).timeout(Duration.ofSeconds(60)).disruptive()
                                    .build();
                            EventEnvelope envelope = EventEnvelope.of(command, "/bench", "bench", null);
                            lanes.get(instance).submit(cluster.clusterId(),
                                    () -> executors.get(instance).execute(command, envelope), done::countDown);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-feeder-" + i);
            feeder.start();
            feeders.add(feeder);
        }
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the benchmark did not finish within 30 minutes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Thread feeder : feeders) {
            feeder.join();
        }
        lanes.forEach(l -> l.shutdown(Duration.ofSeconds(5)));
        shells.forEach(SshjRemoteShell::closeAll);
        return new Result(total, seconds, failed.get());
    }

    private static SshConfig config(SimulatedFleet fleet) {
        return SshSettings.of(fleet.knownHostsFile(), fleet.clientPrivateKey()).withConnectTimeout(Duration.ofSeconds(10))
                .withKeepAlive(Duration.ofSeconds(30)).withIdleTimeout(Duration.ofMinutes(10));
    }
}
