package dev.baton.health;

import dev.baton.contracts.ClusterRegistered;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** One repeating task (a node's probe or a cluster's membership read) that reschedules itself when done. */
final class ProbeLoop implements Runnable {
    /** A loop whose next run is closer than this is left alone by {@link #expedite}. */
    private static final long EXPEDITE_MARGIN_MILLIS = 50;
    /** After a step is reported on a node, how long its loops keep the (short) interval even if it looks settled. */
    static final Duration BUSY_AFTER_STEP = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);

    private final String clusterId;
    private final String name;
    private final ClusterRegistered.Node node;
    private final Runnable body;
    private final Cadence cadence;
    private final ScheduledExecutorService pool;
    private final Clock clock;
    private volatile boolean started;
    private volatile boolean stopped;
    private volatile boolean failing;
    private volatile ScheduledFuture<?> next;
    /** The interval chosen for the next run (without jitter), for the REST view. */
    private volatile Duration interval;
    /** Until when this loop keeps the interval whatever its node's state (a step was reported on it). */
    private volatile long busyUntilMillis;

    ProbeLoop(String clusterId, String name, ClusterRegistered.Node node, Runnable body, Cadence cadence,
              ScheduledExecutorService pool, Clock clock) {
        this.cadence = cadence;
        this.pool = pool;
        this.clock = clock;
        this.clusterId = clusterId;
        this.name = name;
        this.node = node;
        this.body = body;
    }

    /** Whether this loop probes a node with exactly this inventory entry in {@code registration}. */
    boolean probes(ClusterRegistered registration) {
        return node != null && node.equals(registration.node(node.name()));
    }

    synchronized void start() {
        if (!started) {
            started = true;
            // spread the first probes over one interval so the nodes are not all probed at the same instant
            schedule(ThreadLocalRandom.current().nextLong(Math.max(1, cadence.jittered(clusterId, cadence.interval(clusterId, false)))));
        }
    }

    /** Runs the loop now if its next run is still a while away (never two runs of one loop at once). */
    synchronized void expedite() {
        busyUntilMillis = clock.millis() + BUSY_AFTER_STEP.toMillis();
        ScheduledFuture<?> future = next;
        // a positive delay means the run has not started; only then can it be moved without doubling the loop
        if (!stopped && future != null && future.getDelay(TimeUnit.MILLISECONDS) > EXPEDITE_MARGIN_MILLIS
                && future.cancel(false)) {
            schedule(0);
        }
    }

    void stop() {
        stopped = true;
        ScheduledFuture<?> future = next;
        if (future != null) {
            future.cancel(false);
        }
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        try {
            body.run();
            if (failing) {
                failing = false;
                LOG.infof("%s: working again", name);
            }
        } catch (RuntimeException e) {
            // e.g. Kafka not acknowledging: the state was not committed and the next round decides again
            if (!failing) {
                failing = true;
                LOG.warnf("%s: %s (retrying every interval; logged once)", name, e.toString());
            }
        } finally {
            if (!stopped) {
                interval = cadence.interval(clusterId, idle());
                schedule(cadence.jittered(clusterId, interval));
            }
        }
    }

    /** Whether nothing is going on here that a probe must catch soon (see {@link HealthConfig#idleInterval()}). */
    private boolean idle() {
        if (node == null) {
            // the membership loop: a reported step reads it at once (expedite), and a node found down reads it
            // before deciding, so between those it keeps the idle cadence
            return true;
        }
        if (clock.millis() < busyUntilMillis) {
            return false;
        }
        return cadence.settled(clusterId, node.name());
    }

    private void schedule(long delayMillis) {
        try {
            next = pool.schedule(this, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            stopped = true; // shutting down
        }
    }

    /** The interval chosen for the next run (without jitter), or null before the first run; for the REST view. */
    Duration interval() {
        return interval;
    }

    /** How often a cluster's loops run, and whether a node is settled; answered by the {@link HealthMonitor}. */
    interface Cadence {
        /** The procedure's interval, else the service's; the idle interval for an idle loop. */
        Duration interval(String clusterId, boolean idle);

        /** The interval plus random jitter, in milliseconds. */
        long jittered(String clusterId, Duration interval);

        /** Whether the node is settled (active, nothing going on). */
        boolean settled(String clusterId, String nodeName);
    }
}
