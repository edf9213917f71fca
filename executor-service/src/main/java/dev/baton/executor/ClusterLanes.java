package dev.baton.executor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs commands of many clusters at once but never two of one cluster: one FIFO lane per cluster, drained by a
 * bounded pool of workers ({@code concurrency}). Admission is bounded too ({@link #submit} blocks while
 * {@code 2 × concurrency} commands are accepted and unfinished), so the Kafka consumer stops fetching instead of
 * piling commands up in memory. Shutdown hands queued commands back (they are never acknowledged, so Kafka
 * redelivers them) and lets running ones finish within a grace period. Touches no topic.
 */
public final class ClusterLanes {
    private static final Logger LOG = Logger.getLogger(ClusterLanes.class);

    /** One accepted command: its work and what to do once it is over (acknowledge the record). */
    private record Task(Runnable work, Runnable done) {
    }

    private final ExecutorService workers;
    private final Semaphore admission;
    private final Map<String, Deque<Task>> lanes = new HashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private boolean closed;

    public ClusterLanes(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        AtomicInteger count = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread thread = new Thread(r, "baton-executor-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.admission = new Semaphore(2 * concurrency);
    }

    /**
     * Accepts a command of {@code clusterId}; it runs after the cluster's earlier ones. Blocks while the executor is
     * full. Returns false (and runs nothing, acknowledges nothing) once shutdown has begun.
     */
    public boolean submit(String clusterId, Runnable work, Runnable done) throws InterruptedException {
        admission.acquire();
        Task task = new Task(work, done);
        synchronized (this) {
            if (closed) {
                admission.release();
                return false;
            }
            Deque<Task> lane = lanes.get(clusterId);
            if (lane != null) {
                lane.addLast(task); // the cluster's worker takes it when the earlier commands are done
                return true;
            }
            lane = new ArrayDeque<>();
            lane.addLast(task);
            lanes.put(clusterId, lane);
        }
        workers.execute(() -> drain(clusterId));
        return true;
    }

    private void drain(String clusterId) {
        while (true) {
            Task task;
            synchronized (this) {
                Deque<Task> lane = lanes.get(clusterId);
                task = lane == null ? null : lane.peekFirst();
                if (task == null || closed) {
                    lanes.remove(clusterId);
                    return;
                }
            }
            running.incrementAndGet();
            try {
                task.work().run();
                task.done().run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "a command of cluster %s failed unexpectedly", clusterId);
            } finally {
                running.decrementAndGet();
                admission.release();
                synchronized (this) {
                    Deque<Task> lane = lanes.get(clusterId);
                    if (lane != null) {
                        lane.pollFirst();
                    }
                }
            }
        }
    }

    /** Whether shutdown has begun (nothing more is accepted). */
    public synchronized boolean closed() {
        return closed;
    }

    /** How many commands are running now. */
    public int running() {
        return running.get();
    }

    /**
     * Stops accepting, hands back every queued command (never acknowledged), and waits up to {@code grace} for the
     * running ones. Returns true if all running commands finished in time.
     */
    public boolean shutdown(Duration grace) {
        int handedBack;
        synchronized (this) {
            closed = true;
            handedBack = lanes.values().stream().mapToInt(lane -> Math.max(0, lane.size() - 1)).sum();
            lanes.values().forEach(lane -> {
                while (lane.size() > 1) {
                    lane.pollLast();
                }
            });
        }
        int busy = running.get();
        LOG.infof("shutting down: %d command(s) running (waiting up to %s), %d queued handed back for redelivery",
                busy, grace, handedBack);
        workers.shutdown();
        try {
            if (workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warnf("%d command(s) still running after %s; interrupting them (each reports EXECUTOR_ERROR, and the "
                + "node's ledger keeps a disruptive one from running again)", running.get(), grace);
        workers.shutdownNow();
        return false;
    }
}
