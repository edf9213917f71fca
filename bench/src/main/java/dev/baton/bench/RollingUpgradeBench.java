package dev.baton.bench;

import dev.baton.sandbox.world.ChildProcesses;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.Topics;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import dev.baton.sandbox.world.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./baton bench}: the rolling-upgrade benchmark. In one run, on one simulated 16-node Matrix Server cluster
 * whose steps take known times, it measures (1) an Ansible {@code serial: 1} playbook rolling the cluster over SSH
 * and (2) Baton's four packaged services rolling the same nodes again (Kafka topics {@code baton.*} read back with
 * {@link dev.baton.sandbox.world.EventLog}), compares both with the physical limit and prints, writes as CSV and
 * draws the results ({@code bench/results/}).
 */
public final class RollingUpgradeBench {
    static final String DEFAULT_FLEET = "/fleets/bench-matrix-16.yaml";
    /** The probe interval {@code BatonServices} gives the health service in the sandbox (BATON_HEALTH_INTERVAL). */
    static final Duration HEALTH_INTERVAL = Duration.ofMillis(300);
    /** Each step's simulated time in the many-clusters scenario (as in the 16-node fleet). */
    static final Duration STEP_TIME = Duration.ofMillis(500);

    /** Command-line options. */
    record Options(Path fleet, Path results, boolean skipAnsible, Duration timeout, int rounds, boolean skipRollout,
                   int auditEvents, int clusters, int clusterSize, int executors) {
        static Options parse(String[] args, Path repoRoot) {
            Path fleet = null;
            Path results = repoRoot.resolve("bench/results");
            boolean skipAnsible = false;
            Duration timeout = Duration.ofMinutes(10);
            int rounds = 3;
            boolean skipRollout = false;
            int auditEvents = 0;
            int clusters = 0;
            int clusterSize = 4;
            int executors = 1;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if ("--fleet".equals(arg) && i + 1 < args.length) {
                    fleet = Path.of(args[++i]);
                } else if ("--results".equals(arg) && i + 1 < args.length) {
                    results = Path.of(args[++i]);
                } else if ("--rounds".equals(arg) && i + 1 < args.length) {
                    try {
                        rounds = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        rounds = 0;
                    }
                    if (rounds < 1 || rounds > 20) {
                        throw new IllegalArgumentException("--rounds: '" + args[i] + "' is not a number from 1 to 20");
                    }
                } else if ("--audit".equals(arg) && i + 1 < args.length) {
                    try {
                        auditEvents = Integer.parseInt(args[++i].replace("_", ""));
                    } catch (NumberFormatException e) {
                        auditEvents = 0;
                    }
                    if (auditEvents < 1000) {
                        throw new IllegalArgumentException("--audit: '" + args[i] + "' is not a number of events (at least 1000, e.g. 1000000)");
                    }
                } else if (("--clusters".equals(arg) || "--cluster-size".equals(arg)) && i + 1 < args.length) {
                    int value;
                    try {
                        value = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        value = 0;
                    }
                    if (value < 1 || value > 2000) {
                        throw new IllegalArgumentException(arg + ": '" + args[i] + "' is not a number from 1 to 2000");
                    }
                    if ("--clusters".equals(arg)) {
                        clusters = value;
                    } else {
                        clusterSize = value;
                    }
                } else if ("--executors".equals(arg) && i + 1 < args.length) {
                    executors = "1".equals(args[++i]) ? 1 : "2".equals(args[i]) ? 2 : 0;
                    if (executors == 0) {
                        throw new IllegalArgumentException("--executors: '" + args[i] + "' is not 1 or 2");
                    }
                } else if ("--no-rollout".equals(arg)) {
                    skipRollout = true;
                } else if ("--no-ansible".equals(arg)) {
                    skipAnsible = true;
                } else if ("--timeout".equals(arg) && i + 1 < args.length) {
                    try {
                        timeout = Duration.parse(args[++i]);
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--timeout: '" + args[i] + "' is not an ISO-8601 duration (e.g. PT10M)");
                    }
                } else {
                    throw new IllegalArgumentException("unknown argument '" + arg
                            + "' (usage: ./baton bench [--fleet fleet.yaml] [--results dir] [--rounds 3] [--no-ansible] [--timeout PT10M] [--audit EVENTS] [--clusters N [--cluster-size K] [--executors 1|2]] [--no-rollout])");
                }
            }
            if (skipRollout && auditEvents == 0 && clusters == 0) {
                throw new IllegalArgumentException("--no-rollout leaves nothing to measure; add --audit EVENTS or --clusters N");
            }
            return new Options(fleet, results.toAbsolutePath(), skipAnsible, timeout, rounds, skipRollout, auditEvents,
                    clusters, clusterSize, executors);
        }
    }

    private final PrintStream out;

    RollingUpgradeBench(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
        Options options;
        FleetSpec spec;
        try {
            options = Options.parse(args, repoRoot);
            spec = options.fleet() == null ? FleetSpec.fromClasspath(DEFAULT_FLEET) : FleetSpec.load(options.fleet());
        } catch (IllegalArgumentException e) {
            System.err.println("baton bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        ChildProcesses.stopAllOnExit("bench-children-stop");
        Path workDir = repoRoot.resolve(".baton/bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        int status;
        try {
            status = new RollingUpgradeBench(System.out).run(repoRoot, spec, options, workDir);
        } catch (Exception e) {
            System.err.println("baton bench failed: " + e.getMessage() + " (logs in " + workDir + ")");
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    int run(Path repoRoot, FleetSpec spec, Options options, Path workDir) throws Exception {
        int status = options.skipRollout() ? 0 : rollouts(repoRoot, spec, options, workDir);
        // executors 1 vs 2: the same scenario once per executor count, one after the other in this run
        for (int executors = 1; options.clusters() > 0 && executors <= options.executors(); executors++) {
            status = Math.max(status, manyClusters(repoRoot, options, workDir, executors));
        }
        if (options.auditEvents() > 0) {
            out.printf("audit: audit-service's AuditBenchmark with %,d events (embedded PostgreSQL; takes minutes)...%n",
                    options.auditEvents());
            Path log = options.results().resolve("audit-benchmark.txt");
            AuditBench.Figures figures = AuditBench.run(repoRoot, options.auditEvents(), log, Duration.ofMinutes(60));
            Files.writeString(options.results().resolve("audit.csv"), figures.csv());
            Files.writeString(options.results().resolve("audit.md"), figures.markdown());
            out.println();
            out.print(figures.markdown());
            out.println();
            out.println("results: " + options.results() + "/audit.{csv,md}, audit-benchmark.txt");
            if (!figures.verifyOk()) {
                status = 1;
            }
        }
        return status;
    }

    /** N clusters of K nodes, all asked to roll 3.5.0 -> 3.5.1 at the same moment. */
    int manyClusters(Path repoRoot, Options options, Path workDir, int executors) throws Exception {
        int n = options.clusters();
        int k = options.clusterSize();
        // cluster ids of their own per executor count: the Kafka broker (one per JVM) still holds the other run's events
        FleetSpec spec = FleetSpec.parse(ManyClusters.fleetYaml("many-e" + executors, n, k, STEP_TIME));
        Procedure procedure = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();
        String target = bump(spec.clusters().get(0).version(), 1);
        Duration clusterLimit = PhysicalLimit.of(procedure, spec.clusters().get(0), target, HEALTH_INTERVAL).total();
        List<String> ids = spec.clusters().stream().map(FleetSpec.Cluster::id).toList();
        String name = "many-clusters-" + n + "x" + k + "-executors-" + executors;
        Path dir = workDir.resolve(name);
        out.printf("many clusters: %d Matrix clusters x %d nodes (%d nodes), %d executor(s), all rolling to %s at once; "
                + "one cluster's limit %s s (%s)...%n", n, k, n * k, executors, target, ResultTable.secs(clusterLimit), dir);
        ServiceProcess secondExecutor = null;
        try (LocalBaton baton = LocalBaton.start(repoRoot, spec, dir, "bench-fleet-management")) {
            if (executors > 1) {
                // a second executor in the same consumer group: the commands' partitions are split between the two
                Path executorDir = Files.createDirectories(dir.resolve("executor-service-2"));
                secondExecutor = ServiceProcess.start(repoRoot, "executor-service", Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", baton.kafka().bootstrapServers(),
                        "BATON_SSH_KNOWN_HOSTS", baton.fleet().knownHostsFile().toString(),
                        "BATON_SSH_PRIVATE_KEY", baton.fleet().clientPrivateKey().toString()), executorDir, Duration.ofSeconds(90));
            }
            Instant since = Instant.now();
            baton.registerFleet();
            for (String id : ids) {
                awaitActive(baton, id, baton.fleet().nodes(id), since, Duration.ofMinutes(5));
            }
            out.printf("many clusters: every node active; requesting %d upgrades...%n", n);
            ids.forEach(id -> baton.fleetManagement().requestUpgrade(id, target));
            Instant deadline = Instant.now().plus(options.timeout());
            while (!ids.stream().allMatch(baton.eventLog()::rolloutFinished) && Instant.now().isBefore(deadline)) {
                Thread.sleep(500);
            }
            List<String> incomplete = ids.stream().filter(id -> !baton.eventLog().rolloutCompleted(id)).toList();
            if (!incomplete.isEmpty()) {
                out.printf("many clusters: %d of %d rollouts did not complete within %s; see %s%n", incomplete.size(), n,
                        options.timeout(), dir);
                incomplete.forEach(id -> out.println("  " + id + ": " + ending(baton, id)));
                return 1;
            }
            for (String id : ids) {
                requireRolled(baton.fleet().nodes(id), target, "Baton (" + id + ")");
            }
            ManyClusters.Outcome outcome = ManyClusters.outcome(baton.eventLog().entries(), ids, k, target, clusterLimit);
            retire(baton, ids);
            Files.createDirectories(options.results());
            Files.writeString(options.results().resolve(name + ".csv"), outcome.csv());
            Files.writeString(options.results().resolve(name + ".md"), outcome.markdown());
            out.println();
            out.print(outcome.markdown());
            out.println();
            out.println("results: " + options.results() + "/" + name + ".{csv,md}");
            return 0;
        } finally {
            if (secondExecutor != null) {
                secondExecutor.close();
            }
        }
    }

    int rollouts(Path repoRoot, FleetSpec spec, Options options, Path workDir) throws Exception {
        if (spec.clusters().size() != 1 || spec.clusters().get(0).product() != FleetSpec.Product.MATRIX_SERVER) {
            throw new IllegalArgumentException("the bench fleet must hold exactly one matrix-server cluster");
        }
        FleetSpec.Cluster cluster = spec.clusters().get(0);
        Procedure procedure = ProcedureCatalog.shipped().get(cluster.procedure())
                .orElseThrow(() -> new IllegalArgumentException("unknown procedure " + cluster.procedure()));
        String ansibleTarget = bump(cluster.version(), 1);
        String batonTarget = bump(cluster.version(), 2);
        PhysicalLimit limit = PhysicalLimit.of(procedure, cluster, batonTarget, HEALTH_INTERVAL);
        Path ansible = options.skipAnsible() ? null : AnsibleRun.executable();
        if (!options.skipAnsible() && ansible == null) {
            throw new IllegalStateException("ansible-playbook is not installed: apt-get install -y ansible-core "
                    + "(or run ./baton bench --no-ansible for Baton alone)");
        }
        out.printf("baton bench: %d-node %s cluster, %s -> %s (Ansible) -> %s (Baton), %d round(s); physical limit %s s%n",
                cluster.nodes().size(), cluster.product().id(), cluster.version(), ansibleTarget, batonTarget,
                options.rounds(), ResultTable.secs(limit.total()));
        if (ansible != null) {
            out.println("  " + AnsibleRun.version(ansible));
        }
        List<Duration> batonWalls = new ArrayList<>();
        List<Duration> ansibleWalls = new ArrayList<>();
        boolean ansibleCompleted = true;
        List<BatonRunAnalysis> analyses = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            // each round: a fresh fleet, fresh services and its own cluster id, so no round sees another's events
            FleetSpec roundSpec = options.rounds() == 1 ? spec : renamed(spec, cluster.id() + "-r" + round);
            String clusterId = roundSpec.clusters().get(0).id();
            Path roundDir = workDir.resolve("round-" + round);
            out.printf("round %d: starting Kafka, PostgreSQL, the simulated fleet and the four services (%s)...%n", round, roundDir);
            try (LocalBaton baton = LocalBaton.start(repoRoot, roundSpec, roundDir, "bench-fleet-management")) {
                List<SimulatedNode> order = upgradeOrder(baton.fleet().nodes(clusterId));
                if (ansible != null) {
                    // the cluster is not registered with Baton yet: its services are up but idle, nothing probes the nodes
                    out.printf("round %d: Ansible rolling %s to %s ...%n", round, clusterId, ansibleTarget);
                    AnsibleRun.Result result = runAnsible(ansible, baton, order, procedure, ansibleTarget, options, round);
                    boolean rolled = result.succeeded() && order.stream().allMatch(n -> ansibleTarget.equals(n.runningVersion()));
                    if (!rolled) {
                        out.println("  Ansible did NOT complete (exit " + result.exitCode() + "); see " + result.log());
                    }
                    ansibleCompleted &= rolled;
                    ansibleWalls.add(result.wallTime());
                    out.printf("round %d: Ansible %s s%n", round, ResultTable.secs(result.wallTime()));
                }
                Instant roundStart = Instant.now();
                baton.registerFleet();
                awaitActive(baton, clusterId, order, roundStart, Duration.ofSeconds(120));
                out.printf("round %d: Baton rolling %s to %s ...%n", round, clusterId, batonTarget);
                baton.fleetManagement().requestUpgrade(clusterId, batonTarget);
                Instant deadline = Instant.now().plus(options.timeout());
                while (!baton.eventLog().rolloutFinished(clusterId) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                }
                if (!baton.eventLog().rolloutCompleted(clusterId)) {
                    throw new IllegalStateException("Baton's rollout of " + clusterId + " did not complete within "
                            + options.timeout() + " (" + ending(baton, clusterId) + "); see the service logs in " + roundDir);
                }
                requireRolled(order, batonTarget, "Baton");
                BatonRunAnalysis analysis = BatonRunAnalysis.of(baton.eventLog().entries(), clusterId, batonTarget);
                retire(baton, List.of(clusterId));
                analyses.add(analysis);
                batonWalls.add(analysis.wallTime());
                out.printf("round %d: Baton %s s%n", round, ResultTable.secs(analysis.wallTime()));
            }
        }
        List<ResultTable.Run> runs = new ArrayList<>();
        runs.add(new ResultTable.Run("Baton", batonWalls, true, "UpgradeRequested -> RolloutCompleted on the wire"));
        if (ansible != null) {
            runs.add(new ResultTable.Run("Ansible (serial: 1, raw)", ansibleWalls, ansibleCompleted,
                    "ansible-playbook process wall time"));
        }
        ResultTable table = new ResultTable(cluster.nodes().size() + "-node " + cluster.product().id(), limit.total(),
                limit.stepTime(), limit.stabilisationTime(), runs,
                Percentiles.of(analyses.stream().flatMap(a -> a.hops().stream()).map(BatonRunAnalysis.Hop::toStepStarted).toList()),
                Percentiles.of(analyses.stream().flatMap(a -> a.hops().stream()).map(BatonRunAnalysis.Hop::toCommand).toList()),
                BatonRunAnalysis.Breakdown.mean(analyses.stream().map(BatonRunAnalysis::breakdown).toList()));
        Files.createDirectories(options.results());
        Files.writeString(options.results().resolve("rolling-upgrade.csv"), table.csv());
        Files.writeString(options.results().resolve("rolling-upgrade.md"), table.markdown());
        Files.writeString(options.results().resolve("hops.csv"), hopsCsv(analyses));
        ResultChart.write(table, options.results().resolve("rolling-upgrade.png"));
        out.println();
        out.print(table.text());
        out.println();
        out.println("results: " + options.results() + "/rolling-upgrade.{csv,md,png}, hops.csv"
                + (ansible != null ? ", ansible/ (playbook, inventory, ansible.cfg, one ansible-playbook log per round)" : ""));
        return runs.stream().allMatch(ResultTable.Run::completed) ? 0 : 1;
    }

    private AnsibleRun.Result runAnsible(Path executable, LocalBaton baton, List<SimulatedNode> order, Procedure procedure,
                                         String target, Options options, int round) throws IOException, InterruptedException {
        Path project = options.results().resolve("ansible");
        if (round == 1 && Files.isDirectory(project)) {
            try (var old = Files.list(project)) {
                for (Path log : old.filter(f -> f.getFileName().toString().startsWith("ansible-playbook")).toList()) {
                    Files.delete(log);
                }
            }
        }
        Path controlDir = Files.createTempDirectory("bench-cp-");
        List<AnsiblePlaybook.Host> hosts = order.stream()
                .map(n -> new AnsiblePlaybook.Host(n.name(), n.sshHost(), n.sshPort())).toList();
        AnsiblePlaybook playbook = new AnsiblePlaybook(hosts, target, order.get(0).sshUser(), baton.fleet().clientPrivateKey(),
                baton.fleet().knownHostsFile(), procedure.health().stableProbes(), HEALTH_INTERVAL);
        playbook.writeTo(project, controlDir);
        try {
            return AnsibleRun.run(executable, project, project.resolve("ansible-playbook-round-" + round + ".txt"), options.timeout());
        } finally {
            // the SSH control sockets; their masters exit when the fleet closes its connections
            try (var sockets = Files.walk(controlDir)) {
                for (Path path : sockets.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                out.println("  (could not remove " + controlDir + ": " + e.getMessage() + ")");
            }
        }
    }

    /** Waits until health has announced every node active after {@code since} (this round's services, this round's nodes). */
    private static void awaitActive(LocalBaton baton, String clusterId, List<SimulatedNode> nodes, Instant since, Duration timeout)
            throws InterruptedException {
        java.util.Set<String> expected = nodes.stream().map(SimulatedNode::name).collect(java.util.stream.Collectors.toSet());
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            java.util.Set<String> active = baton.eventLog().entriesOf(dev.baton.contracts.NodeActive.class).stream()
                    .filter(e -> !e.timestamp().isBefore(since.minusSeconds(1)) && e.event().clusterId().equals(clusterId))
                    .map(e -> e.event().nodeName()).collect(java.util.stream.Collectors.toSet());
            if (active.containsAll(expected)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                expected.removeAll(active);
                throw new IllegalStateException("health did not report " + expected + " of " + clusterId + " active within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Forgets clusters whose fleet is about to stop: a tombstone per cluster on baton.clusters.v1 (compacted), so the
     * next round's services, which read that topic from the beginning on the same broker, do not probe dead nodes.
     */
    static void retire(LocalBaton baton, List<String> clusterIds) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, baton.kafka().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            for (String clusterId : clusterIds) {
                producer.send(new ProducerRecord<>(Topics.CLUSTERS, clusterId, null)).get();
            }
        }
    }

    /** How a cluster's rollout ended, as the planner said on baton.rollouts.v1 (rejected or halted, with code and reason). */
    static String ending(LocalBaton baton, String clusterId) {
        for (EventLog.Entry entry : baton.eventLog().entries()) {
            if (entry.event() instanceof RolloutRejected r && r.clusterId().equals(clusterId)) {
                return "RolloutRejected " + r.code() + ": " + r.message();
            }
            if (entry.event() instanceof RolloutHalted h && h.clusterId().equals(clusterId)) {
                return "RolloutHalted " + h.code() + " on " + h.nodeName() + ": " + h.message();
            }
        }
        return "no RolloutRejected or RolloutHalted either: still running";
    }

    /** The spec with its one cluster renamed. */
    static FleetSpec renamed(FleetSpec spec, String clusterId) {
        FleetSpec.Cluster c = spec.clusters().get(0);
        return new FleetSpec(spec.sshUser(), spec.rebootDowntime(), List.of(new FleetSpec.Cluster(clusterId, c.product(),
                c.procedure(), c.version(), c.installers(), c.sshPort(), c.nodes())));
    }

    /** Every node runs the target and ran each step: what a user would check on the nodes themselves. */
    private static void requireRolled(List<SimulatedNode> nodes, String target, String who) {
        for (SimulatedNode node : nodes) {
            if (!target.equals(node.runningVersion())) {
                throw new IllegalStateException(who + ": " + node.name() + " runs " + node.runningVersion() + ", not " + target);
            }
        }
    }

    /** The matrix-server order: highest cluster address first, compared numerically. */
    static List<SimulatedNode> upgradeOrder(List<SimulatedNode> nodes) {
        return nodes.stream().sorted(Comparator.comparing((SimulatedNode n) -> numeric(n.clusterAddress())).reversed()).toList();
    }

    static BigInteger numeric(String address) {
        try {
            return new BigInteger(1, InetAddress.getByName(address).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** {@code version} with its last component raised by {@code by}: 3.5.0, 2 -> 3.5.2. */
    static String bump(String version, int by) {
        int dot = version.lastIndexOf('.');
        return version.substring(0, dot + 1) + (Integer.parseInt(version.substring(dot + 1)) + by);
    }

    static String hopsCsv(List<BatonRunAnalysis> analyses) {
        StringBuilder out = new StringBuilder("cluster,previous_node,next_node,node_active_to_command_ms,node_active_to_step_started_ms\n");
        for (BatonRunAnalysis analysis : analyses) {
            for (BatonRunAnalysis.Hop hop : analysis.hops()) {
                out.append(analysis.clusterId()).append(',').append(hop.previousNode()).append(',').append(hop.nextNode()).append(',').append(hop.toCommand().toMillis())
                        .append(',').append(hop.toStepStarted().toMillis()).append('\n');
            }
        }
        return out.toString();
    }

}
