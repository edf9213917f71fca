package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kills the planner process with SIGKILL at random moments of rollouts, at least 20 times in one run, restarting it
 * each time, and checks DESIGN.md's invariants from the simulated fleet itself: every rollout completes, each node
 * is installed exactly once per rollout, never more nodes are down at once than the budget allows, and after a halt
 * no further command is sent.
 */
class PlannerCrashSystemIT {
    private static final String CLUSTER = "matrix-crash";
    private static final int MIN_KILLS = 20;
    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.of("crash-it", "/fleets/crash-it.yaml");
    private static LocalBaton baton;

    @BeforeAll
    static void world() {
        baton = WORLD.baton();
    }

    @Test
    void killingThePlannerAtRandomMomentsBreaksNoInvariant() throws Exception {
        long seed = Long.getLong("baton.crash.seed", System.nanoTime());
        System.out.println("[crash-it] seed " + seed + " (rerun with -Dbaton.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        AtomicInteger kills = new AtomicInteger();
        int run = 0;
        while (kills.get() < MIN_KILLS && run < 12) {
            run++;
            String target = "3.5." + run;
            int budget = run % 2 == 0 ? 2 : 1;
            String rolloutId = rollUnderFire(target, budget, random, kills);

            EventLog log = baton.eventLog();
            assertThat(log.events(RolloutCompleted.class)).as("run %d (%s) completed", run, target)
                    .anyMatch(c -> c.rolloutId().equals(rolloutId));
            Map<String, Long> upgraded = log.events(NodeUpgraded.class).stream().filter(u -> u.rolloutId().equals(rolloutId))
                    .collect(Collectors.groupingBy(NodeUpgraded::nodeName, Collectors.counting()));
            assertThat(upgraded).as("NodeUpgraded per node in run %d", run)
                    .containsOnlyKeys("srv1", "srv2", "srv3", "srv4").allSatisfy((node, count) -> assertThat(count).isOne());
            for (SimulatedNode node : baton.fleet().nodes(CLUSTER)) {
                assertThat(node.executed().stream().filter(c -> c.equals("mx-install " + target)).count())
                        .as("installs of %s on %s (from the node's own log)", target, node.name()).isOne();
                assertThat(node.runningVersion()).isEqualTo(target);
            }
            System.out.printf("[crash-it] run %d: %s with maxUnavailable %d completed; %d kills so far%n", run, target,
                    budget, kills.get());
        }
        assertThat(kills.get()).isGreaterThanOrEqualTo(MIN_KILLS);

        // a run that halts (srv2 cannot start again), with the planner still being killed: nothing is sent after the halt
        SimulatedNode srv2 = baton.fleet().node(CLUSTER, "srv2");
        srv2.faults().failStartUntilReboot(true);
        String halting = request("4.0.0", 1);
        EventLog log = baton.eventLog();
        AtomicInteger killsAtHalt = new AtomicInteger(Integer.MAX_VALUE - 3);
        Thread killer = killer(random, kills, () -> kills.get() >= killsAtHalt.get() + 3);
        await().atMost(Duration.ofMinutes(3)).until(() -> log.events(RolloutHalted.class).stream()
                .anyMatch(h -> h.rolloutId().equals(halting)));
        long commandsAtHalt = commandsOf(halting);
        killsAtHalt.set(kills.get()); // three more kills and restarts while halted
        killer.join(Duration.ofMinutes(2).toMillis());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> commandsOf(halting) == commandsAtHalt);
        assertThat(log.events(RolloutHalted.class).stream().filter(h -> h.rolloutId().equals(halting)))
                .singleElement().satisfies(h -> assertThat(h.nodeName()).isEqualTo("srv2"));
        srv2.faults().failStartUntilReboot(false);
        System.out.printf("[crash-it] %d kills in all, %d of them after the halt; the halted rollout sent nothing after"
                + " its halt%n", kills.get(), kills.get() - killsAtHalt.get());
    }

    /** Requests the upgrade, kills the planner at random moments until the rollout finished, watching the fleet. */
    private static String rollUnderFire(String target, int budget, Random random, AtomicInteger kills) throws Exception {
        String rolloutId = request(target, budget);
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger maxDown = new AtomicInteger();
        Thread watcher = new Thread(() -> {
            while (!finished.get()) {
                int down = (int) baton.fleet().nodes(CLUSTER).stream().filter(n -> !n.active()).count();
                maxDown.accumulateAndGet(down, Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "crash-it-fleet-watcher");
        watcher.start();
        Thread killer = killer(random, kills, finished::get);
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100))
                    .until(() -> finishedNow(rolloutId));
        } finally {
            finished.set(true);
            killer.join(Duration.ofMinutes(2).toMillis());
            watcher.join();
        }
        assertThat(maxDown.get()).as("most nodes of %s down at once (budget %d), from the fleet itself", CLUSTER, budget)
                .isLessThanOrEqualTo(budget);
        return rolloutId;
    }

    private static boolean finishedNow(String rolloutId) {
        EventLog log = baton.eventLog();
        return log.events(RolloutCompleted.class).stream().anyMatch(c -> c.rolloutId().equals(rolloutId))
                || log.events(RolloutHalted.class).stream().anyMatch(h -> h.rolloutId().equals(rolloutId));
    }

    /** Kills and restarts the planner every 0.3-2.5 s (random) until {@code done} holds. */
    private static Thread killer(Random random, AtomicInteger kills, java.util.function.BooleanSupplier done) {
        long[] pauses = random.longs(200, 300, 2500).toArray();
        Thread thread = new Thread(() -> {
            int i = 0;
            while (!done.getAsBoolean()) {
                try {
                    Thread.sleep(pauses[i++ % pauses.length]);
                } catch (InterruptedException e) {
                    return;
                }
                if (done.getAsBoolean()) {
                    return;
                }
                baton.services().kill("planner-service");
                kills.incrementAndGet();
                baton.services().restart("planner-service");
            }
        }, "crash-it-killer");
        thread.start();
        return thread;
    }

    private static String request(String target, int maxUnavailable) {
        String requestId = "crash-" + target + "-" + UUID.randomUUID().toString().substring(0, 6);
        baton.fleetManagement().publish(UpgradeRequests.upgrade(CLUSTER, target).requestId(requestId)
                .maxUnavailable(maxUnavailable).requestedBy("fleet-management-it").build());
        EventLog log = baton.eventLog();
        Function<String, Boolean> accepted = id -> log.events(RolloutAccepted.class).stream()
                .anyMatch(a -> id.equals(a.requestId()));
        await().atMost(Duration.ofMinutes(2)).until(() -> accepted.apply(requestId));
        return log.events(RolloutAccepted.class).stream().filter(a -> requestId.equals(a.requestId())).findFirst()
                .orElseThrow().rolloutId();
    }

    private static long commandsOf(String rolloutId) {
        return baton.eventLog().events(NodeCommand.class).stream().filter(c -> rolloutId.equals(c.rolloutId())).count();
    }

    private static ClusterRegistered cluster() {
        return baton.fleet().registrations().stream().filter(c -> c.clusterId().equals(CLUSTER)).findFirst().orElseThrow();
    }
}
