package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.ChildProcesses;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code baton demo}: a real rolling upgrade on the embedded defaults. Starts the sandbox's world
 * ({@link LocalBaton}: Kafka, PostgreSQL, the simulated fleet {@code fleets/demo-rollout.yaml} with 5 Matrix
 * nodes and 4 Dolphin nodes, one of them refusing to stop its services, and the four services as separate
 * processes), publishes {@code ClusterRegistered} on {@code baton.clusters.v1} and {@code UpgradeRequested} on
 * {@code baton.requests.v1} as a fleet-management system would, shows one live line per node read back from
 * every {@code baton.*} topic ({@link RolloutBoard}), and ends with every node's final version, the audit
 * service's compliance report of each rollout and its hash-chain check, printed as {@code baton audit} prints them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start embedded Kafka, PostgreSQL, a simulated fleet and the four services, and roll every cluster",
                "of the fleet to its target version (Matrix Server 3.5.1, Dolphin eXpressWare 5.21.0).",
                "Exit 0 when every rollout completed. Logs, keys and known_hosts go to .baton/demo-<time>/."})
final class DemoCommand extends BatonSubcommand {
    /** The fleet the demo and the sandbox run unless told otherwise (a resource of the sandbox module). */
    static final String DEFAULT_FLEET = "/fleets/demo-rollout.yaml";
    /** Target version per product for the demo fleet. */
    static final Map<String, String> TARGETS = Map.of("dolphin-expressware", "5.21.0", "matrix-server", "3.5.1");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = {"-f", "--fleet"}, paramLabel = "FLEET.yaml", description = "a fleet of your own (default: the demo fleet)")
    Path fleet;

    @Option(names = "--no-fault", description = "clear every injected fault first")
    boolean noFault;

    @Option(names = "--timeout", defaultValue = "PT6M", paramLabel = "DURATION",
            description = "give up waiting for the rollouts after this long (default: ${DEFAULT-VALUE})")
    Duration timeout;

    private final RolloutBoard board = new RolloutBoard();
    private final List<String> pendingLines = new ArrayList<>();
    private final Map<String, String> lastPrinted = new LinkedHashMap<>();
    private PrintWriter out;
    private boolean live;
    private LiveFrame frame;
    private boolean dirty;

    /** The fleet file given, else the demo fleet; a bad file is a usage error that names file and line. */
    static FleetSpec fleet(Path file) {
        try {
            return file == null ? FleetSpec.fromClasspath(DEFAULT_FLEET) : FleetSpec.load(file);
        } catch (IllegalArgumentException e) { // also FleetSpecException: a bad fleet file
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    /** The repository the services' packaged jars are in ({@code -Dbaton.repo.root}, set by the launcher). */
    static Path repoRoot() {
        return Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
    }

    @Override
    public Integer call() throws Exception {
        FleetSpec spec = fleet(fleet);
        BatonCli cli = cli();
        out = cli.out();
        live = cli.terminal();
        frame = new LiveFrame(out, cli.width());
        Path workDir = repoRoot().resolve(".baton/demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ChildProcesses.stopAllOnExit("baton-children-stop");
        try {
            return run(cli, spec, workDir);
        } catch (Exception e) {
            throw new CliException(ExitCode.FAILED, "demo failed: " + e.getMessage() + " (logs in " + workDir + ")", e);
        }
    }

    private int run(BatonCli cli, FleetSpec spec, Path workDir) throws Exception {
        out.println("Baton demo: starting Kafka (KRaft), PostgreSQL, the simulated fleet and the four services...");
        out.println("  logs, keys and known_hosts in " + workDir);
        out.flush();
        LocalBaton baton = LocalBaton.start(repoRoot(), spec, workDir, "demo-fleet-management");
        AtomicBoolean closed = new AtomicBoolean();
        // Ctrl-C: stop the services and the fleet (Kafka and PostgreSQL have their own hooks)
        Thread interrupted = new Thread(() -> {
            if (closed.compareAndSet(false, true)) {
                baton.stopForShutdown();
            }
        }, "baton-demo-stop");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            return roll(cli, baton);
        } finally {
            if (closed.compareAndSet(false, true)) {
                baton.stopServicesTogether();
                baton.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private int roll(BatonCli cli, LocalBaton baton) throws Exception {
        out.println("  kafka " + baton.kafka().bootstrapServers());
        baton.services().all().forEach(s -> out.println("  " + s.module() + " " + s.baseUrl() + "  (log " + s.log() + ")"));
        if (noFault) {
            baton.fleet().nodes().forEach(n -> n.faults().clear());
            out.println("  faults: none (--no-fault)");
        } else {
            for (SimulatedNode node : baton.fleet().nodes()) {
                List<String> knobs = node.faults().describe();
                if (!knobs.isEmpty()) {
                    out.println("  fault injected on " + node.clusterId() + "/" + node.name() + ": " + String.join(", ", knobs));
                }
            }
        }
        out.flush();
        baton.eventLog().onEntry(this::onEntry);
        baton.registerFleet();
        List<ClusterRegistered> clusters = baton.fleet().registrations();
        for (ClusterRegistered cluster : clusters) {
            baton.awaitAllActive(cluster, Duration.ofSeconds(60));
        }
        Map<String, String> requestIds = new LinkedHashMap<>();
        for (ClusterRegistered cluster : clusters) {
            String target = TARGETS.get(cluster.product());
            if (target == null) {
                log(cluster.clusterId(), "no demo target for product " + cluster.product() + ": not upgraded");
                continue;
            }
            String requestId = UUID.randomUUID().toString();
            baton.fleetManagement().publish(new UpgradeRequested(requestId, cluster.clusterId(), target, 1, null, null,
                    null, false, false, List.of(), false, "demo-fleet-management"));
            requestIds.put(cluster.clusterId(), requestId);
            log(cluster.clusterId(), "UpgradeRequested to " + target + " published on baton.requests.v1 (requestId " + requestId + ")");
        }
        Thread painter = startPainter();
        boolean ok;
        try {
            ok = awaitRollouts(baton.eventLog(), requestIds.keySet());
        } finally {
            painter.interrupt();
            painter.join(2000);
            paint();
        }
        out.println();
        out.println("Final versions (what each node runs now):");
        for (String clusterId : requestIds.keySet()) {
            for (SimulatedNode node : baton.fleet().nodes(clusterId)) {
                out.printf("  %-12s %-5s %-8s (ssh %s, cluster address %s)%n", clusterId, node.name(),
                        node.runningVersion() == null ? "stopped" : node.runningVersion(), node.sshHost(), node.clusterAddress());
            }
        }
        out.println();
        printAudit(cli, baton, requestIds);
        out.println();
        out.println(ok ? "Demo finished: every rollout completed." : "Demo finished with a rollout that did not complete.");
        out.flush();
        return ok ? ExitCode.OK : ExitCode.FAILED;
    }

    private void onEntry(EventLog.Entry entry) {
        if (entry.event() == null) {
            return;
        }
        synchronized (this) {
            String line = board.accept(entry.event());
            if (line != null) {
                String node = entry.event().nodeName();
                pendingLines.add(String.format("%s  %-12s %s%s", LocalDateTime.now().format(TIME), entry.event().clusterId(),
                        node == null ? "" : node + ": ", line));
            }
            dirty = true;
            if (!live) {
                paint();
            }
        }
    }

    private synchronized void log(String clusterId, String line) {
        pendingLines.add(String.format("%s  %-12s %s", LocalDateTime.now().format(TIME), clusterId, line));
        dirty = true;
        if (!live) {
            paint();
        }
    }

    private Thread startPainter() {
        Thread painter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (live) {
                        paint();
                    }
                    Thread.sleep(250);
                }
            } catch (InterruptedException stop) {
                // the demo ended
            }
        }, "baton-demo-board");
        painter.setDaemon(true);
        painter.start();
        return painter;
    }

    /**
     * On a terminal the board is redrawn in place under the log lines; otherwise each node's line
     * is printed again whenever it changes.
     */
    private synchronized void paint() {
        if (!dirty) {
            return;
        }
        dirty = false;
        List<String> rows = board.render();
        if (live) {
            frame.draw(pendingLines, rows.stream().map(r -> "  " + r).toList());
        } else {
            pendingLines.forEach(out::println);
            for (String row : rows) {
                String key = row.substring(0, Math.min(18, row.length()));
                if (!row.equals(lastPrinted.get(key))) {
                    lastPrinted.put(key, row);
                    out.println(LocalDateTime.now().format(TIME) + "  " + row);
                }
            }
            out.flush();
        }
        pendingLines.clear();
    }

    private boolean awaitRollouts(EventLog log, Set<String> clusterIds) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (clusterIds.stream().allMatch(log::rolloutFinished)) {
                return clusterIds.stream().allMatch(log::rolloutCompleted);
            }
            Thread.sleep(200);
        }
        synchronized (this) {
            pendingLines.add("timed out after " + timeout + " waiting for the rollouts to finish");
            dirty = true;
        }
        return false;
    }

    /** Once the audit service has stored every published message: each rollout's compliance report, then {@code /verify}. */
    private void printAudit(BatonCli cli, LocalBaton baton, Map<String, String> requestIds) throws InterruptedException {
        BatonApi audit = cli.service("audit", baton.services().service("audit-service").baseUrl());
        long published = baton.eventLog().publishedCount();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        long audited = -1;
        while (Instant.now().isBefore(deadline)) {
            try {
                audited = baton.auditedCount();
            } catch (IOException | RuntimeException notYet) {
                audited = -1;
            }
            if (audited >= published) {
                break;
            }
            Thread.sleep(250);
        }
        out.println("Audit: " + (audited < 0 ? "count unavailable" : audited + " messages stored") + " for " + published
                + " published on the baton.* topics");
        for (Map.Entry<String, String> request : requestIds.entrySet()) {
            String rolloutId = baton.eventLog().events(RolloutAccepted.class).stream()
                    .filter(a -> request.getValue().equals(a.requestId())).map(RolloutAccepted::rolloutId).findFirst().orElse(null);
            if (rolloutId == null) {
                out.println("  " + request.getKey() + ": no rollout was accepted");
                continue;
            }
            try {
                JsonNode report = audit.get("/api/v1/audit/rollouts/" + BatonApi.segment(rolloutId) + "/report");
                Text.complianceReport(report).lines().forEach(l -> out.println("  " + l));
            } catch (CliException e) {
                out.println("  " + request.getKey() + " rollout " + rolloutId + ": no compliance report (" + e.getMessage() + ")");
            }
        }
        try {
            Text.verification(audit.get("/api/v1/audit/verify")).lines().forEach(l -> out.println("  " + l));
        } catch (CliException e) {
            out.println("  audit verification not available: " + e.getMessage());
        }
        out.flush();
    }
}
