package dev.baton.health.cluster;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.MembershipObserved;
import dev.baton.health.node.Announcement;
import dev.baton.health.node.NodeHealth;
import dev.baton.health.node.NodeStateMachine;
import dev.baton.health.node.Phase;
import dev.baton.health.node.ProbeObservation;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.health.node.Transition;
import dev.baton.procedure.HealthProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The health of one registered cluster: the state of each node and the membership the cluster reports.
 * Turns probe observations into edges ({@code NodeActive}/{@code NodeInactive}) and membership snapshots
 * ({@code MembershipObserved}) for {@code baton.health.v1}, through a {@link HealthSink}. Pure (no I/O);
 * safe to call from several probe threads at once (observations of one cluster are applied one at a time,
 * and a node's state is committed only after its edges were published).
 */
public final class ClusterHealth {
    private final ClusterRegistered registration;
    private final String procedureName;
    private final HealthProbe probe;
    private final NodeStateMachine machine;
    private final Map<String, NodeHealth> nodes = new ConcurrentHashMap<>();
    /** Which nodes hold the procedure's shared resource, as last probed (absent: unknown, or none declared). */
    private final Map<String, Boolean> holds = new ConcurrentHashMap<>();
    /** Addresses from the membership command; null until read, and forever for procedures without one. */
    private volatile List<String> reportedMembers;
    private volatile MembershipObserved lastMembership;
    private boolean retired;

    /** A newly registered cluster: every node unknown. */
    public ClusterHealth(ClusterRegistered registration, String procedureName, HealthProbe probe, NodeStateMachine machine) {
        this(registration, procedureName, probe, machine, null, AnnouncedEdges.none());
    }

    /**
     * A cluster registered again: nodes whose inventory entry did not change keep their state (no new edges);
     * everything is forgotten if the procedure changed.
     */
    public ClusterHealth(ClusterRegistered registration, String procedureName, HealthProbe probe, NodeStateMachine machine,
                         ClusterHealth previous) {
        this(registration, procedureName, probe, machine, previous, AnnouncedEdges.none());
    }

    /**
     * A cluster this instance starts to watch. Without a previous state here, each node continues from what was
     * last announced for it on {@code baton.health.v1} ({@code announced}, e.g. by the instance that watched the
     * cluster before), so a transition already announced is not announced again.
     */
    public ClusterHealth(ClusterRegistered registration, String procedureName, HealthProbe probe, NodeStateMachine machine,
                         ClusterHealth previous, AnnouncedEdges announced) {
        this.registration = Objects.requireNonNull(registration);
        this.procedureName = procedureName;
        this.probe = Objects.requireNonNull(probe);
        this.machine = Objects.requireNonNull(machine);
        boolean carryOver = previous != null && Objects.equals(previous.procedureName, procedureName);
        for (ClusterRegistered.Node node : registration.nodes()) {
            NodeHealth kept = carryOver && node.equals(previous.registration.node(node.name()))
                    ? previous.nodes.get(node.name()) : null;
            if (kept == null && previous == null) {
                kept = announced.node(registration.clusterId(), node.name()).orElse(null);
            }
            nodes.put(node.name(), kept != null ? kept : NodeHealth.unknown(registration.clusterId(), node.name()));
        }
        if (carryOver) {
            holds.putAll(previous.holds);
            reportedMembers = previous.reportedMembers;
            lastMembership = previous.lastMembership;
        } else if (previous == null) {
            lastMembership = announced.membership(registration.clusterId()).orElse(null);
            if (lastMembership != null) {
                // who held the shared resource as last announced, until each node is probed again (else a restarted
                // health service would announce every node it has not probed yet as not holding it)
                lastMembership.members().forEach(m -> {
                    if (m.nodeName() != null && m.holdsSharedResource() != null && registration.node(m.nodeName()) != null) {
                        holds.put(m.nodeName(), m.holdsSharedResource());
                    }
                });
            }
        }
    }

    /**
     * Stops this cluster from publishing anything more: once this returns, no observation of it publishes (a probe
     * still running finishes first). Used when the cluster is forgotten or handed to another instance.
     */
    public synchronized void retire() {
        retired = true;
    }

    public ClusterRegistered registration() {
        return registration;
    }

    public String procedureName() {
        return procedureName;
    }

    public HealthProbe probe() {
        return probe;
    }

    public String clusterId() {
        return registration.clusterId();
    }

    /** Whether {@code node} (same inventory entry) is tracked here with its state. */
    public boolean tracks(ClusterRegistered.Node node) {
        return node.equals(registration.node(node.name()));
    }

    public Optional<NodeHealth> node(String nodeName) {
        return Optional.ofNullable(nodes.get(nodeName));
    }

    /** The last membership snapshot published, if any. */
    public Optional<MembershipObserved> membership() {
        return Optional.ofNullable(lastMembership);
    }

    /**
     * Applies one probe result of one node: publishes the edges it causes, then the membership snapshot
     * if the picture changed. If publishing throws, the node's state is left as it was.
     */
    public synchronized void observe(String nodeName, ProbeObservation observation, HealthSink sink) {
        observe(nodeName, observation, null, sink);
    }

    /**
     * The same, with whether the node holds the procedure's shared resource ({@code holdsShared}, null: unknown), which
     * the membership snapshot carries.
     */
    public synchronized void observe(String nodeName, ProbeObservation observation, Boolean holdsShared, HealthSink sink) {
        NodeHealth current = nodes.get(nodeName);
        ClusterRegistered.Node node = registration.node(nodeName);
        if (current == null || node == null || retired) {
            return;
        }
        Transition transition = machine.observe(current, classify(node, observation));
        for (HealthEvent edge : transition.edges()) {
            sink.publish(edge);
        }
        nodes.put(nodeName, transition.next());
        if (holdsShared == null) {
            holds.remove(nodeName);
        } else {
            holds.put(nodeName, holdsShared);
        }
        publishMembershipIfChanged(sink);
    }

    /** Records what the cluster's membership command reported and publishes the snapshot if it changed. */
    public synchronized void membershipReported(List<String> addresses, HealthSink sink) {
        if (retired) {
            return;
        }
        reportedMembers = List.copyOf(addresses);
        publishMembershipIfChanged(sink);
    }

    /**
     * The node to run the membership command on this turn: the active nodes whose last probe was good take
     * turns, so one node with a stale view cannot hide a change for long. Empty when there is none (the last
     * picture stays).
     */
    public Optional<ClusterRegistered.Node> membershipSource(long turn) {
        return membershipSources(turn, null).stream().filter(n -> nodes.get(n.name()).phase() == Phase.ACTIVE).findFirst();
    }

    /**
     * Where the membership command may run, best first: the active nodes whose last probe was good (taking turns),
     * then the nodes whose last probe was good but which are not announced active yet (e.g. the only new-version
     * server of an out-of-order Matrix upgrade, whose old peers left), then every other node (one that health has not
     * seen good again yet may already answer). Never {@code except}.
     */
    public List<ClusterRegistered.Node> membershipSources(long turn, String except) {
        List<ClusterRegistered.Node> active = new ArrayList<>();
        List<ClusterRegistered.Node> starting = new ArrayList<>();
        List<ClusterRegistered.Node> others = new ArrayList<>();
        for (ClusterRegistered.Node node : registration.nodes()) {
            NodeHealth health = nodes.get(node.name());
            if (health == null || node.name().equals(except)) {
                continue;
            }
            if (health.phase() == Phase.ACTIVE) {
                active.add(node);
            } else if (health.goodStreak() > 0) {
                starting.add(node);
            } else {
                others.add(node);
            }
        }
        List<ClusterRegistered.Node> sources = new ArrayList<>(rotate(active, turn));
        sources.addAll(rotate(starting, turn));
        sources.addAll(rotate(others, turn));
        return sources;
    }

    private static List<ClusterRegistered.Node> rotate(List<ClusterRegistered.Node> nodes, long turn) {
        if (nodes.isEmpty()) {
            return nodes;
        }
        int start = (int) Math.floorMod(turn, nodes.size());
        List<ClusterRegistered.Node> rotated = new ArrayList<>(nodes.subList(start, nodes.size()));
        rotated.addAll(nodes.subList(0, start));
        return rotated;
    }

    /** A node whose product is down and that the cluster no longer lists has left the membership. */
    private ProbeObservation classify(ClusterRegistered.Node node, ProbeObservation observation) {
        List<String> members = reportedMembers;
        if (observation.outcome() == Outcome.SERVICE_DOWN && members != null && !Membership.isListed(node, members)) {
            return observation.withOutcome(Outcome.LEFT_MEMBERSHIP);
        }
        return observation;
    }

    private void publishMembershipIfChanged(HealthSink sink) {
        boolean needsReport = probe.membershipCommand() != null;
        if (needsReport && reportedMembers == null) {
            return;
        }
        // the picture is only worth publishing once every node has been announced one way or the other
        if (nodes.values().stream().anyMatch(n -> n.announced() == Announcement.NONE)) {
            return;
        }
        MembershipObserved now = Membership.observe(registration, nodes, needsReport ? reportedMembers : null, holds);
        if (!now.equals(lastMembership)) {
            sink.publish(now);
            lastMembership = now;
        }
    }

    /** What the REST API shows for this cluster. */
    public ClusterView view() {
        List<ClusterView.NodeView> views = registration.nodes().stream()
                .map(n -> ClusterView.NodeView.of(n, nodes.get(n.name())))
                .toList();
        return new ClusterView(clusterId(), registration.product(), procedureName, null, views, lastMembership);
    }
}
