package dev.baton.bench;

import dev.baton.audit.AuditBenchmark;
import dev.baton.executor.bench.ExecutorBenchmark;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.world.ChildProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./baton bench}: the command line of the benchmarks; {@link RolloutDriver} runs them. By default everything
 * the issue asks for: the rolling-upgrade comparison (3 rounds), the many-clusters scenario at 100, 300 and 1,000
 * clusters with one and then two executors, and the audit store at 1M events. Options given explicitly win over
 * {@code --quick}'s. {@code ./baton bench executor} and {@code ./baton bench audit} run the executor's and the audit
 * store's own benchmarks alone.
 */
@Command(name = "baton bench", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        subcommands = {ExecutorBenchmark.class, AuditBenchmark.class},
        description = {"Roll a simulated 16-node Matrix cluster with an Ansible serial:1 playbook and with Baton and compare",
                "both with the physical limit; then many clusters at once (1 vs 2 executors) and the audit store at 1M events.",
                "Tables on stdout, CSV, Markdown and PNG in bench/results/."})
public final class RollingUpgradeBench implements Callable<Integer> {
    static final String DEFAULT_FLEET = "/fleets/bench-matrix-16.yaml";
    /** Cluster counts of the many-clusters scenario when none are given. */
    static final List<Integer> DEFAULT_CLUSTER_COUNTS = List.of(100, 300, 1000);
    static final int DEFAULT_AUDIT_EVENTS = 1_000_000;

    @Option(names = "--quick", description = "1 round, 100 clusters with 1 executor, no audit scenario (~5 min)")
    boolean quick;

    @Option(names = "--rounds", paramLabel = "N", description = "rounds of the rolling-upgrade comparison, 1 to 20 (default 3)")
    Integer rounds;

    @Option(names = "--no-ansible", description = "Baton alone (no ansible-playbook needed)")
    boolean skipAnsible;

    @Option(names = "--no-rollout", description = "skip the rolling-upgrade comparison")
    boolean skipRollout;

    @Option(names = "--no-openssh", description = "skip the comparison on real OpenSSH hosts")
    boolean skipOpenSsh;

    @Option(names = "--clusters", paramLabel = "100,300,1000|0", description = "cluster counts of the many-clusters scenario (0: none)")
    String clusters;

    @Option(names = "--cluster-size", paramLabel = "K", description = "nodes per cluster there, 1 to 50 (default 3)")
    Integer clusterSize;

    @Option(names = "--executors", paramLabel = "1|2", description = "up to this many executors there (default 2)")
    Integer executors;

    @Option(names = "--audit", paramLabel = "EVENTS", description = "events of the audit scenario, 0 to skip (default 1000000)")
    String audit;

    @Option(names = "--fleet", paramLabel = "FLEET.yaml", description = "the rolling-upgrade comparison's fleet (one matrix cluster)")
    Path fleet;

    @Option(names = "--results", paramLabel = "DIR", description = "where results go (default bench/results)")
    Path results;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT10M", converter = IsoDuration.class,
            description = "give up on a rollout after this long (default ${DEFAULT-VALUE})")
    Duration timeout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RollingUpgradeBench()).execute(args));
    }

    /** The options of one command line; a mistake is an {@link IllegalArgumentException} that names the option. */
    static BenchOptions parse(String[] args, Path repoRoot) {
        RollingUpgradeBench command = new RollingUpgradeBench();
        try {
            new CommandLine(command).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return command.options(repoRoot);
    }

    BenchOptions options(Path repoRoot) {
        int roundCount = rounds != null ? range("--rounds", rounds.toString(), 1, 20) : quick ? 1 : 3;
        List<Integer> counts = clusters != null ? clusterCounts(clusters) : quick ? List.of(100) : DEFAULT_CLUSTER_COUNTS;
        int size = clusterSize != null ? range("--cluster-size", clusterSize.toString(), 1, 50) : 3;
        int executorCount = executors != null ? executors : quick ? 1 : 2;
        if (executorCount != 1 && executorCount != 2) {
            throw new IllegalArgumentException("--executors: '" + executors + "' is not 1 or 2");
        }
        int auditEvents = audit != null ? range("--audit", audit.replace("_", ""), 0, 100_000_000) : quick ? 0 : DEFAULT_AUDIT_EVENTS;
        if (auditEvents > 0 && auditEvents < 1000) {
            throw new IllegalArgumentException("--audit: '" + audit
                    + "' is not a number of events (0 to skip, else at least 1000, e.g. 1000000)");
        }
        if (skipRollout && auditEvents == 0 && counts.isEmpty()) {
            throw new IllegalArgumentException("--no-rollout with --clusters 0 and --audit 0 leaves nothing to measure");
        }
        Path resultDir = results != null ? results : repoRoot.resolve("bench/results");
        return new BenchOptions(fleet, resultDir.toAbsolutePath(), skipAnsible, timeout, roundCount, skipRollout, auditEvents,
                counts, size, executorCount, skipOpenSsh);
    }

    @Override
    public Integer call() {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
        BenchOptions options;
        FleetSpec spec;
        try {
            options = options(repoRoot);
            spec = options.fleet() == null ? FleetSpec.fromClasspath(DEFAULT_FLEET) : FleetSpec.load(options.fleet());
        } catch (IllegalArgumentException e) { // also FleetSpecException: a bad fleet file
            System.err.println("baton bench: " + e.getMessage());
            return 2;
        }
        ChildProcesses.stopAllOnExit("bench-children-stop");
        Path workDir = repoRoot.resolve(".baton/bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            return new RolloutDriver(System.out).run(repoRoot, spec, options, workDir);
        } catch (Exception | Error e) { // an Error too: the services' JVMs must not outlive a broken run
            System.err.println("baton bench failed: " + e.getMessage() + " (logs in " + workDir + ")");
            e.printStackTrace();
            return 1;
        }
    }

    static int range(String option, String text, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            value = Integer.MIN_VALUE;
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a number from " + min + " to " + max);
        }
        return value;
    }

    /** "100,300,1000" in that order; "0" for none. */
    static List<Integer> clusterCounts(String text) {
        if ("0".equals(text.strip())) {
            return List.of();
        }
        List<Integer> counts = new ArrayList<>();
        for (String part : text.split(",")) {
            counts.add(range("--clusters", part.strip(), 1, 2000));
        }
        return counts;
    }

    /** An ISO-8601 duration ({@code PT10M}), with a message that says so. */
    static final class IsoDuration implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an ISO-8601 duration (e.g. PT10M)");
            }
        }
    }
}
