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
 * @param lastSeenVersion the running version reported by the last good probe
 * @param candidateVersion the version the current good streak is on
 * @param goodStreak consecutive good probes on {@code candidateVersion} within one boot
 * @param failureStreak consecutive failed probes
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
        int failureStreak,
        Instant lastProbeAt,
        String lastDetail) {

    /** A node nothing is known about yet. */
    public static NodeHealth unknown(String clusterId, String nodeName) {
        return new NodeHealth(clusterId, nodeName, Announcement.NONE, null, null, null, null, null, null, 0, 0, null, null);
    }

    /** Whether the rest of Baton has been told this node is active. */
    public boolean active() {
        return announced == Announcement.ACTIVE;
    }

    /** The version this node runs as far as Baton is concerned: the announced one if active, else the last seen one. */
    public String runningVersion() {
        return active() ? activeVersion : lastSeenVersion;
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
