package dev.baton.bench;

import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.Topics;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.BatonServices;
import dev.baton.sandbox.world.LocalBaton;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * The rollout driver of every benchmark scenario ({@link RollingUpgradeBench} is its command line): on a simulated
 * Matrix Server cluster whose steps take known times it measures (1) an Ansible {@code serial: 1} playbook rolling the
 * cluster over SSH and (2) Baton's four packaged services rolling the same nodes again (Kafka topics {@code baton.*}
 * read back with {@link dev.baton.sandbox.world.EventLog}); then many clusters at once and the audit store. Its static
 * helpers (warm-up, registering, retiring clusters, how a rollout ended) are shared with {@link OpenSshScenario}.
 */
public final class RolloutDriver {
    /** The probe interval {@code BatonServices} gives the health service in the sandbox (BATON_HEALTH_INTERVAL). */
    static final Duration HEALTH_INTERVAL = Duration.ofMillis(300);
    /** Each step's simulated time in the many-clusters scenario (as in the 16-node fleet). */
    static final Duration STEP_TIME = Duration.ofMillis(500);
    /** How the services run in the rolling-upgrade comparison: long-running JVMs (full JIT) as in production. */
    static final BatonServices.Tuning ROLLOUT_TUNING = BatonServices.Tuning.longRunning("512m");
    /** How often the many-clusters scenario's health service probes a settled node (BATON_HEALTH_IDLE_INTERVAL). */
    static final Duration IDLE_INTERVAL = Duration.ofSeconds(5);

    private final PrintStream out;

    RolloutDriver(PrintStream out) {
        this.out = out;
    }

    int run(Path repoRoot, FleetSpec spec, BenchOptions options, Path workDir) throws Exception {
        int status = options.skipRollout() ? 0 : rollouts(repoRoot, spec, options, workDir);
        if (!options.skipRollout() && !options.skipOpenSsh()) {
            // the same comparison on real OpenSSH hosts with Python: the idiomatic playbook (command module, pipelining)
            OpenSshScenario.Outcome openssh = OpenSshScenario.run(repoRoot, workDir.resolve("openssh"), options.results(),
                    new OpenSshScenario.Options(options.rounds(), options.timeout(), !options.skipAnsible(), true), out);
            if (openssh.skipped() == null) {
                openssh.writeResults(options.results());
                out.println();
                out.print(openssh.text());
                out.println();
                out.println("results: " + options.results() + "/openssh-rolling-upgrade.{csv,md,png}");
                if (!openssh.completed()) {
                    status = 1;
                }
            }
        }
        // executors 1 vs 2: the same scenario once per executor count, side by side in this run
        List<ManyClusters.Outcome> many = new ArrayList<>();
        for (int clusters : options.clusterCounts()) {
            for (int executors = 1; executors <= options.executors(); executors++) {
                ManyClusters.Outcome outcome = manyClusters(repoRoot, options, workDir, clusters, executors);
                if (outcome == null) {
                    status = 1;
                } else {
                    many.add(outcome);
                }
            }
        }
        if (!many.isEmpty()) {
            Files.writeString(options.results().resolve("many-clusters.csv"), ManyClusters.summaryCsv(many));
            Files.writeString(options.results().resolve("many-clusters.md"), ManyClusters.summaryMarkdown(many));
            ResultChart.writeManyClusters(many, options.results().resolve("many-clusters.png"));
            out.println();
            out.print(ManyClusters.summaryMarkdown(many));
            out.println();
            out.println("results: " + options.results() + "/many-clusters.{csv,md,png}");
        }
        if (options.auditEvents() > 0) {
            out.printf("audit: AuditBenchmark (the audit store) with %,d events (embedded PostgreSQL; takes minutes)...%n",
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

    /**
     * How the services run in the many-clusters scenario: long-running JVMs (full JIT, 2 GB heap: thousands of SSH
     * connections), and settled nodes probed every {@link #IDLE_INTERVAL} instead of every 0.3 s (a node a rollout
     * works on still every 0.3 s, so the physical limit is the same).
     */
    static BatonServices.Tuning manyClustersTuning() {
        return BatonServices.Tuning.longRunning("2g").withEnv("BATON_HEALTH_IDLE_INTERVAL", IDLE_INTERVAL.toString());
    }

    /** N clusters of K nodes, all asked to roll 3.5.0 -> 3.5.1 at the same moment; null if not every one completed. */
    ManyClusters.Outcome manyClusters(Path repoRoot, BenchOptions options, Path workDir, int n, int executors) throws Exception {
        int k = options.clusterSize();
        // cluster ids of their own per run: the Kafka broker (one per JVM) still holds the other runs' events
        FleetSpec spec = FleetSpec.parse(ManyClusters.fleetYaml("many" + n + "-e" + executors, n, k, STEP_TIME));
        Procedure procedure = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();
        String target = bump(spec.clusters().get(0).version(), 1);
        Duration clusterLimit = PhysicalLimit.of(procedure, spec.clusters().get(0), target, HEALTH_INTERVAL).total();
        List<String> ids = spec.clusters().stream().map(FleetSpec.Cluster::id).toList();
        String name = "many-clusters-" + n + "x" + k + "-executors-" + executors;
        Path dir = workDir.resolve(name);
        out.printf("many clusters: %d Matrix clusters x %d nodes (%d nodes), %d executor(s), all rolling to %s at once; "
                + "one cluster's limit %s s (%s)...%n", n, k, n * k, executors, target, ResultTable.secs(clusterLimit), dir);
        BatonServices.Tuning tuning = manyClustersTuning();
        try (LocalBaton baton = LocalBaton.start(repoRoot, spec, dir, "bench-fleet-management", tuning)) {
            if (executors > 1) {
                // a second executor in the same consumer group: the commands' partitions are split between the two
                baton.services().startAnother("executor-service", Map.of("BATON_EXECUTOR_INSTANCE_ID", "executor-2"));
            }
            Instant since = Instant.now();
            baton.registerFleet();
            Duration settle = Duration.ofSeconds(Math.max(300, n * k / 5L));
            for (String id : ids) {
                awaitActive(baton, id, baton.fleet().nodes(id), since, settle);
            }
            out.printf("many clusters: every node active after %s s; requesting %d upgrades...%n",
                    ResultTable.secs(Duration.between(since, Instant.now())), n);
            ids.forEach(id -> baton.fleetManagement().requestUpgrade(id, target));
            Duration timeout = options.timeout().compareTo(Duration.ofSeconds(n * 3L)) > 0 ? options.timeout()
                    : Duration.ofSeconds(n * 3L);
            Instant deadline = Instant.now().plus(timeout);
            while (ManyClusters.finished(baton.eventLog().entries(), ids).size() < ids.size()
                    && Instant.now().isBefore(deadline)) {
                Thread.sleep(500);
            }
            java.util.Set<String> completed = baton.eventLog().events(dev.baton.contracts.RolloutCompleted.class).stream()
                    .map(dev.baton.contracts.RolloutCompleted::clusterId).collect(java.util.stream.Collectors.toSet());
            List<String> incomplete = ids.stream().filter(id -> !completed.contains(id)).toList();
            if (!incomplete.isEmpty()) {
                out.printf("many clusters: %d of %d rollouts did not complete within %s; see %s%n", incomplete.size(), n,
                        timeout, dir);
                incomplete.stream().limit(20).forEach(id -> out.println("  " + id + ": " + ending(baton, id)));
                return null;
            }
            for (String id : ids) {
                requireRolled(baton.fleet().nodes(id), target, "Baton (" + id + ")");
            }
            ManyClusters.Outcome outcome = ManyClusters.outcome(baton.eventLog().entries(), ids, k, target, clusterLimit,
                    executors);
            retire(baton, ids);
            Files.createDirectories(options.results());
            Files.writeString(options.results().resolve(name + ".csv"), outcome.csv());
            Files.writeString(options.results().resolve(name + ".md"), outcome.markdown());
            out.println();
            out.print(outcome.markdown());
            out.println();
            out.println("results: " + options.results() + "/" + name + ".{csv,md}");
            return outcome;
        }
    }

    int rollouts(Path repoRoot, FleetSpec spec, BenchOptions options, Path workDir) throws Exception {
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
            FleetSpec withWarmUp = withWarmUp(roundSpec, round);
            String warmUpId = withWarmUp.clusters().get(1).id();
            try (LocalBaton baton = LocalBaton.start(repoRoot, withWarmUp, roundDir, "bench-fleet-management", ROLLOUT_TUNING)) {
                warmUp(baton, warmUpId, round, out);
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
                register(baton, clusterId);
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

    /**
     * The round's fleet: the measured cluster, and a 2-node cluster of its own (other addresses) that Baton rolls
     * once before anything is measured.
     */
    static FleetSpec withWarmUp(FleetSpec roundSpec, int round) {
        FleetSpec.Cluster measured = roundSpec.clusters().get(0);
        // an id of its own per round: the broker (one per JVM) still holds earlier rounds' events
        FleetSpec.Cluster warmUp = FleetSpec.parse(ManyClusters.fleetYaml("warmup-r" + round + "-" + measured.id(), 1, 2,
                STEP_TIME)).clusters().get(0);
        return new FleetSpec(roundSpec.sshUser(), roundSpec.rebootDowntime(), List.of(measured, warmUp));
    }

    /**
     * Baton's services are long-running: in production the first rollout after a deployment is the only one that
     * meets cold JVMs (class loading, first Kafka and SSH connections, the JIT not yet at work). Each round therefore
     * rolls a separate 2-node cluster once, then retires it, before Ansible and Baton are measured; the measured
     * cluster's nodes are not touched by it.
     */
    static void warmUp(LocalBaton baton, String warmUpId, int round, PrintStream out) throws Exception {
        out.printf("round %d: warming Baton's services up with one rollout of the 2-node cluster %s ...%n", round, warmUpId);
        Instant since = Instant.now();
        register(baton, warmUpId);
        awaitActive(baton, warmUpId, baton.fleet().nodes(warmUpId), since, Duration.ofSeconds(120));
        baton.fleetManagement().requestUpgrade(warmUpId, bump(baton.fleet().spec().cluster(warmUpId).version(), 1));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!baton.eventLog().rolloutFinished(warmUpId) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        if (!baton.eventLog().rolloutCompleted(warmUpId)) {
            throw new IllegalStateException("the warm-up rollout of " + warmUpId + " did not complete ("
                    + ending(baton, warmUpId) + ")");
        }
        retire(baton, List.of(warmUpId));
    }

    /** Publishes one cluster of the fleet on baton.clusters.v1, as fleet management would. */
    static void register(LocalBaton baton, String clusterId) {
        baton.fleet().registrations().stream().filter(r -> r.clusterId().equals(clusterId))
                .forEach(baton.fleetManagement()::publish);
    }

    private AnsibleRun.Result runAnsible(Path executable, LocalBaton baton, List<SimulatedNode> order, Procedure procedure,
                                         String target, BenchOptions options, int round) throws IOException, InterruptedException {
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
                c.procedure(), c.version(), c.installers(), c.sshPort(), c.nodes(), c.applications(), c.hooks())));
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
                out.append(analysis.clusterId()).append(',').append(hop.previousNode()).append(',').append(hop.nextNode())
                        .append(',').append(hop.toCommand().toMillis()).append(',').append(hop.toStepStarted().toMillis()).append('\n');
            }
        }
        return out.toString();
    }

}
