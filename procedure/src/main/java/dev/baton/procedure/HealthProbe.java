package dev.baton.procedure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the health service decides that a node is active and on which version: a status command
 * whose output is matched line by line, and optionally a membership command listing the
 * addresses the cluster itself knows its members by.
 *
 * @param activePattern a line matching it (with exit status 0) means the node is active
 * @param versionPattern group 1 of the first matching line is the running version (what runs, not what is installed)
 * @param stableProbes consecutive good probes on the same version before the node counts as active
 * @param timeout how long a node may take to become active after its last step
 */
public record HealthProbe(
        String command,
        Pattern activePattern,
        Pattern versionPattern,
        String membershipCommand,
        Pattern memberAddressPattern,
        int stableProbes,
        Duration timeout) {

    /** Whether a probe's result says the node is active. */
    public boolean isActive(int exitCode, String output) {
        return exitCode == 0 && lines(output).stream().anyMatch(line -> activePattern.matcher(line).find());
    }

    /** The running version reported by a probe, if any. */
    public Optional<String> runningVersion(String output) {
        for (String line : lines(output)) {
            Matcher matcher = versionPattern.matcher(line);
            if (matcher.find()) {
                return Optional.of(matcher.group(1));
            }
        }
        return Optional.empty();
    }

    /** The member addresses reported by the membership command, in the order listed. */
    public List<String> memberAddresses(String output) {
        List<String> addresses = new ArrayList<>();
        if (memberAddressPattern == null) {
            return addresses;
        }
        for (String line : lines(output)) {
            Matcher matcher = memberAddressPattern.matcher(line.strip());
            if (matcher.find()) {
                addresses.add(matcher.group(1));
            }
        }
        return addresses;
    }

    private static List<String> lines(String output) {
        return output == null ? List.of() : output.lines().toList();
    }
}
