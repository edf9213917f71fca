package dev.baton.sandbox.demo;

import dev.baton.sandbox.world.ChildProcesses;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.sandbox.fleet.Faults;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/**
 * {@code ./baton demo}: a real rolling upgrade on the embedded defaults. Starts Kafka, PostgreSQL
 * and the simulated fleet ({@code fleets/demo-rollout.yaml}: 5 Matrix nodes, 4 Dolphin nodes, one
 * of them refusing to stop its services), runs the four services as separate processes, publishes
 * {@code ClusterRegistered} on {@code baton.clusters.v1} and {@code UpgradeRequested} on
 * {@code baton.requests.v1} as a fleet-management system would, shows one live line per node read
 * back from every {@code baton.*} topic, and ends with every node's final version and the audit
 * service's compliance report (or its event count where the report endpoint is not there).
 */
public final class Demo {
    /** Target version per product for the demo fleet. */
    static final Map<String, String> TARGETS = Map.of("dolphin-expressware", "5.21.0", "matrix-server", "3.5.1");
    static final String DEFAULT_FLEET = "/fleets/demo-rollout.yaml";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** The demo's command line. */
    record Options(Path fleet, boolean noFault, Duration timeout) {
        static Options parse(String... args) {
            Path fleet = null;
            boolean noFault = false;
            Duration timeout = Duration.ofMinutes(6);
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (("--fleet".equals(arg) || "-f".equals(arg)) && i + 1 < args.length) {
                    fleet = Path.of(args[++i]);
                } else if ("--no-fault".equals(arg)) {
                    noFault = true;
                } else if ("--timeout".equals(arg) && i + 1 < args.length) {
                    try {
                        timeout = Duration.parse(args[++i]);
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--timeout: '" + args[i] + "' is not an ISO-8601 duration (e.g. PT10M)");
                    }
                } else {
                    throw new IllegalArgumentException("unknown argument '" + arg
                            + "' (usage: ./baton demo [--fleet fleet.yaml] [--no-fault] [--timeout PT6M])");
                }
            }
            return new Options(fleet, noFault, timeout);
        }
    }

    private final PrintStream out;
    private final boolean live;
    private final RolloutBoard board = new RolloutBoard();
    private final List<String> pendingLines = new ArrayList<>();
    private final Map<String, String> lastPrinted = new LinkedHashMap<>();
    private int drawnLines;
    private final int width = terminalWidth();
    private boolean dirty;

    Demo(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    public static void main(String[] args) {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
        Options options;
        FleetSpec spec;
        try {
            options = Options.parse(args);
            spec = options.fleet() == null ? FleetSpec.fromClasspath(DEFAULT_FLEET) : FleetSpec.load(options.fleet());
        } catch (IllegalArgumentException e) { // also FleetSpecException: a bad fleet file
            System.err.println("baton demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path workDir = repoRoot.resolve(".baton/demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ChildProcesses.stopAllOnExit("baton-children-stop");
        boolean live = System.console() != null && !"dumb".equals(System.getenv("TERM")) && System.getenv("NO_COLOR") == null;
        int status;
        try {
            status = new Demo(System.out, live).run(repoRoot, spec, options, workDir);
        } catch (Exception e) {
            System.err.println("baton demo failed: " + e.getMessage() + " (logs in " + workDir + ")");
            status = 1;
        }
        System.exit(status);
    }

    int run(Path repoRoot, FleetSpec spec, Options options, Path workDir) throws Exception {
        out.println("Baton demo: starting Kafka (KRaft), PostgreSQL, the simulated fleet and the four services...");
        out.println("  logs, keys and known_hosts in " + workDir);
        LocalBaton baton = LocalBaton.start(repoRoot, spec, workDir, "demo-fleet-management");
        AtomicBoolean closed = new AtomicBoolean();
        // Ctrl-C: stop the services and the fleet (Kafka and PostgreSQL have their own hooks)
        Thread interrupted = new Thread(() -> {
            if (closed.compareAndSet(false, true)) {
                stopForShutdown(baton);
            }
        }, "baton-demo-stop");
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            return roll(baton, options);
        } finally {
            if (closed.compareAndSet(false, true)) {
                stopServicesTogether(baton);
                baton.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }


    /**
     * What a JVM shutdown hook may do: stop the service processes and the fleet. Kafka's and PostgreSQL's
     * own hooks run at the same time, so nothing here waits on Kafka (a producer's close would wait forever).
     */
    static void stopForShutdown(LocalBaton baton) {
        stopServicesTogether(baton);
        baton.fleet().close();
        baton.eventLog().close();
    }

    /** SIGTERM to all four services at once, so stopping takes one grace period rather than four. */
    static void stopServicesTogether(LocalBaton baton) {
        List<Thread> stoppers = baton.services().all().stream()
                .map(service -> new Thread(service::close, "stop-" + service.module())).toList();
        stoppers.forEach(Thread::start);
        for (Thread stopper : stoppers) {
            try {
                stopper.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int roll(LocalBaton baton, Options options) throws Exception {
        out.println("  kafka " + baton.kafka().bootstrapServers());
        baton.services().all().forEach(s -> out.println("  " + s.module() + " " + s.baseUrl() + "  (log " + s.log() + ")"));
        if (options.noFault()) {
            baton.fleet().nodes().forEach(n -> n.faults().clear());
            out.println("  faults: none (--no-fault)");
        } else {
            for (SimulatedNode node : baton.fleet().nodes()) {
                List<String> knobs = describe(node.faults());
                if (!knobs.isEmpty()) {
                    out.println("  fault injected on " + node.clusterId() + "/" + node.name() + ": " + String.join(", ", knobs));
                }
            }
        }
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
            ok = awaitRollouts(baton.eventLog(), requestIds.keySet(), options.timeout());
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
        printAudit(baton, requestIds);
        out.println();
        out.println(ok ? "Demo finished: every rollout completed." : "Demo finished with a rollout that did not complete.");
        return ok ? 0 : 1;
    }

    /** The terminal's width less one ({@code COLUMNS}, exported by the launcher), else 159. */
    static int terminalWidth() {
        try {
            int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "").strip());
            return columns > 20 ? columns - 1 : 159;
        } catch (NumberFormatException unknown) {
            return 159;
        }
    }

    static List<String> describe(Faults faults) {
        List<String> knobs = new ArrayList<>();
        if (faults.refuseStop()) {
            knobs.add("refuseStop (its services won't stop)");
        }
        if (faults.failStartUntilReboot()) {
            knobs.add("failStartUntilReboot");
        }
        if (faults.neverReturns()) {
            knobs.add("neverReturns");
        }
        if (faults.hostKeyChanged()) {
            knobs.add("hostKeyChanged");
        }
        if (faults.dropConnectionOn() != null) {
            knobs.add("dropConnectionOn '" + faults.dropConnectionOn() + "'");
        }
        faults.slowCommands().forEach((cmd, d) -> knobs.add("slow '" + cmd + "' " + d));
        return knobs;
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
    private static String cut(String line, int width) {
        return line.length() > width ? line.substring(0, width) : line;
    }

    private synchronized void paint() {
        if (!dirty) {
            return;
        }
        dirty = false;
        List<String> rows = board.render();
        if (live) {
            StringBuilder frame = new StringBuilder();
            if (drawnLines > 0) {
                frame.append("\033[").append(drawnLines).append("F\033[J");
            }
            pendingLines.forEach(l -> frame.append(l).append('\n'));
            // a wrapped row would make the cursor-up count wrong: cut rows to the terminal's width
            rows.forEach(r -> frame.append(cut("  " + r, width)).append('\n'));
            out.print(frame);
            out.flush();
            drawnLines = rows.size();
        } else {
            pendingLines.forEach(out::println);
            for (String row : rows) {
                String key = row.substring(0, Math.min(18, row.length()));
                if (!row.equals(lastPrinted.get(key))) {
                    lastPrinted.put(key, row);
                    out.println(LocalDateTime.now().format(TIME) + "  " + row);
                }
            }
        }
        pendingLines.clear();
    }

    private boolean awaitRollouts(EventLog log, Set<String> clusterIds, Duration timeout) throws InterruptedException {
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

    /** The audit service's compliance report per rollout; its event counts where the report endpoint is not there. */
    private void printAudit(LocalBaton baton, Map<String, String> requestIds) throws InterruptedException {
        String auditUrl = baton.services().service("audit-service").baseUrl();
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
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, String> request : requestIds.entrySet()) {
            String rolloutId = baton.eventLog().events(RolloutAccepted.class).stream()
                    .filter(a -> request.getValue().equals(a.requestId())).map(RolloutAccepted::rolloutId).findFirst().orElse(null);
            if (rolloutId == null) {
                out.println("  " + request.getKey() + ": no rollout was accepted");
                continue;
            }
            out.println("  " + request.getKey() + " rollout " + rolloutId + ":");
            for (String line : complianceSummary(http, auditUrl, rolloutId)) {
                out.println("    " + line);
            }
        }
        out.println("  " + verification(http, auditUrl));
    }

    /** The audit store's own integrity check (hash chains, signed checkpoints), if the service offers it. */
    static String verification(HttpClient http, String auditUrl) throws InterruptedException {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(auditUrl + "/api/v1/audit/verify")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return "audit verification not available (GET /api/v1/audit/verify answered " + answer.statusCode() + ")";
            }
            JsonNode result = BatonJson.mapper().readTree(answer.body());
            return (result.path("ok").asBoolean(false) ? "audit store verified intact: " : "audit store verification FAILED: ")
                    + result.path("records").asText("?") + " records in " + result.path("chains").asText("?") + " hash chains"
                    + (result.path("problemCount").asInt(0) > 0 ? ", " + result.path("problemCount").asText() + " problem(s)" : "");
        } catch (IOException e) {
            return "audit service unreachable: " + e.getMessage();
        }
    }

    static List<String> complianceSummary(HttpClient http, String auditUrl, String rolloutId) throws InterruptedException {
        String id = URLEncoder.encode(rolloutId, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> report = http.send(HttpRequest.newBuilder(
                    URI.create(auditUrl + "/api/v1/audit/rollouts/" + id + "/report")).build(), HttpResponse.BodyHandlers.ofString());
            if (report.statusCode() == 200) {
                return summarizeReport(BatonJson.mapper().readTree(report.body()));
            }
            HttpResponse<String> count = http.send(HttpRequest.newBuilder(
                    URI.create(auditUrl + "/api/v1/audit/events/count?rolloutId=" + id)).build(), HttpResponse.BodyHandlers.ofString());
            String events = count.statusCode() == 200 ? BatonJson.mapper().readTree(count.body()).path("count").asText("?") : "?";
            return List.of("compliance report not available (GET /api/v1/audit/rollouts/{id}/report answered "
                    + report.statusCode() + "); " + events + " audited events carry this rolloutId");
        } catch (IOException e) {
            return List.of("audit service unreachable: " + e.getMessage());
        }
    }

    /**
     * The compliance report's essentials: outcome, each node's versions and failed steps, the totals.
     * A report without the known fields is summarised by its top-level scalars.
     */
    static List<String> summarizeReport(JsonNode report) {
        List<String> lines = new ArrayList<>();
        if (!report.has("outcome") || !report.has("nodes")) {
            report.fields().forEachRemaining(f -> {
                if (f.getValue().isValueNode()) {
                    lines.add(f.getKey() + ": " + f.getValue().asText());
                }
            });
            return lines;
        }
        JsonNode outcome = report.path("outcome");
        lines.add("outcome " + outcome.path("status").asText("unfinished")
                + (outcome.hasNonNull("message") ? ": " + outcome.path("message").asText() : "")
                + ", requested by " + report.path("request").path("requestedBy").asText("?"));
        for (JsonNode node : report.path("nodes")) {
            List<String> failed = new ArrayList<>();
            List<String> extra = new ArrayList<>();
            node.path("steps").forEach(step -> {
                if (!"SUCCEEDED".equals(step.path("outcome").asText())) {
                    failed.add(step.path("step").asText() + " " + step.path("outcome").asText()
                            + (step.hasNonNull("errorCode") ? " " + step.path("errorCode").asText() : ""));
                }
            });
            JsonNode planned = null;
            for (JsonNode p : report.path("plan").path("nodes")) {
                if (p.path("nodeName").asText().equals(node.path("nodeName").asText())) {
                    planned = p;
                }
            }
            if (planned != null) {
                java.util.Set<String> plannedSteps = new java.util.HashSet<>();
                planned.path("steps").forEach(st -> plannedSteps.add(st.asText()));
                node.path("steps").forEach(step -> {
                    if (!plannedSteps.contains(step.path("step").asText())) {
                        extra.add(step.path("step").asText());
                    }
                });
            }
            lines.add(String.format("%-6s %s -> %s %s%s%s", node.path("nodeName").asText(), node.path("versionBefore").asText("?"),
                    node.path("versionAfter").asText("?"), node.path("status").asText("?"),
                    failed.isEmpty() ? "" : ", failed: " + String.join(", ", failed),
                    extra.isEmpty() ? "" : ", remedy: " + String.join(", ", extra)));
        }
        lines.add(report.path("failures").size() + " failure(s), " + report.path("guardsBlocked").size() + " guard block(s), "
                + "mixed versions for " + report.path("mixedVersionDuration").asText("-") + ", "
                + report.path("eventCount").asText("?") + " audited events");
        return lines;
    }
}
