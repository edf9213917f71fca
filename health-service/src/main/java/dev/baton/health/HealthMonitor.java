package dev.baton.health;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.health.cluster.ClusterHealth;
import dev.baton.health.cluster.ClusterView;
import dev.baton.health.node.NodeStateMachine;
import dev.baton.health.node.ProbeObservation;
import dev.baton.health.probe.ExecResult;
import dev.baton.health.probe.NodeProbe;
import dev.baton.health.probe.ProbeReading;
import dev.baton.health.probe.SshConfig;
import dev.baton.messaging.EventPublisher;
import dev.baton.procedure.HealthProbe;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Probes every node of every registered cluster, continuously, and publishes what changes on
 * {@code baton.health.v1}: edges ({@code NodeActive}/{@code NodeInactive}) and membership snapshots
 * ({@code MembershipObserved}).
 *
 * <pre>
 * for each registered cluster whose procedure is known:
 *   for each node, every interval (+ up to 20% jitter), on a bounded pool (never the Kafka thread):
 *     run "cat boot_id; &lt;procedure probe command&gt;" over SSH with the probe timeout
 *     → ProbeObservation → ClusterHealth (node state machine) → edges, then membership if it changed
 *   if the procedure has a membership command, every interval:
 *     run it on one active node (they take turns) → reported addresses → membership if it changed
 * </pre>
 * A probe never overlaps the previous probe of the same node: each loop schedules its next run when
 * the current one has finished.
 */
@ApplicationScoped
public class HealthMonitor {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);
    private static final String MEMBERSHIP_LOOP = "";

    private final NodeProbe probe;
    private final HealthConfig config;
    private final SshConfig sshConfig;
    private final ProcedureCatalog catalog;
    private final EventPublisher publisher;
    private final Clock clock;
    private final ScheduledExecutorService pool;
    private final Map<String, ClusterHealth> clusters = new ConcurrentHashMap<>();
    private final Map<String, ClusterView> unprobed = new ConcurrentHashMap<>();
    /** Running loops by cluster id, then by node name ({@link #MEMBERSHIP_LOOP} for the membership loop). */
    private final Map<String, Map<String, Loop>> loops = new ConcurrentHashMap<>();
    private final AtomicLong membershipTurn = new AtomicLong();

    public HealthMonitor(NodeProbe probe, HealthConfig config, SshConfig sshConfig, ProcedureCatalog catalog,
                         EventPublisher publisher, Clock clock) {
        this.probe = probe;
        this.config = config;
        this.sshConfig = sshConfig;
        this.catalog = catalog;
        this.publisher = publisher;
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(Math.max(1, config.probeThreads()), task -> {
            Thread thread = new Thread(task, "baton-health-probe-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.pool = executor;
    }

    /** Refuses to start, with a clear message, when the SSH files cannot be read. */
    void checkSshFiles(@Observes StartupEvent event) {
        List<String> problems = new ArrayList<>();
        checkReadable(sshConfig.knownHosts(), "baton.ssh.known-hosts (BATON_SSH_KNOWN_HOSTS)",
                "an OpenSSH known_hosts file holding every node's host key", problems);
        checkReadable(sshConfig.privateKey(), "baton.ssh.private-key (BATON_SSH_PRIVATE_KEY)",
                "an unencrypted OpenSSH private key file", problems);
        if (!problems.isEmpty()) {
            problems.forEach(LOG::error);
            Quarkus.asyncExit(2);
            return;
        }
        LOG.infof("probing registered clusters every %s (timeout %s, %d probes at once)",
                config.interval(), config.probeTimeout(), config.probeThreads());
    }

    private static void checkReadable(Path file, String key, String what, List<String> problems) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.add(key + " is " + file + ", which is not a readable file; set it to " + what);
        }
    }

    /** Starts (or adjusts) probing of a cluster from its latest registration. */
    public synchronized void track(ClusterRegistered registration) {
        String clusterId = registration.clusterId();
        Optional<Procedure> procedure = catalog.get(registration.procedure());
        if (procedure.isEmpty()) {
            String known = catalog.all().stream().map(Procedure::name).sorted().collect(Collectors.joining(", "));
            String problem = "procedure '" + registration.procedure() + "' is not known to the health service (known: "
                    + known + "); its nodes are not probed";
            LOG.warnf("cluster %s: %s", clusterId, problem);
            forget(clusterId);
            unprobed.put(clusterId, ClusterView.unprobed(registration, problem));
            return;
        }
        unprobed.remove(clusterId);
        HealthProbe healthProbe = procedure.get().health();
        NodeStateMachine machine = new NodeStateMachine(clock, healthProbe.stableProbes(), config.failuresBeforeInactive());
        ClusterHealth previous = clusters.get(clusterId);
        ClusterHealth cluster = new ClusterHealth(registration, procedure.get().name(), healthProbe, machine, previous);
        clusters.put(clusterId, cluster);

        Map<String, Loop> running = loops.computeIfAbsent(clusterId, id -> new ConcurrentHashMap<>());
        running.entrySet().removeIf(entry -> {
            boolean gone = !entry.getKey().equals(MEMBERSHIP_LOOP) && !entry.getValue().probes(registration);
            if (gone) {
                entry.getValue().stop();
            }
            return gone;
        });
        for (ClusterRegistered.Node node : registration.nodes()) {
            running.computeIfAbsent(node.name(), name -> new Loop(clusterId + "/" + name, node,
                    () -> probeNode(clusterId, node))).start();
        }
        running.computeIfAbsent(MEMBERSHIP_LOOP, name -> new Loop(clusterId + " membership", null,
                () -> readMembership(clusterId))).start();
        if (previous == null) {
            LOG.infof("cluster %s registered: %d nodes, procedure %s", clusterId, registration.nodes().size(),
                    procedure.get().name());
        }
    }

    /** Stops probing a cluster and forgets it. */
    public synchronized void forget(String clusterId) {
        Map<String, Loop> running = loops.remove(clusterId);
        if (running != null) {
            running.values().forEach(Loop::stop);
        }
        if (clusters.remove(clusterId) != null) {
            LOG.infof("cluster %s deregistered: no longer probed", clusterId);
        }
        unprobed.remove(clusterId);
    }

    public Optional<ClusterView> view(String clusterId) {
        ClusterHealth cluster = clusters.get(clusterId);
        return cluster != null ? Optional.of(cluster.view()) : Optional.ofNullable(unprobed.get(clusterId));
    }

    public List<ClusterView> views() {
        return Stream.concat(clusters.values().stream().map(ClusterHealth::view), unprobed.values().stream())
                .sorted(Comparator.comparing(ClusterView::clusterId))
                .toList();
    }

    private void probeNode(String clusterId, ClusterRegistered.Node node) {
        ClusterHealth cluster = clusters.get(clusterId);
        if (cluster == null || !cluster.tracks(node)) {
            return;
        }
        HealthProbe healthProbe = cluster.probe();
        ExecResult result = probe.run(node.sshTarget(), ProbeReading.command(healthProbe), config.probeTimeout());
        ProbeObservation observation = ProbeReading.read(result, healthProbe);
        if (LOG.isDebugEnabled()) {
            LOG.debugf("probe %s/%s: %s", clusterId, node.name(), observation);
        }
        cluster.observe(node.name(), observation, this::publish);
    }

    private void readMembership(String clusterId) {
        ClusterHealth cluster = clusters.get(clusterId);
        if (cluster == null || cluster.probe().membershipCommand() == null) {
            return;
        }
        Optional<ClusterRegistered.Node> source = cluster.membershipSource(membershipTurn.getAndIncrement());
        if (source.isEmpty()) {
            return;
        }
        HealthProbe healthProbe = cluster.probe();
        ExecResult result = probe.run(source.get().sshTarget(), healthProbe.membershipCommand(), config.probeTimeout());
        if (result.kind() == ExecResult.Kind.COMPLETED && result.exitCode() == 0) {
            cluster.membershipReported(healthProbe.memberAddresses(result.output()), this::publish);
        } else {
            LOG.debugf("membership of %s from %s not read: %s exit %d %s", clusterId, source.get().name(),
                    result.kind(), result.exitCode(), result.detail());
        }
    }

    private void publish(HealthEvent event) {
        publisher.publish(event, null, null);
        if (event instanceof NodeActive active) {
            LOG.infof("%s/%s ACTIVE on %s (%s, boot %s)", active.clusterId(), active.nodeName(), active.runningVersion(),
                    active.reason(), active.bootId());
        } else if (event instanceof NodeInactive inactive) {
            LOG.infof("%s/%s INACTIVE (%s; last version %s, boot %s)", inactive.clusterId(), inactive.nodeName(),
                    inactive.reason(), inactive.runningVersion(), inactive.bootId());
        } else if (event instanceof MembershipObserved membership) {
            LOG.infof("%s membership: %s%s", membership.clusterId(), membership.members().stream()
                    .map(m -> (m.nodeName() == null ? "?" : m.nodeName()) + "@" + m.clusterAddress() + "="
                            + m.runningVersion() + (m.active() ? "" : "(inactive)"))
                    .collect(Collectors.joining(", ")), membership.mixedVersion() ? " [mixed versions]" : "");
        }
    }

    @PreDestroy
    void stop() {
        loops.values().forEach(running -> running.values().forEach(Loop::stop));
        loops.clear();
        pool.shutdownNow();
    }

    /** One repeating task (a node's probe or a cluster's membership read) that reschedules itself when done. */
    private final class Loop implements Runnable {
        private final String name;
        private final ClusterRegistered.Node node;
        private final Runnable body;
        private volatile boolean started;
        private volatile boolean stopped;
        private volatile boolean failing;
        private volatile ScheduledFuture<?> next;

        Loop(String name, ClusterRegistered.Node node, Runnable body) {
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
                schedule(ThreadLocalRandom.current().nextLong(Math.max(1, config.interval().toMillis())));
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
                    long interval = config.interval().toMillis();
                    schedule(interval + ThreadLocalRandom.current().nextLong(Math.max(1, interval / 5)));
                }
            }
        }

        private void schedule(long delayMillis) {
            try {
                next = pool.schedule(this, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                stopped = true; // shutting down
            }
        }
    }
}
