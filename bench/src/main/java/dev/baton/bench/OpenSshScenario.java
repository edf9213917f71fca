package dev.baton.bench;

import dev.baton.contracts.NodeActive;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.openssh.OpenSshNodes;
import dev.baton.sandbox.world.ChildProcesses;
import dev.baton.sandbox.world.LocalBaton;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's "real OpenSSH hosts" scenario: the same 16-node Matrix Server rolling upgrade as
 * {@link RollingUpgradeBench}, with the same step times and so the same physical limit, on 16 real {@code sshd}
 * processes of this machine ({@link OpenSshNodes}, {@code 127.79.0.N}) instead of simulated nodes, so that the Ansible
 * playbook can be the idiomatic one: {@code ansible.builtin.command} with pipelining ({@link AnsibleCommandPlaybook}).
 *
 * <p>Per round:
 * <ol>
 *   <li>start a whole Baton ({@link LocalBaton}: Kafka, PostgreSQL, the four services; its one-node simulated fleet
 *       only provides the client key and known_hosts and is never registered) and 16 OpenSSH nodes on 3.5.0 that
 *       authorise that client key; append the nodes' host keys to the services' known_hosts;</li>
 *   <li>warm the services up as the simulated comparison does ({@code RolloutDriver.warmUp}: one rollout of a
 *       simulated 2-node cluster of the same fleet, then retired; the OpenSSH nodes are not touched);</li>
 *   <li>Ansible rolls 3.5.0 -> 3.5.1 with the idiomatic playbook, then (the control) 3.5.1 -> 3.5.2 with the simulated
 *       scenario's {@code raw} playbook, while the cluster is not registered (the services idle, nothing probes);</li>
 *   <li>publish {@code ClusterRegistered} on {@code baton.clusters.v1}, wait until health reports every node active
 *       ({@code NodeActive}, {@code baton.health.v1}), publish {@code UpgradeRequested} 3.5.2 -> 3.5.3 on
 *       {@code baton.requests.v1} and wait for {@code RolloutCompleted} on {@code baton.rollouts.v1};</li>
 *   <li>after each tool, check on the nodes' own files that every node runs the target; at the end retire the
 *       cluster (tombstone on {@code baton.clusters.v1}).</li>
 * </ol>
 */
public final class OpenSshScenario {
    /** The table's and chart's title (short enough for the chart's title line). */
    static final String SCENARIO = "16-node matrix-server (OpenSSH)";
    /** The idiomatic playbook's row (short enough for the chart's label column). */
    static final String ANSIBLE_CONTENDER = "Ansible (command)";
    /** The control: the simulated scenario's raw playbook, on these same OpenSSH nodes. */
    static final String RAW_CONTENDER = "Ansible (raw)";
    static final int NODES = 16;
    static final String FROM_VERSION = "3.5.0";
    static final String PYTHON = "/usr/bin/python3";
    /** The OpenSSH nodes listen on 127.79.0.N (the simulated fleets use 127.77 and 127.78). */
    static final String ADDRESS_PREFIX = "127.79.0.";
    /** LocalBaton needs a fleet; this one-node simulated cluster is never registered. */
    static final String UNUSED_FLEET = """
            # only for LocalBaton's client key and known_hosts: never registered, nothing rolls it
            clusters:
              - id: openssh-unused
                product: matrix-server
                version: 3.5.0
                nodes:
                  - name: unused
                    sshHost: 127.79.255.1
            """;

    /**
     * What to run.
     *
     * @param ansible roll with the idiomatic playbook first in each round (when {@code ansible-playbook} is installed)
     * @param rawControl then also with the simulated scenario's {@code raw} playbook ({@link AnsiblePlaybook}) on the
     *                   same nodes: the control that tells real sshd's cost from the command module's
     */
    public record Options(int rounds, Duration timeout, boolean ansible, boolean rawControl) {
    }

    /**
     * The outcome of every round, or why the scenario was skipped.
     *
     * @param ansibleRounds the idiomatic playbook's wall times (empty when Ansible did not run)
     * @param rawRounds the raw control playbook's wall times (empty when it did not run)
     */
    public record Outcome(String skipped, PhysicalLimit limit, List<Duration> batonRounds, boolean batonCompleted,
                          List<Duration> ansibleRounds, boolean ansibleCompleted, List<Duration> rawRounds, boolean rawCompleted,
                          List<BatonRunAnalysis> analyses) {
        public Outcome {
            batonRounds = List.copyOf(batonRounds);
            ansibleRounds = List.copyOf(ansibleRounds);
            rawRounds = List.copyOf(rawRounds);
            analyses = List.copyOf(analyses);
        }

        static Outcome skipped(String why) {
            return new Outcome(why, null, List.of(), false, List.of(), false, List.of(), false, List.of());
        }

        /** Whether the scenario ran and every round of every tool rolled every node. */
        public boolean completed() {
            return skipped == null && batonCompleted && (ansibleRounds.isEmpty() || ansibleCompleted)
                    && (rawRounds.isEmpty() || rawCompleted);
        }

        /** Per round, Baton's wall time / the raw control playbook's (empty unless both completed every round). */
        public List<Double> batonToRawByRound() {
            if (!batonCompleted || !rawCompleted || rawRounds.size() != batonRounds.size()) {
                return List.of();
            }
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < batonRounds.size(); i++) {
                ratios.add(ResultTable.ratio(batonRounds.get(i), rawRounds.get(i)));
            }
            return ratios;
        }

        /** A line under the table: Baton against the raw control (the table's own ratio is against the command module). */
        String rawNote() {
            List<Double> ratios = batonToRawByRound();
            if (ratios.isEmpty()) {
                return "";
            }
            ResultTable.Run raw = new ResultTable.Run(RAW_CONTENDER, rawRounds, true, "");
            ResultTable.Run baton = new ResultTable.Run("Baton", batonRounds, true, "");
            return "Baton : " + RAW_CONTENDER + " wall time = " + ResultTable.number(ResultTable.ratio(baton.wallTime(), raw.wallTime()))
                    + (ratios.size() > 1 ? " (medians; per round: " + String.join(", ", ratios.stream().map(ResultTable::number).toList())
                            + ")" : "")
                    + "\n";
        }

        /** Baton's and (if it ran) Ansible's wall times, one per round, for a {@link ResultTable}. */
        public List<ResultTable.Run> runs() {
            List<ResultTable.Run> runs = new ArrayList<>();
            if (!batonRounds.isEmpty()) {
                runs.add(new ResultTable.Run("Baton", batonRounds, batonCompleted, "UpgradeRequested -> RolloutCompleted on the wire"));
            }
            if (!ansibleRounds.isEmpty()) {
                runs.add(new ResultTable.Run(ANSIBLE_CONTENDER, ansibleRounds, ansibleCompleted,
                        "serial: 1, ansible.builtin.command, pipelining; ansible-playbook process wall time"));
            }
            if (!rawRounds.isEmpty()) {
                runs.add(new ResultTable.Run(RAW_CONTENDER, rawRounds, rawCompleted,
                        "control: serial: 1, ansible.builtin.raw on the same nodes; ansible-playbook process wall time"));
            }
            return runs;
        }

        /** The scenario's table (hops and breakdown from Baton's completed rounds). */
        public ResultTable table() {
            if (skipped != null) {
                throw new IllegalStateException("the OpenSSH scenario was skipped: " + skipped);
            }
            List<BatonRunAnalysis.Hop> hops = analyses.stream().flatMap(a -> a.hops().stream()).toList();
            return new ResultTable(SCENARIO, limit.total(), limit.stepTime(), limit.stabilisationTime(), runs(),
                    analyses.isEmpty() ? null : Percentiles.of(hops.stream().map(BatonRunAnalysis.Hop::toStepStarted).toList()),
                    analyses.isEmpty() ? null : Percentiles.of(hops.stream().map(BatonRunAnalysis.Hop::toCommand).toList()),
                    analyses.isEmpty() ? null : BatonRunAnalysis.Breakdown.mean(analyses.stream().map(BatonRunAnalysis::breakdown)
                            .toList()));
        }

        /** The table as Markdown, with Baton against the raw control underneath. */
        public String markdown() {
            String note = rawNote();
            return table().markdown() + (note.isEmpty() ? "" : "\n" + note);
        }

        /** The table for the console. */
        public String text() {
            return table().text() + rawNote();
        }

        /** The table as CSV, with Baton against the raw control as extra ratio lines. */
        public String csv() {
            StringBuilder csv = new StringBuilder(table().csv());
            List<Double> ratios = batonToRawByRound();
            if (!ratios.isEmpty()) {
                Duration baton = new ResultTable.Run("Baton", batonRounds, true, "").wallTime();
                Duration raw = new ResultTable.Run(RAW_CONTENDER, rawRounds, true, "").wallTime();
                csv.append(String.join(",", ResultTable.csvField(SCENARIO), "ratio-baton-to-raw", "baton:raw",
                        ResultTable.number(ResultTable.ratio(baton, raw)), "wall time ratio against the raw control (not seconds)"))
                                .append('\n');
                for (int i = 0; ratios.size() > 1 && i < ratios.size(); i++) {
                    csv.append(String.join(",", ResultTable.csvField(SCENARIO), "ratio-baton-to-raw-round-" + (i + 1), "baton:raw",
                            ResultTable.number(ratios.get(i)), "wall time ratio against the raw control in round " + (i + 1)
                                    + " (not seconds)")).append('\n');
                }
            }
            return csv.toString();
        }

        /** Writes {@code openssh-rolling-upgrade.csv}, {@code .md} and {@code .png} into {@code resultsDir}. */
        public void writeResults(Path resultsDir) throws IOException {
            ResultTable table = table();
            Files.createDirectories(resultsDir);
            Files.writeString(resultsDir.resolve("openssh-rolling-upgrade.csv"), csv());
            Files.writeString(resultsDir.resolve("openssh-rolling-upgrade.md"), markdown());
            ResultChart.write(table, resultsDir.resolve("openssh-rolling-upgrade.png"));
        }
    }

    private OpenSshScenario() {
    }

    /** Every round with both playbooks (when {@code ansible-playbook} is installed) and Baton. */
    public static Outcome run(Path repoRoot, Path workDir, Path resultsDir, int rounds, Duration timeout, PrintStream out)
            throws Exception {
        return run(repoRoot, workDir, resultsDir, new Options(rounds, timeout, true, true), out);
    }

    /** Every round as {@code options} say; without Ansible (or when it is not installed) Baton alone. */
    public static Outcome run(Path repoRoot, Path workDir, Path resultsDir, Options options, PrintStream out) throws Exception {
        int rounds = options.rounds();
        Duration timeout = options.timeout();
        boolean withAnsible = options.ansible();
        var missing = OpenSshNodes.missingTools();
        if (missing.isPresent()) {
            out.println("OpenSSH hosts: skipped: " + missing.get());
            return Outcome.skipped(missing.get());
        }
        Procedure procedure = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();
        Path ansible = withAnsible ? AnsibleRun.executable() : null;
        boolean raw = ansible != null && options.rawControl();
        String ansibleTarget = RolloutDriver.bump(FROM_VERSION, 1);
        String rawTarget = RolloutDriver.bump(FROM_VERSION, 2);
        String batonTarget = RolloutDriver.bump(FROM_VERSION, raw ? 3 : 2);
        PhysicalLimit limit = PhysicalLimit.of(procedure, cluster("openssh-matrix"), batonTarget, RolloutDriver.HEALTH_INTERVAL);
        if (withAnsible && ansible == null) {
            out.println("OpenSSH hosts: ansible-playbook is not installed (apt-get install -y ansible-core): Baton alone");
        }
        out.printf("OpenSSH hosts: %d real sshd nodes (%s1..%d), matrix-server %s%s%s -> %s (Baton), %d round(s); physical limit %s s%n",
                NODES, ADDRESS_PREFIX, NODES, FROM_VERSION, ansible == null ? "" : " -> " + ansibleTarget + " (Ansible, command module)",
                raw ? " -> " + rawTarget + " (Ansible, raw)" : "", batonTarget, rounds, ResultTable.secs(limit.total()));
        if (ansible != null) {
            out.println("  " + AnsibleRun.version(ansible));
        }
        String user = System.getProperty("user.name");
        List<Duration> batonWalls = new ArrayList<>();
        List<Duration> ansibleWalls = new ArrayList<>();
        List<Duration> rawWalls = new ArrayList<>();
        boolean rawCompleted = true;
        List<BatonRunAnalysis> analyses = new ArrayList<>();
        boolean batonCompleted = true;
        boolean ansibleCompleted = true;
        for (int round = 1; round <= rounds; round++) {
            String clusterId = "openssh-matrix-r" + round;
            Path roundDir = workDir.resolve("openssh-round-" + round);
            out.printf("OpenSSH round %d: starting Kafka, PostgreSQL, the four services and %d sshd nodes (%s)...%n", round, NODES,
                    roundDir);
            FleetSpec withWarmUp = RolloutDriver.withWarmUp(FleetSpec.parse(UNUSED_FLEET), round);
            try (LocalBaton baton = LocalBaton.start(repoRoot, withWarmUp, roundDir, "bench-fleet-management",
                    RolloutDriver.ROLLOUT_TUNING);
                 OpenSshNodes nodes = OpenSshNodes.start(cluster(clusterId), roundDir.resolve("openssh-nodes"),
                         baton.fleet().clientPrivateKey(), OpenSshScenario::stepTimes)) {
                // the services read known_hosts again for every new connection (executor and health)
                Files.write(baton.fleet().knownHostsFile(), nodes.knownHostsLines(), StandardOpenOption.APPEND);
                // long-running services, warmed up by one rollout of their own (as in the simulated comparison)
                RolloutDriver.warmUp(baton, withWarmUp.clusters().get(1).id(), round, out);
                List<OpenSshNodes.Node> order = upgradeOrder(nodes.nodes());
                if (ansible != null) {
                    List<AnsiblePlaybook.Host> hosts = order.stream()
                            .map(n -> new AnsiblePlaybook.Host(n.name(), n.sshHost(), n.sshPort())).toList();
                    AnsibleCommandPlaybook playbook = new AnsibleCommandPlaybook(hosts, ansibleTarget, user,
                            baton.fleet().clientPrivateKey(), nodes.knownHostsFile(), procedure.health().stableProbes(),
                            RolloutDriver.HEALTH_INTERVAL, PYTHON);
                    ansibleCompleted &= runAnsible(ansible, playbook::writeTo, ANSIBLE_CONTENDER, order, ansibleTarget,
                            resultsDir.resolve("ansible-openssh"), timeout, round, ansibleWalls, out);
                    if (raw) {
                        AnsiblePlaybook control = new AnsiblePlaybook(hosts, rawTarget, user, baton.fleet().clientPrivateKey(),
                                nodes.knownHostsFile(), procedure.health().stableProbes(), RolloutDriver.HEALTH_INTERVAL);
                        rawCompleted &= runAnsible(ansible, control::writeTo, RAW_CONTENDER, order, rawTarget,
                                resultsDir.resolve("ansible-openssh/raw"), timeout, round, rawWalls, out);
                    }
                }
                Instant registered = Instant.now();
                baton.fleetManagement().publish(nodes.registration(clusterId, user));
                awaitActive(baton, clusterId, order, registered, Duration.ofSeconds(120));
                out.printf("OpenSSH round %d: Baton rolling %s to %s ...%n", round, clusterId, batonTarget);
                Instant requested = Instant.now();
                baton.fleetManagement().requestUpgrade(clusterId, batonTarget);
                Instant deadline = requested.plus(timeout);
                while (!baton.eventLog().rolloutFinished(clusterId) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(100);
                }
                String notRolled = notRolled(order, batonTarget);
                if (!baton.eventLog().rolloutCompleted(clusterId) || notRolled != null) {
                    out.println("  Baton did NOT complete (" + RolloutDriver.ending(baton, clusterId)
                            + (notRolled == null ? "" : "; " + notRolled) + "); see the service logs in " + roundDir);
                    batonCompleted = false;
                    batonWalls.add(Duration.between(requested, Instant.now()));
                } else {
                    BatonRunAnalysis analysis = BatonRunAnalysis.of(baton.eventLog().entries(), clusterId, batonTarget);
                    analyses.add(analysis);
                    batonWalls.add(analysis.wallTime());
                    out.printf("OpenSSH round %d: Baton %s s%n", round, ResultTable.secs(analysis.wallTime()));
                }
                RolloutDriver.retire(baton, List.of(clusterId));
            }
        }
        return new Outcome(null, limit, batonWalls, batonCompleted, ansibleWalls, ansible != null && ansibleCompleted, rawWalls,
                raw && rawCompleted, analyses);
    }

    /** The 16 nodes as a fleet-spec cluster: names, SSH/cluster addresses 127.79.0.N, the version, each step 0.5 s. */
    static FleetSpec.Cluster cluster(String clusterId) {
        StringBuilder yaml = new StringBuilder("clusters:\n  - id: ").append(clusterId)
                .append("\n    product: matrix-server\n    version: ").append(FROM_VERSION).append("\n    nodes:\n");
        String step = RolloutDriver.STEP_TIME.toString();
        for (int n = 1; n <= NODES; n++) {
            yaml.append(String.format("      - name: mx%02d%n        sshHost: %s%d%n        faults:%n"
                    + "          slowCommands: {\"pmxs stop\": %s, \"mx-install\": %s, \"pmxs start\": %s}%n",
                    n, ADDRESS_PREFIX, n, step, step, step));
        }
        return FleetSpec.parse(yaml.toString()).clusters().get(0);
    }

    /** The per-node times of the three slowed commands, from the node's {@code slowCommands} like the simulated node. */
    static OpenSshNodes.StepTimes stepTimes(FleetSpec.Node node) {
        Map<String, Duration> slow = node.faults().slowCommands();
        return new OpenSshNodes.StepTimes(PhysicalLimit.simulatedDuration("pmxs stop", slow),
                PhysicalLimit.simulatedDuration("mx-install", slow), PhysicalLimit.simulatedDuration("pmxs start", slow));
    }

    /** The matrix-server order: highest cluster address first, compared numerically. */
    static List<OpenSshNodes.Node> upgradeOrder(List<OpenSshNodes.Node> nodes) {
        return nodes.stream().sorted(Comparator.comparing((OpenSshNodes.Node n) -> RolloutDriver.numeric(n.clusterAddress()))
                .reversed()).toList();
    }

    /** Null when every node runs {@code target} (its own files say so), else which do not. */
    static String notRolled(List<OpenSshNodes.Node> nodes, String target) {
        List<String> wrong = nodes.stream().filter(n -> !target.equals(n.runningVersion()))
                .map(n -> n.name() + " runs " + n.runningVersion()).toList();
        return wrong.isEmpty() ? null : "not on " + target + ": " + String.join(", ", wrong);
    }

    /** Writes an Ansible project (inventory.ini, ansible.cfg, playbook.yml) into a directory. */
    @FunctionalInterface
    interface AnsibleProject {
        void writeTo(Path dir, Path controlPathDir) throws IOException;
    }

    /**
     * Runs one playbook over every node and checks the nodes' own files afterwards; adds its wall time to
     * {@code walls} and returns whether every node runs {@code target}.
     */
    private static boolean runAnsible(Path executable, AnsibleProject project, String contender, List<OpenSshNodes.Node> order,
                                      String target, Path dir, Duration timeout, int round, List<Duration> walls,
                                      PrintStream out) throws IOException, InterruptedException {
        out.printf("OpenSSH round %d: %s rolling to %s ...%n", round, contender, target);
        if (round == 1 && Files.isDirectory(dir)) {
            try (var old = Files.list(dir)) {
                for (Path log : old.filter(f -> f.getFileName().toString().startsWith("ansible-playbook")).toList()) {
                    Files.delete(log);
                }
            }
        }
        Path controlDir = Files.createTempDirectory("bench-openssh-cp-");
        AnsibleRun.Result result;
        try {
            project.writeTo(dir, controlDir);
            result = AnsibleRun.run(executable, dir, dir.resolve("ansible-playbook-round-" + round + ".txt"), timeout);
        } finally {
            // the SSH control sockets; their masters exit when the nodes' sshd close their sessions
            try (var sockets = Files.walk(controlDir)) {
                for (Path path : sockets.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
        walls.add(result.wallTime());
        String notRolled = notRolled(order, target);
        boolean rolled = result.succeeded() && notRolled == null;
        if (!rolled) {
            out.println("  " + contender + " did NOT complete (exit " + result.exitCode() + (notRolled == null ? "" : "; " + notRolled)
                    + "); see " + result.log());
        }
        out.printf("OpenSSH round %d: %s %s s%n", round, contender, ResultTable.secs(result.wallTime()));
        return rolled;
    }

    /** Waits until health has announced every node active after {@code since}. */
    private static void awaitActive(LocalBaton baton, String clusterId, List<OpenSshNodes.Node> nodes, Instant since, Duration timeout)
            throws InterruptedException {
        Set<String> expected = nodes.stream().map(OpenSshNodes.Node::name).collect(Collectors.toSet());
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Set<String> active = baton.eventLog().entriesOf(NodeActive.class).stream()
                    .filter(e -> !e.timestamp().isBefore(since.minusSeconds(1)))
                    .map(e -> (NodeActive) e.event())
                    .filter(a -> a.clusterId().equals(clusterId))
                    .map(NodeActive::nodeName).collect(Collectors.toSet());
            if (active.containsAll(expected)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                expected.removeAll(active);
                throw new IllegalStateException("health did not report " + new java.util.TreeSet<>(expected) + " of " + clusterId
                        + " active within " + timeout + "; see " + baton.services().service("health-service").log());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Runs the scenario alone: {@code java ... dev.baton.bench.OpenSshScenario [--rounds N] [--results DIR]
     * [--timeout PT10M] [--no-ansible] [--no-raw]}; exits 0 when every round completed, 1 otherwise, 2 on a usage
     * error or when sshd is not installed.
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Alone()).execute(args));
    }

    /** The scenario's own command line. */
    @Command(name = "OpenSshScenario", mixinStandardHelpOptions = true,
            description = "Baton, an idiomatic Ansible playbook and a raw control on 16 real OpenSSH hosts.")
    static final class Alone implements Callable<Integer> {
        @Option(names = "--rounds", defaultValue = "1", paramLabel = "N", description = "1 to 20 (default ${DEFAULT-VALUE})")
        int rounds;

        @Option(names = "--results", paramLabel = "DIR", description = "where results go (default bench/results)")
        Path results;

        @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION", converter = RollingUpgradeBench.IsoDuration.class,
                description = "give up on a rollout after this long (default ${DEFAULT-VALUE})")
        Duration timeout;

        @Option(names = "--no-ansible", description = "Baton (and the raw control) only")
        boolean noAnsible;

        @Option(names = "--no-raw", description = "without the raw control")
        boolean noRaw;

        @Override
        public Integer call() {
            Path repoRoot = Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
            if (rounds < 1 || rounds > 20) {
                System.err.println("OpenSshScenario: --rounds: '" + rounds + "' is not a number from 1 to 20");
                return 2;
            }
            Path resultDir = results == null ? repoRoot.resolve("bench/results") : results.toAbsolutePath();
            ChildProcesses.stopAllOnExit("bench-openssh-children-stop");
            Path workDir = repoRoot.resolve(".baton/bench-openssh-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            try {
                Outcome outcome = run(repoRoot, workDir, resultDir, new Options(rounds, timeout, !noAnsible, !noRaw), System.out);
                if (outcome.skipped() != null) {
                    return 2;
                }
                outcome.writeResults(resultDir);
                System.out.println();
                System.out.print(outcome.text());
                System.out.println();
                System.out.println("results: " + resultDir + "/openssh-rolling-upgrade.{csv,md,png}"
                        + (outcome.ansibleRounds().isEmpty() ? ""
                                : ", ansible-openssh/ (playbook, inventory, ansible.cfg, one log per round)")
                        + (outcome.rawRounds().isEmpty() ? "" : ", ansible-openssh/raw/ (the raw control's)"));
                return outcome.completed() ? 0 : 1;
            } catch (Exception | Error e) {
                // an Error too (e.g. a class missing because the jar was rebuilt meanwhile): the embedded Kafka's threads
                // would keep the JVM alive otherwise
                System.err.println("OpenSshScenario failed: " + e.getMessage() + " (logs in " + workDir + ")");
                e.printStackTrace();
                return 1;
            }
        }
    }
}
