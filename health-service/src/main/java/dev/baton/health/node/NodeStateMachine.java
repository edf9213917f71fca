package dev.baton.health.node;

import dev.baton.contracts.HealthEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides, probe by probe, when a node becomes active or inactive, and returns only the edges
 * ({@link NodeActive}, {@link NodeInactive}) to publish on {@code baton.health.v1}. Pure: no I/O.
 *
 * <pre>
 * on each observation of a node:
 *  1. a boot id different from the last one read means the node rebooted: the good streak restarts,
 *     and if the node was announced active, NodeInactive(rebooting) is published at once
 *     (this is also how "unreachable, then back" is recognised as a reboot).
 *  2. good probe: the good streak grows if it is on the same running version, else restarts at 1 on the
 *     new version. When it reaches stableProbes and spans at least stableFor (the stability window) the
 *     failure count is cleared and:
 *     a. not announced active → NodeActive(probe-stable), or NodeActive(rebooted) when the node was
 *        active before on another boot ("down, then up again after a reboot" is one story: the inactive
 *        edge, then this one with the new boot id)
 *     b. announced active on another version → NodeActive(version-changed)
 *  3. failed probe: the good streak ends, the failure count grows. The count is only cleared by a full
 *     window of good probes, so failures separated by too few good probes add up (a flapping node).
 *     a. host-key-mismatch: NodeInactive(host-key-mismatch) at once (the host must not be trusted)
 *     b. otherwise, when the count reaches failuresBeforeInactive (2) and the node is not announced
 *        inactive → NodeInactive(reason of this probe). One isolated failed probe never flips a node.
 * A node never announced at all is announced inactive by the same rule, so a restarted health service
 * tells the planner about nodes that went down while it was away. A flapping node is never announced
 * active: it needs stableProbes good probes in a row.
 * </pre>
 */
public final class NodeStateMachine {
    /** Consecutive failed probes before an active node is announced inactive. */
    public static final int DEFAULT_FAILURES_BEFORE_INACTIVE = 2;

    private final Clock clock;
    private final int stableProbes;
    private final int failuresBeforeInactive;
    private final Duration stableFor;

    public NodeStateMachine(Clock clock, int stableProbes, int failuresBeforeInactive) {
        this(clock, stableProbes, failuresBeforeInactive, null);
    }

    /**
     * @param stableFor the least time a window of good probes must span (from its first probe to the last), on top
     *        of {@code stableProbes} probes; null or zero for none
     */
    public NodeStateMachine(Clock clock, int stableProbes, int failuresBeforeInactive, Duration stableFor) {
        if (stableProbes < 1 || failuresBeforeInactive < 1) {
            throw new IllegalArgumentException("stableProbes and failuresBeforeInactive must be at least 1");
        }
        this.clock = Objects.requireNonNull(clock);
        this.stableProbes = stableProbes;
        this.failuresBeforeInactive = failuresBeforeInactive;
        this.stableFor = stableFor == null ? Duration.ZERO : stableFor;
    }

    public int stableProbes() {
        return stableProbes;
    }

    /** The next state of {@code current} after {@code observation}, and the edges to publish. */
    public Transition observe(NodeHealth current, ProbeObservation observation) {
        Instant now = clock.instant();
        Draft next = new Draft(current);
        List<HealthEvent> edges = new ArrayList<>();
        next.lastProbeAt = now;
        next.lastDetail = observation.detail();

        boolean rebooted = observation.bootId() != null && current.bootId() != null
                && !observation.bootId().equals(current.bootId());
        if (observation.bootId() != null) {
            next.bootId = observation.bootId();
        }
        if (rebooted) {
            next.goodStreak = 0;
            next.goodSince = null;
            next.candidateVersion = null;
            if (next.announced == Announcement.ACTIVE) {
                edges.add(announceInactive(next, InactiveReason.REBOOTING, now));
            }
        }

        if (!observation.good() && observation.runningVersion() != null) {
            next.lastSeenVersion = observation.runningVersion(); // inactive, but it said what it runs
        }
        if (observation.good()) {
            next.lastSeenVersion = observation.runningVersion();
            if (next.goodStreak > 0 && Objects.equals(next.candidateVersion, observation.runningVersion())) {
                next.goodStreak++;
            } else {
                next.candidateVersion = observation.runningVersion();
                next.goodStreak = 1;
                next.goodSince = now;
            }
            boolean windowPassed = next.goodStreak >= stableProbes
                    && Duration.between(next.goodSince, now).compareTo(stableFor) >= 0;
            if (windowPassed) {
                next.failureStreak = 0;
                if (next.announced != Announcement.ACTIVE) {
                    boolean afterReboot = next.activeBootId != null && next.bootId != null
                            && !next.activeBootId.equals(next.bootId);
                    edges.add(announceActive(next, afterReboot ? ActiveReason.REBOOTED : ActiveReason.PROBE_STABLE, now));
                } else if (!Objects.equals(next.activeVersion, next.candidateVersion)) {
                    edges.add(announceActive(next, ActiveReason.VERSION_CHANGED, now));
                }
            }
        } else {
            next.goodStreak = 0;
            next.goodSince = null;
            next.candidateVersion = null;
            next.failureStreak++;
            InactiveReason reason = observation.outcome().reason();
            if (reason == InactiveReason.HOST_KEY_MISMATCH) {
                if (next.announced != Announcement.INACTIVE || !reason.wire().equals(next.reason)) {
                    edges.add(announceInactive(next, reason, now));
                }
            } else if (next.failureStreak >= failuresBeforeInactive && next.announced != Announcement.INACTIVE) {
                edges.add(announceInactive(next, reason, now));
            }
        }
        return new Transition(next.build(), edges);
    }

    private static NodeActive announceActive(Draft node, ActiveReason reason, Instant now) {
        node.announced = Announcement.ACTIVE;
        node.activeVersion = node.candidateVersion;
        node.since = now;
        node.reason = reason.wire();
        node.activeBootId = node.bootId;
        return new NodeActive(node.clusterId, node.nodeName, node.activeVersion, node.bootId, now, reason.wire());
    }

    private static NodeInactive announceInactive(Draft node, InactiveReason reason, Instant now) {
        String version = node.announced == Announcement.ACTIVE ? node.activeVersion : node.lastSeenVersion;
        node.announced = Announcement.INACTIVE;
        node.activeVersion = null;
        node.since = now;
        node.reason = reason.wire();
        return new NodeInactive(node.clusterId, node.nodeName, version, node.bootId, now, reason.wire());
    }

    /** The next state while it is being worked out. */
    private static final class Draft {
        final String clusterId;
        final String nodeName;
        Announcement announced;
        String activeVersion;
        Instant since;
        String reason;
        String bootId;
        String lastSeenVersion;
        String candidateVersion;
        int goodStreak;
        Instant goodSince;
        int failureStreak;
        Instant lastProbeAt;
        String lastDetail;
        String activeBootId;

        Draft(NodeHealth from) {
            clusterId = from.clusterId();
            nodeName = from.nodeName();
            announced = from.announced();
            activeVersion = from.activeVersion();
            since = from.since();
            reason = from.reason();
            bootId = from.bootId();
            lastSeenVersion = from.lastSeenVersion();
            candidateVersion = from.candidateVersion();
            goodStreak = from.goodStreak();
            goodSince = from.goodSince();
            failureStreak = from.failureStreak();
            lastProbeAt = from.lastProbeAt();
            lastDetail = from.lastDetail();
            activeBootId = from.activeBootId();
        }

        NodeHealth build() {
            return new NodeHealth(clusterId, nodeName, announced, activeVersion, since, reason, bootId, lastSeenVersion,
                    candidateVersion, goodStreak, goodSince, failureStreak, lastProbeAt, lastDetail, activeBootId);
        }
    }
}
