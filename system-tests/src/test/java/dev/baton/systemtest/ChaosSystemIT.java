package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.openssh.OpenSshNodes;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import dev.baton.sandbox.world.ServiceProcess;
import dev.baton.systemtest.ChaosChecker.FleetSample;
import dev.baton.systemtest.ChaosChecker.NodeRef;
import dev.baton.systemtest.FaultInjector.ExecutorKills;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15's chaos test: three clusters roll at once, round after round, while a {@link FaultInjector} SIGKILLs the
 * planner, the executor, health, audit and the broker at random moments (seeded) and starts each again with the same
 * configuration; then the independent {@link ChaosChecker} judges what was recorded: every message read back from the
 * topics, each node's own command log, the fleet sampled every few milliseconds, and the audit store.
 * <ul>
 *   <li>{@value #MATRIX}: a simulated Matrix Server cluster (4 nodes, {@code matrix-quick}: the shipped procedure with
 *       short step timeouts);</li>
 *   <li>{@value #DOLPHIN}: a simulated Dolphin eXpressWare cluster whose node {@code dx2} refuses to stop its
 *       services, so every round remedies it with the reboot ({@code require-reboot});</li>
 *   <li>{@value #OPENSSH}: a user procedure ({@code matrix-quick}, not shipped) on three REAL OpenSSH hosts (one
 *       {@code sshd} each, {@link OpenSshNodes}), whose product scripts log every run to the node's own
 *       {@code command-log}.</li>
 * </ul>
 * It runs in {@code ./mvnw verify} (and so in CI) with {@value #DEFAULT_FAULTS} faults; {@code BATON_CHAOS=0} skips it
 * on a developer machine. {@code BATON_CHAOS_SEED} replays a seed (printed); {@code BATON_CHAOS_FAULTS} the least number of faults (default
 * {@value #DEFAULT_FAULTS}; {@code ./baton chaos --faults 1000} for the soak); {@code BATON_CHAOS_EXECUTOR_KILLS=between-steps}
 * holds executor kills back while a step is in flight. The run's summary goes to {@code target/chaos-it-summary.txt}.
 * Skipped without {@code /usr/sbin/sshd}, unless {@code BATON_REQUIRE_OPENSSH=1}.
 */
class ChaosSystemIT {
    static final int DEFAULT_FAULTS = 40;
    /** The simulated nodes' disruptive commands, and how long each takes there. */
    private static final List<String> SLOW_STEPS = List.of("pmxs stop", "mx-install", "dis_services stop",
            "--install-node");
    private static final Duration SLOW_STEP = Duration.ofMillis(1500);
    private static final String MATRIX = "chaos-matrix";
    private static final String DOLPHIN = "chaos-dolphin";
    private static final String OPENSSH = "chaos-ssh";
    private static final List<String> CLUSTERS = List.of(MATRIX, DOLPHIN, OPENSSH);
    private static final int FAULTS = Integer.parseInt(env("BATON_CHAOS_FAULTS", String.valueOf(DEFAULT_FAULTS)));
    /** Rounds needed at worst (at least two faults a round), with some to spare; Dolphin needs an installer for each. */
    private static final int MAX_ROUNDS = Math.max(8, FAULTS / 2 + 4);
    private static final String COMMAND_LOG = "command-log";
    private static OpenSshNodes sshNodes;
    private static ClusterRegistered sshRegistration;

    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.ofYaml("chaos-it", fleet())
            .requires(ChaosSystemIT::requireChaosAndOpenSsh)
            .withOwnKafka(workDir -> SandboxKafka.startChildProcess(workDir.resolve("kafka"), SandboxKafka.DEFAULT_PARTITIONS))
            .serviceEnvironment(ChaosSystemIT::quickProcedures)
            .beforeRegistering(ChaosSystemIT::startOpenSshNodes);
    private static LocalBaton baton;

    @BeforeAll
    static void world() throws Exception {
        baton = WORLD.baton();
        for (String cluster : List.of(MATRIX, DOLPHIN)) {
            for (SimulatedNode node : baton.fleet().nodes(cluster)) {
                // a disruptive step takes a while, as on a real host, so that executor kills land mid-step too
                SLOW_STEPS.forEach(command -> node.faults().slowCommand(command, SLOW_STEP));
            }
        }
        baton.fleetManagement().publish(sshRegistration);
        baton.awaitAllActive(sshRegistration, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopTheNodes() {
        if (sshNodes != null) {
            sshNodes.close();
        }
    }

    @Test
    void rolloutsUnderSigkillsOfEveryServiceAndTheBrokerBreakNoInvariant() throws Exception {
        long seed = Long.parseLong(env("BATON_CHAOS_SEED", String.valueOf(System.nanoTime())));
        ExecutorKills executorKills = ExecutorKills.parse(System.getenv("BATON_CHAOS_EXECUTOR_KILLS"));
        Files.deleteIfExists(summaryFile());
        summary("seed %d (replay with BATON_CHAOS_SEED=%d), at least %d faults, executor kills %s, logs in %s", seed, seed,
                FAULTS, executorKills, WORLD.workDir());
        EventLog log = baton.eventLog();
        List<FleetSample> samples = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = watchTheFleet(watching, samples);
        FaultInjector injector = new FaultInjector(seed, baton.services(), baton.kafka(), executorKills,
                () -> stepInFlight(log), () -> disruptiveStepRunning(log), Duration.ofMillis(100), Duration.ofMillis(1500));
        summary("victims: %s", injector.victims());
        Instant began = Instant.now();
        List<String> rounds = new ArrayList<>();
        boolean allCompleted = true;
        injector.start(fault -> {
            try {
                summary("fault %s", fault);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            for (int round = 1; round <= MAX_ROUNDS && (round == 1 || injector.faults().size() < FAULTS); round++) {
                Instant start = Instant.now();
                Map<String, String> rollouts = new LinkedHashMap<>();
                rollouts.put(MATRIX, request(MATRIX, "3.5." + round, 1));
                rollouts.put(DOLPHIN, request(DOLPHIN, "5.21." + (round - 1), 1));
                rollouts.put(OPENSSH, request(OPENSSH, "3.5." + round, 1));
                boolean ended = awaitTerminal(log, rollouts.values(), Duration.ofMinutes(6));
                Set<String> completed = completed(log, rollouts.values());
                String line = String.format("round %d: %s in %d s, %d faults so far %s", round,
                        rollouts.entrySet().stream().map(e -> e.getKey() + " " + (completed.contains(e.getValue())
                                ? "completed" : ended ? "NOT completed" : "not terminal")).collect(Collectors.joining(", ")),
                        Duration.between(start, Instant.now()).toSeconds(), injector.faults().size(), injector.byVictim());
                rounds.add(line);
                summary("%s", line);
                if (completed.size() < rollouts.size()) {
                    allCompleted = false;
                    break; // liveness is broken: the checker says how; more rounds would only bury the evidence
                }
            }
        } finally {
            injector.stop();
        }
        Duration chaos = Duration.between(began, Instant.now());
        summary("%d faults in %d s %s%s", injector.faults().size(), chaos.toSeconds(), injector.byVictim(),
                executorKills == ExecutorKills.BETWEEN_STEPS ? ", " + injector.skipped()
                        + " executor faults skipped for want of a moment with no step in flight"
                        : ", " + injector.midStep() + " executor kills while a disruptive step was running");

        // every victim runs again; let the audit store catch up, then judge
        for (ServiceProcess service : baton.services().all()) {
            assertThat(service.isAlive()).as("%s after the faults", service.module()).isTrue();
        }
        awaitAuditSettled(log);
        summary("executor recoveries (its log): %s; commands refused COMMAND_EXPIRED: %d", recoveries(),
                log.events(StepFailed.class).stream().filter(f -> "COMMAND_EXPIRED".equals(f.errorCode())).count());
        watching.set(false);
        watcher.join();
        ChaosChecker.History history = new ChaosChecker.History(log.entries(), commandLogs(), samples, audit(log),
                ChaosSystemIT::ranAs);
        List<ChaosChecker.Violation> violations = ChaosChecker.check(history);
        for (ChaosChecker.Rule rule : ChaosChecker.Rule.values()) {
            List<ChaosChecker.Violation> broken = violations.stream().filter(v -> v.rule() == rule).toList();
            summary("%-18s %s%s", rule, broken.isEmpty() ? "held" : "BROKEN (" + broken.size() + ")",
                    broken.isEmpty() ? "" : ": " + broken.stream().limit(5).map(ChaosChecker.Violation::message)
                            .collect(Collectors.joining(" | ")));
        }
        summary("%s seed %d: %d faults %s in %d s, %d rounds, %d messages; %s", violations.isEmpty() ? "PASSED" : "FAILED",
                seed, injector.faults().size(), injector.byVictim(), chaos.toSeconds(), rounds.size(),
                log.entries().size(), violations.isEmpty() ? "every invariant held" : violations.size() + " violations");
        assertThat(violations).as("invariants broken (seed %d, summary in %s, logs in %s)", seed, summaryFile(),
                WORLD.workDir()).isEmpty();
        assertThat(allCompleted).isTrue();
        assertThat(injector.faults()).as("faults injected").hasSizeGreaterThanOrEqualTo(FAULTS);
    }

    // ---- the world ---------------------------------------------------------------------------------------------------

    private static String fleet() {
        String installers = IntStream.range(0, MAX_ROUNDS).mapToObj(i -> "5.21." + i).collect(Collectors.joining(", "));
        return """
                sshUser: root
                rebootDowntime: PT1S
                clusters:
                  - id: chaos-matrix
                    product: matrix-server
                    procedure: matrix-quick
                    version: 3.5.0
                    nodes:
                      - {name: m1, clusterAddress: 10.40.1.1}
                      - {name: m2, clusterAddress: 10.40.1.2}
                      - {name: m3, clusterAddress: 10.40.1.3}
                      - {name: m4, clusterAddress: 10.40.1.4}
                  - id: chaos-dolphin
                    product: dolphin-expressware
                    procedure: dolphin-quick
                    version: 5.20.0
                    installers: [%s]
                    nodes:
                      - name: dx1
                      - name: dx2
                        faults:
                          refuseStop: true   # "services won't stop": remedied with the reboot, every round
                      - name: dx3
                """.formatted(installers);
    }

    private static final String OPENSSH_NODES = """
            clusters:
              - id: chaos-ssh
                product: matrix-server
                version: 3.5.0
                nodes:
                  - {name: s1, sshHost: 127.81.0.1, clusterAddress: 10.41.0.1}
                  - {name: s2, sshHost: 127.81.0.2, clusterAddress: 10.41.0.2}
                  - {name: s3, sshHost: 127.81.0.3, clusterAddress: 10.41.0.3}
            """;

    /**
     * The shipped procedures with short step timeouts ({@code matrix-quick}, {@code dolphin-quick}), for planner and
     * health; a start window and a result grace that outlast a restart of the executor and of the broker.
     */
    private static Map<String, String> quickProcedures(Path workDir) throws IOException {
        Path repoRoot = workDir.toAbsolutePath().getParent().getParent().getParent(); // <repo>/system-tests/target/<name>
        Path dir = Files.createDirectories(workDir.resolve("procedures"));
        String matrix = Files.readString(repoRoot.resolve("procedure/src/main/resources/procedures/matrix-server.yaml"));
        Files.writeString(dir.resolve("matrix-quick.yaml"), quick(matrix.replace("name: matrix-server", "name: matrix-quick"),
                "PT20S"));
        String dolphin = Files.readString(repoRoot.resolve("procedure/src/main/resources/procedures/dolphin-expressware.yaml"));
        Files.writeString(dir.resolve("dolphin-quick.yaml"), quick(dolphin.replace("name: dolphin-expressware",
                "name: dolphin-quick"), "PT30S"));
        return Map.of("BATON_PROCEDURES_DIR", dir.toString(),
                "BATON_PLANNER_COMMAND_START_WINDOW", "PT60S", "BATON_PLANNER_RESULT_GRACE", "PT10S");
    }

    /** Every step's timeout (not health's: a restarted health service needs its stable window again) and the reboot's. */
    private static String quick(String procedure, String stepTimeout) {
        int health = procedure.indexOf("\nhealth:");
        assertThat(health).as("the procedure's health section").isPositive();
        return procedure.substring(0, health).replaceAll("(?m)^(    timeout: )PT\\d+M$", "$1" + stepTimeout)
                .replace("rebootTimeout: PT10M", "rebootTimeout: PT1M") + procedure.substring(health);
    }

    /** Three sshd nodes, known to the services (known_hosts is read again for each connection); each logs its runs. */
    private static void startOpenSshNodes(LocalBaton started) {
        try {
            FleetSpec.Cluster cluster = FleetSpec.parse(OPENSSH_NODES).clusters().get(0);
            sshNodes = OpenSshNodes.start(cluster, WORLD.workDir().resolve("openssh"), started.fleet().clientPrivateKey());
            Files.write(started.fleet().knownHostsFile(), sshNodes.knownHostsLines(), StandardOpenOption.APPEND);
            for (OpenSshNodes.Node node : sshNodes.nodes()) {
                logRuns(node.home().resolve("bin/pmxs"), "pmxs");
                logRuns(node.home().resolve("bin/mx-install"), "mx-install");
            }
            ClusterRegistered plain = sshNodes.registration(OPENSSH, System.getProperty("user.name"));
            sshRegistration = new ClusterRegistered(OPENSSH, plain.product(), "matrix-quick", plain.executorPool(),
                    plain.nodes());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes the script append each run ({@code <name> <args>}) to the node's own command log, before it acts; a
     * disruptive run ({@code pmxs stop}, {@code mx-install}) then takes a second, as on a real host, so that executor
     * kills land mid-step too.
     */
    private static void logRuns(Path script, String name) throws IOException {
        String text = Files.readString(script);
        String shebang = "#!/bin/sh\n";
        assertThat(text).startsWith(shebang);
        Files.writeString(script, shebang + "printf '%s\\n' \"" + name + " $*\" >> \"$BATON_NODE_DIR/" + COMMAND_LOG + "\"\n"
                + "case \"" + name + " $*\" in \"pmxs stop\"|\"mx-install \"*) sleep 1 ;; esac\n"
                + text.substring(shebang.length()));
    }

    private static void requireChaosAndOpenSsh() {
        Assumptions.assumeFalse("0".equals(System.getenv("BATON_CHAOS")), "skipped: BATON_CHAOS=0");
        Optional<String> missing = OpenSshNodes.missingTools();
        if (missing.isPresent() && "1".equals(System.getenv("BATON_REQUIRE_OPENSSH"))) {
            throw new AssertionError("BATON_REQUIRE_OPENSSH=1 but " + missing.get());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse("")
                + " (set BATON_REQUIRE_OPENSSH=1 to make this a failure)");
    }

    // ---- what is recorded ------------------------------------------------------------------------------------------

    /** Samples every 5 ms how many nodes of each cluster are down, from the nodes themselves; keeps non-zero samples. */
    private static Thread watchTheFleet(AtomicBoolean watching, List<FleetSample> samples) {
        Thread thread = new Thread(() -> {
            Map<String, Integer> last = new ConcurrentHashMap<>();
            while (watching.get()) {
                Instant now = Instant.now();
                Map<String, Integer> down = new LinkedHashMap<>();
                // down = the product not running (stopped by a step, or the machine rebooting); a running Matrix Server
                // that left the matrix is not a node Baton took out of service
                down.put(MATRIX, (int) baton.fleet().nodes(MATRIX).stream().filter(ChaosSystemIT::down).count());
                down.put(DOLPHIN, (int) baton.fleet().nodes(DOLPHIN).stream().filter(ChaosSystemIT::down).count());
                down.put(OPENSSH, (int) sshNodes.nodes().stream().filter(n -> !n.running()).count());
                down.forEach((cluster, count) -> {
                    if (count > 0 && !count.equals(last.get(cluster))) {
                        samples.add(new FleetSample(now, cluster, count));
                    }
                    last.put(cluster, count);
                });
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chaos-fleet-watcher");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static boolean down(SimulatedNode node) {
        return !node.up() || node.runningVersion() == null;
    }

    /**
     * Each node's own log of what ran: the simulated nodes' {@link SimulatedNode#executed()} (what their shell ran,
     * also inside detached jobs; not what was asked of them), the OpenSSH nodes' {@code command-log} file (written by
     * the product scripts themselves).
     */
    private static Map<NodeRef, List<String>> commandLogs() throws IOException {
        Map<NodeRef, List<String>> logs = new LinkedHashMap<>();
        for (String cluster : List.of(MATRIX, DOLPHIN)) {
            for (SimulatedNode node : baton.fleet().nodes(cluster)) {
                logs.put(new NodeRef(cluster, node.name()), node.executed());
            }
        }
        for (OpenSshNodes.Node node : sshNodes.nodes()) {
            Path file = node.home().resolve(COMMAND_LOG);
            logs.put(new NodeRef(OPENSSH, node.name()), Files.exists(file) ? Files.readAllLines(file) : List.of());
        }
        return logs;
    }

    /**
     * How the restarted executors found the commands an earlier one had claimed (counted from the executor's log, which
     * every restart appends to): what shows that kills landed mid-step and were recovered from, not only between steps.
     */
    private static Map<String, Long> recoveries() throws IOException {
        Map<String, String> phrases = new LinkedHashMap<>();
        phrases.put("re-attached to a running step", "was started by an earlier delivery");
        phrases.put("started a claimed step that never started", "was claimed but never started");
        phrases.put("reported a recorded outcome", "recorded in its ledger); not running it again");
        phrases.put("followed an issued reboot", "was issued by an earlier delivery");
        phrases.put("rebooted a claimed, unissued reboot", "was claimed but not issued");
        List<String> lines = Files.readAllLines(baton.services().service("executor-service").log());
        Map<String, Long> counts = new LinkedHashMap<>();
        phrases.forEach((what, phrase) -> counts.put(what, lines.stream().filter(l -> l.contains(phrase)).count()));
        return counts;
    }

    /** A log line is a run of a command Baton sent if it is that command line (the product scripts log theirs so). */
    private static boolean ranAs(String line, String command) {
        return line.strip().equals(command.strip());
    }

    /**
     * Whether a step may be in flight: some command sent has no result yet ({@code StepSucceeded} or {@code StepFailed}),
     * or a new command was sent within the last 250 ms (the executor claims a command on the node before its
     * {@code StepStarted} reaches this test's reader, so a quiet moment must last a little to count).
     */
    private static boolean stepInFlight(EventLog log) {
        if (unanswered(log) > 0) {
            return true;
        }
        long sent = log.entries().stream().filter(e -> e.event() instanceof NodeCommand).count();
        try {
            Thread.sleep(250); // the quiet moment the gate needs, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        return unanswered(log) > 0 || log.entries().stream().filter(e -> e.event() instanceof NodeCommand).count() != sent;
    }

    /** Commands of rollouts still open that have no result yet. */
    /** A disruptive step has started ({@code StepStarted}) and has no result yet, in a rollout still open. */
    private static boolean disruptiveStepRunning(EventLog log) {
        Set<String> disruptive = new HashSet<>();
        Set<String> running = new HashSet<>();
        for (EventLog.Entry entry : log.entries()) {
            if (entry.event() instanceof NodeCommand c && c.disruptive()) {
                disruptive.add(c.commandId());
            } else if (entry.event() instanceof StepStarted started && disruptive.contains(started.commandId())) {
                running.add(started.commandId());
            } else if (entry.event() instanceof StepResult result) {
                running.remove(result.commandId());
            }
        }
        return !running.isEmpty();
    }

    private static long unanswered(EventLog log) {
        Set<String> open = new HashSet<>();
        Set<String> ended = new HashSet<>();
        for (EventLog.Entry entry : log.entries()) {
            if (entry.event() instanceof NodeCommand c) {
                open.add(c.commandId());
            } else if (entry.event() instanceof StepSucceeded || entry.event() instanceof StepFailed) {
                open.remove(((StepResult) entry.event()).commandId());
            } else if (entry.event() instanceof dev.baton.contracts.RolloutCompleted
                    || entry.event() instanceof dev.baton.contracts.RolloutHalted
                    || entry.event() instanceof dev.baton.contracts.RolloutAborted) {
                ended.add(entry.event().rolloutId());
            }
        }
        Map<String, String> rolloutOf = new java.util.HashMap<>();
        log.entries().forEach(e -> {
            if (e.event() instanceof NodeCommand c) {
                rolloutOf.put(c.commandId(), c.rolloutId());
            }
        });
        return open.stream().filter(id -> !ended.contains(rolloutOf.get(id))).count();
    }

    /** Waits until the audit store holds as many messages as the broker, and that stayed so 3 s (at most 3 min). */
    private static void awaitAuditSettled(EventLog log) {
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).during(Duration.ofSeconds(3))
                    .until(() -> baton.auditedCount() == log.publishedCount());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the checker's audit rule says what differs
        }
    }

    /** What the audit store holds, by cluster (Kafka coordinates of every stored message), and its total. */
    private static ChaosChecker.Audit audit(EventLog log) throws Exception {
        Map<String, List<String>> stored = new LinkedHashMap<>();
        String base = baton.services().service("audit-service").baseUrl() + "/api/v1/audit/events?limit=10000&clusterId=";
        for (String cluster : CLUSTERS) {
            List<String> coordinates = new ArrayList<>();
            String cursor = null;
            do {
                HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + cluster
                        + (cursor == null ? "" : "&cursor=" + cursor))).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).as("audit events of %s: %s", cluster, page.body()).isEqualTo(200);
                for (JsonNode event : BatonJson.mapper().readTree(page.body())) {
                    coordinates.add(event.path("topic").asText() + "/" + event.path("partition").asInt() + "/"
                            + event.path("offset").asLong());
                }
                cursor = page.headers().firstValue("X-Next-Cursor").orElse(null);
            } while (cursor != null);
            stored.put(cluster, coordinates);
        }
        return new ChaosChecker.Audit(stored, baton.auditedCount(), log.publishedCount());
    }

    // ---- requests --------------------------------------------------------------------------------------------------

    private static String request(String clusterId, String target, int maxUnavailable) {
        String requestId = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
        baton.fleetManagement().publish(UpgradeRequests.upgrade(clusterId, target).requestId(requestId)
                .maxUnavailable(maxUnavailable).requestedBy("fleet-management-it").build());
        EventLog log = baton.eventLog();
        return await("acceptance of " + clusterId + " to " + target).atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (EventLog.Entry entry : log.entries()) {
                        if (entry.event() instanceof RolloutAccepted a && requestId.equals(a.requestId())) {
                            return a.rolloutId();
                        }
                        if (entry.event() instanceof RolloutRejected r && requestId.equals(r.requestId())) {
                            throw new AssertionError(clusterId + " to " + target + " rejected: " + r);
                        }
                    }
                    return null;
                }, id -> id != null);
    }

    private static boolean awaitTerminal(EventLog log, java.util.Collection<String> rolloutIds, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> terminal(log, rolloutIds).containsAll(rolloutIds));
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    private static Set<String> terminal(EventLog log, java.util.Collection<String> rolloutIds) {
        return log.entries().stream().map(EventLog.Entry::event)
                .filter(e -> e instanceof dev.baton.contracts.RolloutCompleted || e instanceof dev.baton.contracts.RolloutHalted
                        || e instanceof dev.baton.contracts.RolloutAborted)
                .map(e -> e.rolloutId()).filter(rolloutIds::contains).collect(Collectors.toSet());
    }

    private static Set<String> completed(EventLog log, java.util.Collection<String> rolloutIds) {
        return log.events(dev.baton.contracts.RolloutCompleted.class).stream().map(c -> c.rolloutId())
                .filter(rolloutIds::contains).collect(Collectors.toSet());
    }

    // ---- summary ---------------------------------------------------------------------------------------------------

    /** Prints a line of the run's summary and appends it to {@code target/chaos-it-summary.txt}. */
    private static synchronized void summary(String format, Object... args) throws IOException {
        String line = "[chaos-it] " + String.format(format, args);
        System.out.println(line);
        Files.writeString(summaryFile(), line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static Path summaryFile() {
        return Path.of(System.getProperty("baton.repo.root", "..")).resolve("system-tests/target/chaos-it-summary.txt");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
