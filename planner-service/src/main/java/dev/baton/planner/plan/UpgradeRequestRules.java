package dev.baton.planner.plan;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.procedure.Versions;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The rules an {@code UpgradeRequested}'s own values must meet, each broken rule named by its field. The engine
 * applies them to every request it decides (a broken one is {@code RolloutRejected} {@code BAD_VERSION} or
 * {@code BAD_REQUEST}); the REST API applies the same ones before it publishes, and answers 400 at once, so the two
 * never disagree on what is valid. Pure functions, checked in this order: target version, budget, canary and
 * stop-after, delay, maintenance window, and (only when the cluster is known) the excluded node names.
 */
public final class UpgradeRequestRules {
    /** One broken rule: the field's path in the request ({@code maintenanceWindow.days[1]}) and what is accepted. */
    public record Violation(String field, String message) {
    }

    /** The day names a maintenance window takes, as the published schema lists them. */
    public static final String DAYS = "MON, TUE, WED, THU, FRI, SAT or SUN";

    private UpgradeRequestRules() {
    }

    /** Whether the target version reads as a version in the procedures' version scheme ({@link Versions}). */
    public static Optional<Violation> targetVersion(String targetVersion) {
        if (Versions.isValid(targetVersion)) {
            return Optional.empty();
        }
        return Optional.of(new Violation("targetVersion", "targetVersion " + quoted(targetVersion)
                + " is not a version: a version is " + Versions.FORMAT));
    }

    /**
     * The first rule other than the target version that the request breaks. {@code cluster} is the registered
     * inventory, or null where it is not known (then the excluded node names are not checked).
     */
    public static Optional<Violation> check(UpgradeRequested request, ClusterRegistered cluster) {
        if (request.maxUnavailable() != null && request.maxUnavailable() < 1) {
            return violation("maxUnavailable", "maxUnavailable must be at least 1: how many nodes may be out of service"
                    + " at once (absent means 1)");
        }
        if (request.maxUnavailablePercent() != null
                && (request.maxUnavailablePercent() < 1 || request.maxUnavailablePercent() > 100)) {
            return violation("maxUnavailablePercent", "maxUnavailablePercent must be between 1 and 100: the share of"
                    + " the planned nodes that may be out of service at once");
        }
        if (request.canary() != null && request.canary() < 0) {
            return violation("canary", "canary must not be negative: the number of nodes to upgrade before pausing"
                    + " (absent or 0 means no canary pause)");
        }
        if (request.stopAfter() != null && request.stopAfter() < 0) {
            return violation("stopAfter", "stopAfter must not be negative: the number of nodes after which to pause"
                    + " (absent or 0 means do every node)");
        }
        if (request.delayBetweenNodes() != null && request.delayBetweenNodes().isNegative()) {
            return violation("delayBetweenNodes", "delayBetweenNodes must not be negative: how long to wait between"
                    + " nodes, like PT30S");
        }
        Optional<Violation> window = maintenanceWindow(request.maintenanceWindow());
        if (window.isPresent() || cluster == null) {
            return window;
        }
        for (int i = 0; i < request.exclude().size(); i++) {
            String excluded = request.exclude().get(i);
            if (cluster.node(excluded) == null) {
                List<String> names = cluster.nodes().stream().map(ClusterRegistered.Node::name).toList();
                String listed = names.stream().limit(10).collect(Collectors.joining(", "))
                        + (names.size() > 10 ? ", ... (" + names.size() + " in all)" : "");
                return violation("exclude[" + i + "]", "exclude names node " + quoted(excluded) + ", which cluster "
                        + cluster.clusterId() + " does not have (its nodes: " + listed + ")");
            }
        }
        return Optional.empty();
    }

    /** Whether a maintenance window can be used: start and end are times, the zone is a zone, each day a day. */
    static Optional<Violation> maintenanceWindow(UpgradeRequested.MaintenanceWindow window) {
        if (window == null) {
            return Optional.empty();
        }
        if (!isTime(window.start())) {
            return violation("maintenanceWindow.start", "maintenanceWindow.start must be a local time like 22:00 (HH:MM),"
                    + " got " + quoted(window.start()));
        }
        if (!isTime(window.end())) {
            return violation("maintenanceWindow.end", "maintenanceWindow.end must be a local time like 04:00 (HH:MM),"
                    + " got " + quoted(window.end()));
        }
        if (window.zone() != null && !isZone(window.zone())) {
            return violation("maintenanceWindow.zone", "maintenanceWindow.zone " + quoted(window.zone())
                    + " is not a time zone: use an IANA zone like UTC or Europe/Berlin (absent means UTC)");
        }
        List<String> days = window.days();
        for (int i = 0; i < days.size(); i++) {
            if (!isDay(days.get(i))) {
                return violation("maintenanceWindow.days[" + i + "]", "maintenanceWindow.days[" + i + "] "
                        + quoted(days.get(i)) + " is not a day: use " + DAYS);
            }
        }
        return Optional.empty();
    }

    private static boolean isTime(String time) {
        try {
            LocalTime.parse(time);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean isZone(String zone) {
        try {
            ZoneId.of(zone);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean isDay(String day) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.getDisplayName(TextStyle.SHORT, Locale.ROOT).equalsIgnoreCase(day)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Violation> violation(String field, String message) {
        return Optional.of(new Violation(field, message));
    }

    private static String quoted(String value) {
        if (value == null) {
            return "(none)";
        }
        return "'" + (value.length() > 60 ? value.substring(0, 60) + "..." : value) + "'";
    }
}
