package dev.baton.planner.rollout;

import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeInactive;
import dev.baton.planner.plan.NodeHealth;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What health has told the planner about one cluster: each node's last edge and last known running version. Each
 * {@code record} says whether it changed the picture.
 */
final class ClusterPicture implements NodeHealth {
    private final Map<String, Boolean> active = new HashMap<>();
    private final Map<String, String> versions = new HashMap<>();
    private final Map<String, String> inactiveReasons = new HashMap<>();
    private MembershipObserved membership;

    boolean record(NodeActive event) {
        boolean changed = !Boolean.TRUE.equals(active.put(event.nodeName(), true));
        changed |= inactiveReasons.remove(event.nodeName()) != null;
        return recordVersion(event.nodeName(), event.runningVersion()) || changed;
    }

    boolean record(NodeInactive event) {
        boolean changed = !Boolean.FALSE.equals(active.put(event.nodeName(), false));
        changed |= !java.util.Objects.equals(event.reason(), inactiveReasons.put(event.nodeName(), event.reason()));
        return recordVersion(event.nodeName(), event.runningVersion()) || changed;
    }

    boolean record(MembershipObserved event) {
        boolean changed = !event.equals(membership);
        membership = event;
        for (MembershipObserved.Member member : event.members()) {
            changed |= recordVersion(member.nodeName(), member.runningVersion());
        }
        return changed;
    }

    private boolean recordVersion(String node, String version) {
        return version != null && !version.equals(versions.put(node, version));
    }

    @Override
    public Optional<Boolean> isActive(String node) {
        return Optional.ofNullable(active.get(node));
    }

    @Override
    public boolean isActiveNow(String node) {
        return Boolean.TRUE.equals(active.get(node));
    }

    @Override
    public Optional<String> version(String node) {
        return Optional.ofNullable(versions.get(node));
    }

    @Override
    public String inactiveReason(String node) {
        return inactiveReasons.getOrDefault(node, "unknown");
    }

    @Override
    public MembershipObserved membership() {
        return membership;
    }
}
