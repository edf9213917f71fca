package dev.baton.planner.rollout;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.UpgradeRequested;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The guards that decide whether the next node may be taken down. Pure functions of the rollout, the health
 * picture and the time; checked in this order: maintenance window, budget, last old node, shared resource.
 */
final class Guards {
    private Guards() {
    }

    static Optional<GuardBlock> check(Rollout rollout, NodeProgress candidate, ClusterPicture picture, Instant now) {
        Optional<GuardBlock> window = maintenanceWindow(rollout.request.maintenanceWindow(), candidate, now);
        if (window.isPresent()) {
            return window;
        }
        // a candidate that is down already costs no further availability when it is taken down
        Set<String> down = unavailable(rollout, picture);
        down.remove(candidate.name());
        if (down.size() >= rollout.maxUnavailable) {
            return Optional.of(new GuardBlock(GuardBlock.BUDGET, candidate.name(), down.size() + " of at most "
                    + rollout.maxUnavailable + " node(s) unavailable " + down + ": " + candidate.name() + " waits"));
        }
        if (rollout.procedure.guards().lastOldNode() && !rollout.offline) {
            Optional<GuardBlock> lastOld = lastOldNode(rollout, candidate, picture);
            if (lastOld.isPresent()) {
                return lastOld;
            }
        }
        if (rollout.procedure.health().sharedResource() != null && !rollout.offline) {
            return sharedResource(rollout, candidate, picture);
        }
        return Optional.empty();
    }

    /**
     * The procedure's shared resource (Matrix: PSFS), by the guide's rule: once the last old-version node that holds it
     * lets go of it, no old-version node can take it until every new-version node has let go too. So the last
     * old-version node holding it is not taken down (its stop lets go of it) while a new-version node holds it and
     * another old-version node does not: that node could not take it again until it is upgraded. What each node holds
     * is what health last probed (the membership snapshot); a node it could not ask does not count as holding it.
     */
    static Optional<GuardBlock> sharedResource(Rollout rollout, NodeProgress candidate, ClusterPicture picture) {
        MembershipObserved membership = picture.membership();
        String target = rollout.target();
        if (membership == null || target.equals(picture.version(candidate.name()).orElse(null))) {
            return Optional.empty();
        }
        Map<String, Boolean> holds = new HashMap<>();
        membership.members().forEach(m -> {
            if (m.nodeName() != null) {
                holds.put(m.nodeName(), Boolean.TRUE.equals(m.holdsSharedResource()));
            }
        });
        if (!holds.getOrDefault(candidate.name(), false)) {
            return Optional.empty(); // it does not hold it: taking it down changes nothing for the others
        }
        List<String> oldHolders = new ArrayList<>();
        List<String> newHolders = new ArrayList<>();
        List<String> oldWithout = new ArrayList<>();
        for (ClusterRegistered.Node node : rollout.cluster.nodes()) {
            boolean onTarget = target.equals(picture.version(node.name()).orElse(null));
            boolean held = holds.getOrDefault(node.name(), false);
            if (onTarget) {
                if (held) {
                    newHolders.add(node.name());
                }
            } else if (held) {
                oldHolders.add(node.name());
            } else {
                oldWithout.add(node.name());
            }
        }
        if (!oldHolders.equals(List.of(candidate.name())) || newHolders.isEmpty() || oldWithout.isEmpty()) {
            return Optional.empty();
        }
        String resource = rollout.procedure.health().sharedResource().name();
        return Optional.of(new GuardBlock(GuardBlock.SHARED_RESOURCE, candidate.name(), candidate.name() + " is the last"
                + " node on the old version that holds " + resource + " while " + newHolders + " (" + target + ") hold it"
                + " and " + oldWithout + " (old version) do not: taking " + candidate.name() + " down would leave them"
                + " unable to take " + resource + " again until they are upgraded. Let " + oldWithout + " take it first"
                + " (Matrix: psfs mount), or skip them"));
    }

    /**
     * The nodes that count against the budget: those Baton took out of service (until health sees them active
     * again or an operator releases them; no timer frees them), and any other node of the cluster that health
     * reports inactive, since taking one more down would make the cluster lose two; not the nodes the request
     * excludes or an operator skipped or released (the operator answers for them).
     */
    static Set<String> unavailable(Rollout rollout, ClusterPicture picture) {
        Set<String> down = new TreeSet<>();
        for (NodeProgress node : rollout.nodes) {
            if (node.state() == NodeState.FAILED) {
                if (node.phase() != NodePhase.RELEASED && !picture.isActiveNow(node.name())) {
                    down.add(node.name());
                }
            } else if (node.state().isOutOfService()) {
                down.add(node.name());
            } else if (node.state() != NodeState.DEFERRED && !rollout.request.exclude().contains(node.name())
                    && node.phase() != NodePhase.SKIPPED_BY_OPERATOR // left out by an operator, as an excluded node
                    && picture.isActive(node.name()).map(active -> !active).orElse(false)) {
                down.add(node.name());
            }
        }
        return down;
    }

    /**
     * Matrix: old-version servers can rejoin only while one old server is active. Never take down the last active
     * old-version node while another old-version node is inactive (a node in the middle of its upgrade still counts
     * as old until health sees it on the target).
     */
    static Optional<GuardBlock> lastOldNode(Rollout rollout, NodeProgress candidate, ClusterPicture picture) {
        String target = rollout.target();
        if (target.equals(picture.version(candidate.name()).orElse(null))) {
            return Optional.empty();
        }
        List<String> activeOld = new ArrayList<>();
        List<String> inactiveOld = new ArrayList<>();
        for (NodeProgress node : rollout.nodes) {
            if (target.equals(picture.version(node.name()).orElse(null))) {
                continue;
            }
            boolean active = picture.isActiveNow(node.name()) && !node.state().isOutOfService()
                    && node.state() != NodeState.DEFERRED;
            (active ? activeOld : inactiveOld).add(node.name());
        }
        if (activeOld.equals(List.of(candidate.name())) && !inactiveOld.isEmpty()) {
            return Optional.of(new GuardBlock(GuardBlock.LAST_OLD_NODE, candidate.name(), candidate.name()
                    + " is the last active node on the old version while " + inactiveOld + " (old version) is inactive:"
                    + " taking it down would keep them from rejoining"));
        }
        return Optional.empty();
    }

    static Optional<GuardBlock> maintenanceWindow(UpgradeRequested.MaintenanceWindow window, NodeProgress candidate,
                                                  Instant now) {
        if (window == null || isOpen(window, now)) {
            return Optional.empty();
        }
        return Optional.of(new GuardBlock(GuardBlock.MAINTENANCE_WINDOW, candidate.name(), "outside the maintenance window "
                + describe(window) + ": " + candidate.name() + " waits for it to open"));
    }

    static boolean isOpen(UpgradeRequested.MaintenanceWindow window, Instant now) {
        ZoneId zone = window.zone() == null ? ZoneId.of("UTC") : ZoneId.of(window.zone());
        ZonedDateTime local = now.atZone(zone);
        LocalTime start = LocalTime.parse(window.start());
        LocalTime end = LocalTime.parse(window.end());
        LocalTime time = local.toLocalTime();
        DayOfWeek opened;
        if (!start.isAfter(end)) {
            if (time.isBefore(start) || !time.isBefore(end)) {
                return false;
            }
            opened = local.getDayOfWeek();
        } else if (!time.isBefore(start)) {
            opened = local.getDayOfWeek();
        } else if (time.isBefore(end)) {
            opened = local.getDayOfWeek().minus(1); // the window opened the evening before
        } else {
            return false;
        }
        return window.days().isEmpty() || window.days().stream()
                .anyMatch(day -> day.equalsIgnoreCase(opened.getDisplayName(TextStyle.SHORT, Locale.ROOT)));
    }

    static String describe(UpgradeRequested.MaintenanceWindow window) {
        return (window.days().isEmpty() ? "daily" : String.join(",", window.days())) + " " + window.start() + "-"
                + window.end() + " " + (window.zone() == null ? "UTC" : window.zone());
    }
}
