package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executor as a real process, SIGKILLed, with the four packaged services on real Kafka and PostgreSQL and the
 * simulated fleet. Two faults of issue 15:
 * <ul>
 *   <li>a stale command: a node's {@code stop} is published while no executor runs; the planner's result time-out
 *       passes (the rollout halts {@code STEP_RESULT_MISSING}); an operator resumes and releases the node, the planner
 *       starts the next node, and an executor starts at that very moment. The old {@code stop} must never run (the
 *       node's own command log), and with {@code maxUnavailable 1} no two nodes may be down at any moment (sampled
 *       from the fleet itself every few milliseconds);</li>
 *   <li>an executor SIGKILLed between two steps is replaced by a restarted one (same configuration) that runs the next
 *       command within 10 s of being up (static group membership), and the rollout completes with every step once.</li>
 * </ul>
 * A quick variant of the Matrix procedure (10 s step timeouts) and a 20 s start window keep the planner's give-up
 * short; the rules are the shipped ones.
 */
class ExecutorRestartSystemIT {
    private static final String STALE = "matrix-stale";
    private static final String RESTART = "matrix-restart";
    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.ofYaml("executor-restart-it", """
            sshUser: root
            rebootDowntime: PT1S
            clusters:
              - id: matrix-stale
                product: matrix-server
                procedure: matrix-quick
                version: 3.5.0
                nodes:
                  - name: kv1
                    clusterAddress: 10.20.5.3
                  - name: kv2
                    clusterAddress: 10.20.5.2
                  - name: kv3
                    clusterAddress: 10.20.5.1
              - id: matrix-restart
                product: matrix-server
                procedure: matrix-quick
                version: 3.5.0
                nodes:
                  - name: rs1
                    clusterAddress: 10.20.6.2
                  - name: rs2
                    clusterAddress: 10.20.6.1
            """).serviceEnvironment(ExecutorRestartSystemIT::quickProcedure);
    private static LocalBaton baton;

    @BeforeAll
    static void world() {
        baton = WORLD.baton();
    }

    /** The shipped Matrix procedure with short step timeouts, for planner and health; a 20 s start window. */
    private static Map<String, String> quickProcedure(Path workDir) throws IOException {
        Path repoRoot = workDir.toAbsolutePath().getParent().getParent().getParent(); // <repo>/system-tests/target/<name>
        String shipped = Files.readString(repoRoot.resolve("procedure/src/main/resources/procedures/matrix-server.yaml"));
        String quick = shipped.replace("name: matrix-server", "name: matrix-quick")
                .replaceAll("timeout: PT1?5M", "timeout: PT10S").replace("rebootTimeout: PT10M", "rebootTimeout: PT1M");
        Path dir = Files.createDirectories(workDir.resolve("procedures"));
        Files.writeString(dir.resolve("matrix-quick.yaml"), quick);
        return Map.of("BATON_PROCEDURES_DIR", dir.toString(),
                "BATON_PLANNER_COMMAND_START_WINDOW", "PT20S", "BATON_PLANNER_RESULT_GRACE", "PT3S");
    }

    @Test
    void aCommandThePlannerGaveUpOnNeverRunsWhenAnExecutorComesBackLate() throws Exception {
        EventLog log = baton.eventLog();
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicInteger maxDown = new AtomicInteger();
        Thread watcher = watchDown(STALE, watching, maxDown);
        try {
            baton.services().kill("executor-service");
            String rolloutId = request(STALE, "3.5.1");

            // the first node's stop waits on the topic; nobody runs it; the planner gives up and halts
            RolloutHalted halted = await().atMost(Duration.ofMinutes(2)).until(() -> log.events(RolloutHalted.class).stream()
                    .filter(h -> h.rolloutId().equals(rolloutId)).findFirst().orElse(null), h -> h != null);
            assertThat(halted.code()).isEqualTo("STEP_RESULT_MISSING");
            String first = halted.nodeName();
            NodeCommand stale = commandsOf(rolloutId).get(0);
            assertThat(stale.nodeName()).isEqualTo(first);
            assertThat(stale.startBy()).isNotNull();

            // the operator resumes and releases the node (it was never touched); the planner starts the next one,
            // and an executor starts at the same moment, with the stale stop still unread on the topic
            Thread restart = new Thread(() -> baton.services().restart("executor-service"), "executor-restart");
            restart.start();
            baton.fleetManagement().publish(new RolloutControl(rolloutId, STALE, RolloutControl.Action.RESUME, null, "ops"));
            baton.fleetManagement().publish(new RolloutControl(rolloutId, STALE, RolloutControl.Action.RELEASE, first, "ops"));
            restart.join(Duration.ofMinutes(2).toMillis());

            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(log.events(StepFailed.class))
                    .anyMatch(f -> f.commandId().equals(stale.commandId()) && "COMMAND_EXPIRED".equals(f.errorCode())));
            String second = await().atMost(Duration.ofMinutes(2)).until(() -> log.events(StepSucceeded.class).stream()
                    .filter(s -> s.rolloutId().equals(rolloutId) && s.step().equals("start")).map(StepSucceeded::nodeName)
                    .findFirst().orElse(null), n -> n != null);
            assertThat(second).isNotEqualTo(first);
            await().atMost(Duration.ofMinutes(1)).until(() -> baton.fleet().node(STALE, second).active());
            Thread.sleep(2_000); // any late run of the stale stop would show by now

            SimulatedNode firstNode = baton.fleet().node(STALE, first);
            assertThat(firstNode.executed()).as("what ran on %s", first).doesNotContain("pmxs stop");
            // never stopped: Matrix Server still runs the old release (it left the matrix once the others were on 3.5.1,
            // as the real product does after an operator released it and let the rollout go on)
            assertThat(firstNode.runningVersion()).as("%s's running server", first).isEqualTo("3.5.0");
            assertThat(log.events(StepStarted.class)).noneMatch(s -> s.commandId().equals(stale.commandId()));
            assertThat(baton.fleet().node(STALE, second).runningVersion()).isEqualTo("3.5.1");
        } finally {
            watching.set(false);
            watcher.join();
            if (!baton.services().service("executor-service").isAlive()) {
                baton.services().restart("executor-service");
            }
        }
        assertThat(maxDown.get()).as("most nodes of %s down at once (maxUnavailable 1), from the fleet itself", STALE)
                .isLessThanOrEqualTo(1);
    }

    @Test
    void aKilledExecutorIsReplacedByARestartedOneThatRunsTheNextCommandWithinTenSeconds() throws Exception {
        EventLog log = baton.eventLog();
        String rolloutId = request(RESTART, "3.5.1");
        // the first node's stop succeeded: kill the executor before it gets to the install the planner sends next
        await().atMost(Duration.ofMinutes(1)).until(() -> log.events(StepSucceeded.class).stream()
                .anyMatch(s -> s.rolloutId().equals(rolloutId) && s.step().equals("stop")));
        baton.services().kill("executor-service");
        int startedBefore = startedOf(rolloutId);
        baton.services().restart("executor-service");
        Instant up = Instant.now();

        await().atMost(Duration.ofSeconds(60)).until(() -> startedOf(rolloutId) > startedBefore);
        Instant nextStarted = log.entriesOf(StepStarted.class).stream()
                .filter(e -> ((StepStarted) e.event()).rolloutId().equals(rolloutId)).skip(startedBefore).findFirst()
                .orElseThrow().timestamp();
        Duration pickUp = Duration.between(up, nextStarted);
        System.out.println("[executor-restart-it] the restarted executor ran the next command " + pickUp.toMillis()
                + " ms after it was up");
        assertThat(pickUp).as("from the restarted executor being up to its first StepStarted").isLessThan(Duration.ofSeconds(10));

        await().atMost(Duration.ofMinutes(3)).until(() -> log.events(RolloutCompleted.class).stream()
                .anyMatch(c -> c.rolloutId().equals(rolloutId)));
        for (SimulatedNode node : baton.fleet().nodes(RESTART)) {
            assertThat(node.executed().stream().filter("mx-install 3.5.1"::equals).count())
                    .as("installs on %s (its own log)", node.name()).isOne();
            assertThat(node.runningVersion()).isEqualTo("3.5.1");
        }
    }

    private static int startedOf(String rolloutId) {
        return (int) baton.eventLog().events(StepStarted.class).stream().filter(s -> s.rolloutId().equals(rolloutId)).count();
    }

    private static List<NodeCommand> commandsOf(String rolloutId) {
        return baton.eventLog().events(NodeCommand.class).stream().filter(c -> rolloutId.equals(c.rolloutId())).toList();
    }

    private static Thread watchDown(String clusterId, AtomicBoolean watching, AtomicInteger maxDown) {
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                // down = its server not running (stopped by a step, or the machine down), from the fleet itself; a
                // running server that left the matrix is not a node Baton took out of service
                int down = (int) baton.fleet().nodes(clusterId).stream()
                        .filter(n -> !n.up() || n.runningVersion() == null).count();
                maxDown.accumulateAndGet(down, Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "executor-restart-it-watcher");
        watcher.start();
        return watcher;
    }

    private static String request(String clusterId, String target) {
        String requestId = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        baton.fleetManagement().publish(UpgradeRequests.upgrade(clusterId, target).requestId(requestId).maxUnavailable(1)
                .requestedBy("fleet-management-it").build());
        return await().atMost(Duration.ofMinutes(2)).until(() -> baton.eventLog().events(RolloutAccepted.class).stream()
                .filter(a -> requestId.equals(a.requestId())).map(RolloutAccepted::rolloutId).findFirst().orElse(null),
                id -> id != null);
    }
}
