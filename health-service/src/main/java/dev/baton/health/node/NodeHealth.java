package dev.baton.health.node;

import java.time.Instant;

/**
 * What the health service knows about one node: the last edge it announced on {@code baton.health.v1}
 * and the streaks that lead to the next one. Immutable; {@link NodeStateMachine} makes the next value.
 *
 * @param announced the last edge published for this node
 * @param activeVersion the running version of the last {@code NodeActive} while {@code announced} is ACTIVE, else null
 * @param since when the last edge was decided (null before any)
 * @param reason the reason of the last edge (wire form, e.g. {@code probe-stable}, {@code service-down})
 * @param bootId the last boot id read from the node
 * @param lastSeenVersion the running version reported by the last good probe, or by a failed one that still said it
 * @param candidateVersion the version the current good streak is on
 * @param goodStreak consecutive good probes on {@code candidateVersion} within one boot
 * @param goodSince when the first probe of the current good streak was taken (null without a streak)
 * @param failureStreak failed probes since the last stable window ({@code stableProbes} good probes in a row
 *        clear it): consecutive failures, and also failures separated only by too few good probes (a flapping node)
 * @param activeBootId the boot id of the last {@code NodeActive}: a later one on another boot follows a reboot
 * @param lastProbeAt when the node was last probed
 * @param lastDetail what the last probe said when it failed
 */
public record NodeHealth(
        String clusterId,
        String nodeName,
        Announcement announced,
        String activeVersion,
        Instant since,
        String reason,
        String bootId,
        String lastSeenVersion,
        String candidateVersion,
        int goodStreak,
        Instant goodSince,
        int failureStreak,
        Instant lastProbeAt,
        String lastDetail,
        String activeBootId) {

    /** A node nothing is known about yet. */
    public static NodeHealth unknown(String clusterId, String nodeName) {
        return new NodeHealth(clusterId, nodeName, Announcement.NONE, null, null, null, null, null, null, 0, null, 0, null, null, null);
    }

    /** Whether the rest of Baton has been told this node is active. */
    public boolean active() {
        return announced == Announcement.ACTIVE;
    }

    /**
     * Active, its last probe good and on the announced version: nothing is in progress that a probe must catch soon
     * (such a node may be probed at the idle interval).
     */
    public boolean settled() {
        return announced == Announcement.ACTIVE && failureStreak == 0 && goodStreak > 0
                && java.util.Objects.equals(activeVersion, candidateVersion);
    }

    /** The version this node runs as far as Baton is concerned: the announced one if active, else the last seen one. */
    public String runningVersion() {
        return active() ? activeVersion : lastSeenVersion;
    }

    /**
     * What the rest of Baton was last told, as a state to continue from (e.g. by an instance taking a cluster over
     * from another one, which must not announce the same transition again). No streaks: the window starts over.
     */
    public static NodeHealth announced(String clusterId, String nodeName, Announcement announced, String version,
                                       Instant since, String reason, String bootId, String activeBootId) {
        return new NodeHealth(clusterId, nodeName, announced, announced == Announcement.ACTIVE ? version : null,
                since, reason, bootId, version, null, 0, null, 0, null, null, activeBootId);
    }

    public Phase phase() {
        if (announced == Announcement.ACTIVE) {
            return failureStreak > 0 ? Phase.SUSPECT : Phase.ACTIVE;
        }
        if (goodStreak > 0) {
            return Phase.STARTING;
        }
        return announced == Announcement.INACTIVE ? Phase.INACTIVE : Phase.UNKNOWN;
    }
}
