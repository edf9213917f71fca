package dev.baton.health;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.health.cluster.AnnouncedEdges;
import dev.baton.health.cluster.ClusterHealth;
import dev.baton.health.cluster.ClusterView;
import dev.baton.health.node.NodeStateMachine;
import dev.baton.health.node.ProbeObservation;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.health.probe.NodeProbe;
import dev.baton.health.probe.NodeProber;
import dev.baton.messaging.EventPublisher;
import dev.baton.procedure.HealthProbe;
import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Probes every node of the registered clusters this instance owns, continuously, and publishes what changes on
 * {@code baton.health.v1}: edges ({@code NodeActive}/{@code NodeInactive}) and membership snapshots
 * ({@code MembershipObserved}). Instances split the clusters by the partition of {@code baton.clusters.v1} their
 * consumer group gives them ({@link ClusterPartitions}; what is owned here: {@link ClusterOwnership}). Created at
 * start-up ({@code @Startup}), so a bad {@code baton.health.probe-tag} stops the service at once; the SSH files are
 * checked by {@link SshFilesCheck}.
 *
 * <pre>
 * on partitions assigned: read baton.health.v1 of those partitions (what was already announced), then
 *   the clusters of those partitions are re-read from the beginning and tracked, each node continuing from
 *   its last announced edge (so a survivor taking over announces no transition twice)
 * on partitions revoked or lost: stop probing their clusters before anyone else may start (no cluster is
 *   probed by two instances that both know they own it)
 * for each owned cluster whose procedure is known:
 *   for each node, every interval (+ random jitter), on a bounded pool (never the Kafka thread):
 *     1. SSH: "cat boot_id; &lt;status command&gt;"   (the procedure's, or its version command without one)
 *     2. SSH: &lt;version command&gt;                   (if the procedure has a separate one and 1. was good)
 *     3. TCP connect / HTTP GET                 (if the procedure has a check and 1.-2. were good)
 *     4. a service-down answer with a membership command: re-read the membership first (left-membership?)
 *     → ProbeObservation → ClusterHealth (node state machine) → edges, then membership if it changed
 *   if the procedure has a membership command, every interval:
 *     run it on a node whose last probe was good (active ones first, taking turns) → reported addresses
 * </pre>
 * A probe never overlaps the previous probe of the same node: each loop schedules its next run when
 * the current one has finished.
 */
@ApplicationScoped
@Startup
public class HealthMonitor {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);
    private static final String MEMBERSHIP_LOOP = "";
    /** Nodes asked for the membership, at most, per read. */
    private static final int MEMBERSHIP_TRIES = 4;

    private final HealthConfig config;
    private final ProcedureCatalog catalog;
    private final EventPublisher publisher;
    private final Clock clock;
    private final ScheduledExecutorService pool;
    private final NodeProber prober;
    private final Map<String, ClusterHealth> clusters = new ConcurrentHashMap<>();
    /** Partitions owned here, the partition of each cluster, parked states; changed only in synchronized methods. */
    private final ClusterOwnership ownership = new ClusterOwnership();
    private final AnnouncedEdges announced = new AnnouncedEdges();
    private final String probePrefix;
    private volatile Instant lastProbeFinished;
    private final Map<String, ClusterView> unprobed = new ConcurrentHashMap<>();
    /** Running loops by cluster id, then by node name ({@link #MEMBERSHIP_LOOP} for the membership loop). */
    private final Map<String, Map<String, ProbeLoop>> loops = new ConcurrentHashMap<>();
    private final AtomicLong membershipTurn = new AtomicLong();
    /** How often each loop runs (reads {@link #clusters}). */
    private final ProbeLoop.Cadence cadence;

    public HealthMonitor(NodeProbe probe, HealthConfig config, ProcedureCatalog catalog, EventPublisher publisher,
                         Clock clock) {
        this.config = config;
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
        this.probePrefix = config.probeTag().map(tag -> {
            if (!tag.matches("[A-Za-z0-9._:-]+")) {
                throw new IllegalArgumentException("baton.health.probe-tag (BATON_HEALTH_PROBE_TAG) '" + tag
                        + "' may only hold letters, digits and . _ : -");
            }
            return "true " + tag + "; ";
        }).orElse("");
        this.prober = new NodeProber(probe, probePrefix, config.probeTimeout());
        this.cadence = new ProbeCadence(config, clusters::get);
    }

    /**
     * This instance now owns these partitions of {@code baton.clusters.v1}: learns what was already announced for
     * their clusters (unless it owned them just before) so probing continues from there. Their clusters follow as
     * their registrations are re-read.
     */
    public synchronized void partitionsAssigned(Collection<Integer> partitions, int partitionCount,
                                                HealthTopicReader reader) {
        List<Integer> fresh = ownership.reclaim(partitions);
        announced.addAll(reader.read(fresh, partitionCount));
        ownership.own(partitions);
        LOG.infof("owning partitions %s of baton.clusters.v1", new TreeSet<>(ownership.ownedPartitions()));
    }

    /**
     * This instance no longer owns these partitions (a rebalance): stops probing their clusters at once, and keeps
     * their states in case the same rebalance gives the partitions straight back (then nobody else owned them).
     */
    public synchronized void partitionsRevoked(Collection<Integer> partitions) {
        release(partitions, true);
    }

    /**
     * This instance lost these partitions (e.g. it missed its session timeout): another instance may already own them
     * and have announced edges, so their states are dropped; if they come back, what was announced is read again.
     */
    public synchronized void partitionsLost(Collection<Integer> partitions) {
        release(partitions, false);
    }

    private void release(Collection<Integer> partitions, boolean keepStates) {
        List<String> leaving = ownership.release(partitions);
        for (String clusterId : leaving) {
            ClusterHealth cluster = clusters.get(clusterId);
            stopProbing(clusterId);
            if (cluster != null && keepStates) {
                ownership.park(clusterId, cluster);
            } else {
                ownership.unpark(clusterId);
            }
            announced.forget(clusterId);
        }
        if (!leaving.isEmpty()) {
            LOG.infof("no longer probing %s (partitions %s %s)", new TreeSet<>(leaving), new TreeSet<>(partitions),
                    keepStates ? "revoked" : "lost");
        }
    }

    /** Partitions of {@code baton.clusters.v1} this instance owns. */
    public Set<Integer> ownedPartitions() {
        return ownership.ownedPartitions();
    }

    /** Whether the consumer group has given this instance its share at least once. */
    public boolean assigned() {
        return ownership.assigned();
    }

    /** When the last probe of any node finished (null before the first). */
    public Instant lastProbeFinished() {
        return lastProbeFinished;
    }

    /** Whether the probe pool still runs. */
    public boolean probing() {
        return !pool.isShutdown();
    }

    /** How many clusters this instance probes now. */
    public int probedClusters() {
        return clusters.size();
    }

    /** Starts (or adjusts) probing of a cluster from its latest registration, if its partition is owned here. */
    public synchronized void track(ClusterRegistered registration, int partition) {
        if (!ownership.owns(partition)) {
            return; // read before its partition was revoked: the new owner reads it again
        }
        ownership.place(registration.clusterId(), partition);
        track(registration);
    }

    /** Starts (or adjusts) probing of a cluster from its latest registration. */
    private void track(ClusterRegistered registration) {
        String clusterId = registration.clusterId();
        Optional<Procedure> procedure = catalog.get(registration.procedure());
        if (procedure.isEmpty()) {
            String known = catalog.all().stream().map(Procedure::name).sorted().collect(Collectors.joining(", "));
            String problem = "procedure '" + registration.procedure() + "' is not known to the health service (known: "
                    + known + "); its nodes are not probed";
            LOG.warnf("cluster %s: %s", clusterId, problem);
            stopProbing(clusterId);
            ownership.unpark(clusterId);
            unprobed.put(clusterId, ClusterView.unprobed(registration, problem));
            return;
        }
        unprobed.remove(clusterId);
        HealthProbe healthProbe = procedure.get().health();
        NodeStateMachine machine = new NodeStateMachine(clock, healthProbe.stableProbes(), config.failuresBeforeInactive(),
                healthProbe.stableFor());
        ClusterHealth previous = clusters.get(clusterId);
        if (previous == null) {
            previous = ownership.unpark(clusterId);
        }
        if (previous != null) {
            // freeze it first: a probe finishing now must not publish an edge the copy below would not know of
            // (the copy would announce the same transition again)
            previous.retire();
        }
        ClusterHealth cluster = new ClusterHealth(registration, procedure.get().name(), healthProbe, machine, previous,
                announced);
        clusters.put(clusterId, cluster);

        Map<String, ProbeLoop> running = loops.computeIfAbsent(clusterId, id -> new ConcurrentHashMap<>());
        running.entrySet().removeIf(entry -> {
            boolean gone = !entry.getKey().equals(MEMBERSHIP_LOOP) && !entry.getValue().probes(registration);
            if (gone) {
                entry.getValue().stop();
            }
            return gone;
        });
        for (ClusterRegistered.Node node : registration.nodes()) {
            running.computeIfAbsent(node.name(), name -> new ProbeLoop(clusterId, clusterId + "/" + name, node,
                    () -> probeNode(clusterId, node), cadence, pool, clock)).start();
        }
        running.computeIfAbsent(MEMBERSHIP_LOOP, name -> new ProbeLoop(clusterId, clusterId + " membership", null,
                () -> readMembership(clusterId, null), cadence, pool, clock)).start();
        if (previous == null) {
            LOG.infof("cluster %s registered: %d nodes, procedure %s", clusterId, registration.nodes().size(),
                    procedure.get().name());
        }
    }

    /**
     * A step just succeeded on the node (the executor said so on {@code baton.results.v1}): probe it and its cluster's
     * membership now instead of at the next interval, so "back and active" is seen as early as the stability window
     * allows. Changes nothing about how many good probes make a node active.
     */
    public void expedite(String clusterId, String nodeName) {
        Map<String, ProbeLoop> running = loops.get(clusterId);
        if (running == null) {
            return; // not a cluster this instance probes
        }
        ProbeLoop node = running.get(nodeName);
        if (node != null) {
            node.expedite();
        }
        ProbeLoop membership = running.get(MEMBERSHIP_LOOP);
        if (membership != null) {
            membership.expedite();
        }
    }

    /** Stops probing a cluster and forgets it (a tombstone on baton.clusters.v1). */
    public synchronized void forget(String clusterId) {
        if (stopProbing(clusterId)) {
            LOG.infof("cluster %s deregistered: no longer probed", clusterId);
        }
        ownership.forget(clusterId);
        announced.forget(clusterId);
    }

    /** Stops every loop of a cluster and retires its state: nothing more is published for it. */
    private boolean stopProbing(String clusterId) {
        Map<String, ProbeLoop> running = loops.remove(clusterId);
        if (running != null) {
            running.values().forEach(ProbeLoop::stop);
        }
        ClusterHealth cluster = clusters.remove(clusterId);
        if (cluster != null) {
            cluster.retire();
        }
        unprobed.remove(clusterId);
        return cluster != null;
    }

    public Optional<ClusterView> view(String clusterId) {
        ClusterHealth cluster = clusters.get(clusterId);
        return cluster != null ? Optional.of(withCadence(cluster.view())) : Optional.ofNullable(unprobed.get(clusterId));
    }

    public List<ClusterView> views() {
        return Stream.concat(clusters.values().stream().map(c -> withCadence(c.view())), unprobed.values().stream())
                .sorted(Comparator.comparing(ClusterView::clusterId))
                .toList();
    }

    /** The view with how often each node is probed now (its loop's last choice). */
    private ClusterView withCadence(ClusterView view) {
        Map<String, ProbeLoop> running = loops.getOrDefault(view.clusterId(), Map.of());
        return view.withNodes(view.nodes().stream().map(node -> {
            ProbeLoop loop = running.get(node.name());
            return loop == null || loop.interval() == null ? node : node.withProbeInterval(loop.interval().toString());
        }).toList());
    }

    private void probeNode(String clusterId, ClusterRegistered.Node node) {
        ClusterHealth cluster = clusters.get(clusterId);
        if (cluster == null || !cluster.tracks(node)) {
            return;
        }
        HealthProbe healthProbe = cluster.probe();
        NodeProber.Probed probed = prober.probe(node, healthProbe);
        ProbeObservation observation = probed.observation();
        if (observation.outcome() == Outcome.SERVICE_DOWN && healthProbe.membershipCommand() != null) {
            // is it down, or did it leave the cluster? ask the cluster (from another node) before deciding
            readMembership(clusterId, node.name());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("probe %s/%s: %s", clusterId, node.name(), observation);
        }
        cluster.observe(node.name(), observation, probed.holdsSharedResource(), this::publish);
        lastProbeFinished = clock.instant();
    }

    /** Runs the membership command on the best node that answers it (never {@code except}) and records the answer. */
    private void readMembership(String clusterId, String except) {
        ClusterHealth cluster = clusters.get(clusterId);
        if (cluster == null || cluster.probe().membershipCommand() == null) {
            return;
        }
        HealthProbe healthProbe = cluster.probe();
        List<ClusterRegistered.Node> sources = cluster.membershipSources(membershipTurn.getAndIncrement(), except);
        prober.membership(clusterId, sources.subList(0, Math.min(MEMBERSHIP_TRIES, sources.size())), healthProbe)
                .ifPresent(addresses -> cluster.membershipReported(addresses, this::publish));
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
        loops.values().forEach(running -> running.values().forEach(ProbeLoop::stop));
        loops.clear();
        pool.shutdownNow();
    }
}
