package dev.baton.planner.rollout;

import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** What health has told the planner about one cluster: each node's last edge and last known running version. */
final class ClusterPicture {
    private final Map<String, Boolean> active = new HashMap<>();
    private final Map<String, String> versions = new HashMap<>();
    private final Map<String, String> inactiveReasons = new HashMap<>();
    private MembershipObserved membership;

    void record(NodeActive event) {
        active.put(event.nodeName(), true);
        inactiveReasons.remove(event.nodeName());
        if (event.runningVersion() != null) {
            versions.put(event.nodeName(), event.runningVersion());
        }
    }

    void record(NodeInactive event) {
        active.put(event.nodeName(), false);
        inactiveReasons.put(event.nodeName(), event.reason());
        if (event.runningVersion() != null) {
            versions.put(event.nodeName(), event.runningVersion());
        }
    }

    void record(MembershipObserved event) {
        membership = event;
        for (MembershipObserved.Member member : event.members()) {
            if (member.runningVersion() != null) {
                versions.put(member.nodeName(), member.runningVersion());
            }
        }
    }

    /** Whether health has seen the node; empty when it has said nothing yet. */
    Optional<Boolean> isActive(String node) {
        return Optional.ofNullable(active.get(node));
    }

    boolean isActiveNow(String node) {
        return Boolean.TRUE.equals(active.get(node));
    }

    /** The version the node last reported running (what runs, not what is installed). */
    Optional<String> version(String node) {
        return Optional.ofNullable(versions.get(node));
    }

    String inactiveReason(String node) {
        return inactiveReasons.getOrDefault(node, "unknown");
    }

    MembershipObserved membership() {
        return membership;
    }
}
