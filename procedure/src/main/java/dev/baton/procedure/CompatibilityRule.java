package dev.baton.procedure;

import java.util.List;

/**
 * A line of the release notes' compatibility table: a target version (pattern) may be reached
 * by a rolling update from the listed running versions (patterns); otherwise a complete
 * (offline) update is needed (Dolphin: "refer to the release notes of the new version").
 */
public record CompatibilityRule(String target, List<String> rollingFrom) {

    public CompatibilityRule {
        rollingFrom = List.copyOf(rollingFrom);
    }

    public boolean appliesTo(String targetVersion) {
        return Versions.matches(target, targetVersion);
    }

    public boolean allowsRollingFrom(String runningVersion) {
        return rollingFrom.stream().anyMatch(p -> Versions.matches(p, runningVersion));
    }
}
