package dev.baton.systemtest;

import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.world.BatonServices;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The chaos test's source of faults: from one seeded {@link Random}, it picks a moment (a pause after the previous
 * fault is over) and a victim among the four services and the broker (weighted, see {@link #WEIGHTS}), SIGKILLs it
 * and starts it again with the same configuration ({@link BatonServices#restart}: the same environment, the same
 * instance id; the broker: the same ports and log directory, {@link SandboxKafka#killAndRestart}), one fault at a
 * time, until told to stop. The same seed gives the same sequence of victims and pauses (not the same moments in the
 * rollouts: those depend on the machine).
 *
 * <p>An executor kill may be held back while a step is in flight ({@link ExecutorKills#BETWEEN_STEPS}): until the
 * executor detaches disruptive steps, a kill mid-step halts the rollout {@code IN_DOUBT} by design. Touches no topic.
 */
final class FaultInjector {
    /** The broker as a victim. */
    static final String BROKER = "broker";
    /** Every victim, in the order the seed indexes them. */
    static final List<String> VICTIMS = List.of("planner-service", "executor-service", "health-service", "audit-service",
            BROKER);
    /**
     * How often each victim is picked, in the order of {@link #VICTIMS}: a broker restart takes about three service
     * restarts (a KRaft node's JVM, log recovery after SIGKILL), so it is picked less often to keep a CI run short.
     */
    private static final int[] WEIGHTS = {9, 9, 9, 9, 4};

    /** When the executor may be killed. */
    enum ExecutorKills {
        /**
         * At any moment, mid-step included (the full test): every other executor kill waits (at most 20 s) for a
         * disruptive step to be running, so that kills mid-step are sure to happen, not left to chance.
         */
        ANY_MOMENT,
        /** Only while no step is in flight (every StepStarted has its result): shows the rest while steps are not detached. */
        BETWEEN_STEPS;

        static ExecutorKills parse(String value) {
            if (value == null || value.isBlank() || value.equalsIgnoreCase("any") || value.equalsIgnoreCase("any-moment")) {
                return ANY_MOMENT;
            }
            if (value.equalsIgnoreCase("between-steps")) {
                return BETWEEN_STEPS;
            }
            throw new IllegalArgumentException("BATON_CHAOS_EXECUTOR_KILLS must be 'any' or 'between-steps', not '" + value + "'");
        }
    }

    /** One fault: the victim, when it was killed, and how long until it answered again. */
    record Fault(int number, String victim, Instant killedAt, Duration restartTook) {
        @Override
        public String toString() {
            return "#" + number + " " + victim + " killed at " + killedAt + ", back after " + restartTook.toMillis() + " ms";
        }
    }

    private final Random random;
    private final BatonServices services;
    private final SandboxKafka kafka;
    private final ExecutorKills executorKills;
    private final BooleanSupplier stepInFlight;
    private final Duration minPause;
    private final Duration maxPause;
    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile int skipped;
    private final BooleanSupplier stepRunning;
    private volatile int executorKillsSoFar;
    private volatile int midStep;
    /** How long an executor kill waits for a moment with no step in flight ({@link ExecutorKills#BETWEEN_STEPS}). */
    private static final Duration QUIET_WAIT = Duration.ofSeconds(20);

    /**
     * @param seed the run's seed
     * @param services the services to kill and restart
     * @param kafka the broker to kill and restart, or null to leave the broker out (a broker that cannot restart)
     * @param executorKills when the executor may be killed
     * @param stepInFlight whether a step may be in flight (for {@link ExecutorKills#BETWEEN_STEPS})
     * @param stepRunning whether a disruptive step has started and has no result yet (for the mid-step kills of
     *                    {@link ExecutorKills#ANY_MOMENT})
     * @param minPause the shortest pause between the end of one fault and the next
     * @param maxPause the longest
     */
    FaultInjector(long seed, BatonServices services, SandboxKafka kafka, ExecutorKills executorKills,
                  BooleanSupplier stepInFlight, BooleanSupplier stepRunning, Duration minPause, Duration maxPause) {
        this.stepRunning = stepRunning;
        this.random = new Random(seed);
        this.services = services;
        this.kafka = kafka != null && kafka.restartable() ? kafka : null;
        this.executorKills = executorKills;
        this.stepInFlight = stepInFlight;
        this.minPause = minPause;
        this.maxPause = maxPause;
    }

    /** The victims this injector picks from (the broker only if it can be restarted). */
    List<String> victims() {
        return kafka == null ? VICTIMS.subList(0, 4) : VICTIMS;
    }

    /** Starts injecting faults in a thread of its own, reporting each fault to {@code onFault} once it is over. */
    synchronized void start(Consumer<Fault> onFault) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(() -> {
            try {
                while (!stopping) {
                    long pause = minPause.toMillis() + (long) (random.nextDouble() * (maxPause.toMillis() - minPause.toMillis()));
                    String victim = pick();
                    if (!sleep(pause)) {
                        return;
                    }
                    if (victim.equals("executor-service") && executorKills == ExecutorKills.BETWEEN_STEPS
                            && !awaitNoStepInFlight()) {
                        continue;
                    }
                    if (victim.equals("executor-service") && executorKills == ExecutorKills.ANY_MOMENT
                            && executorKillsSoFar++ % 2 == 1 && awaitStepRunning()) {
                        midStep++;
                    }
                    Fault fault = inject(faults.size() + 1, victim);
                    faults.add(fault);
                    onFault.accept(fault);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }, "chaos-fault-injector");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops after the fault in progress (every victim runs again when this returns; a restart is never interrupted, it
     * would leave the victim down); rethrows what broke the injector.
     */
    void stop() throws InterruptedException {
        stopping = true;
        Thread running = thread;
        if (running != null) {
            running.join(Duration.ofMinutes(3).toMillis());
        }
        if (failure != null) {
            throw new IllegalStateException("the fault injector failed: " + failure, failure);
        }
    }

    /** The faults injected so far. */
    List<Fault> faults() {
        synchronized (faults) {
            return List.copyOf(faults);
        }
    }

    /** How many faults each victim had. */
    Map<String, Integer> byVictim() {
        Map<String, Integer> counts = new TreeMap<>();
        victims().forEach(v -> counts.put(v, 0));
        faults().forEach(f -> counts.merge(f.victim(), 1, Integer::sum));
        return counts;
    }

    private String pick() {
        List<String> victims = victims();
        int total = 0;
        for (int i = 0; i < victims.size(); i++) {
            total += WEIGHTS[i];
        }
        int draw = random.nextInt(total);
        for (int i = 0; i < victims.size(); i++) {
            draw -= WEIGHTS[i];
            if (draw < 0) {
                return victims.get(i);
            }
        }
        throw new AssertionError("unreachable");
    }

    private Fault inject(int number, String victim) {
        Instant killed = Instant.now();
        if (victim.equals(BROKER)) {
            kafka.killAndRestart();
        } else {
            services.kill(victim);
            services.restart(victim);
        }
        return new Fault(number, victim, killed, Duration.between(killed, Instant.now()));
    }

    /**
     * Waits (at most {@link #QUIET_WAIT}) until no step is in flight; false if stopped meanwhile or no quiet moment
     * came (then this executor fault is skipped, not counted: a kill mid-step is what the mode rules out).
     */
    private boolean awaitNoStepInFlight() {
        long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
        while (stepInFlight.getAsBoolean()) {
            if (stopping || System.nanoTime() > deadline) {
                skipped++;
                return false;
            }
            if (!sleep(2)) {
                return false;
            }
        }
        return true;
    }

    /** Waits (at most {@link #QUIET_WAIT}) for a disruptive step to be running; false if none came (killed anyway). */
    private boolean awaitStepRunning() {
        long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
        while (!stepRunning.getAsBoolean()) {
            if (stopping || System.nanoTime() > deadline || !sleep(2)) {
                return false;
            }
        }
        return true;
    }

    /** Executor kills made while a disruptive step was seen running ({@link ExecutorKills#ANY_MOMENT}). */
    int midStep() {
        return midStep;
    }

    /** Executor faults skipped for want of a quiet moment ({@link ExecutorKills#BETWEEN_STEPS}). */
    int skipped() {
        return skipped;
    }

    /** The injector's own pacing between faults (not a test's wait for a condition), in slices that see a stop. */
    private boolean sleep(long millis) {
        long end = System.nanoTime() + Duration.ofMillis(millis).toNanos();
        try {
            for (long left = millis; left > 0 && !stopping; left = Duration.ofNanos(end - System.nanoTime()).toMillis()) {
                Thread.sleep(Math.min(left, 50));
            }
            return !stopping;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
