package dev.baton.procedure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the health service decides that a node is active and on which version: a status command whose output is
 * matched line by line, optionally a separate running-version command, optionally a TCP or HTTP check that must
 * pass as well, and optionally a membership command listing the addresses the cluster itself knows its members by.
 * Also how often and how patiently to probe (each null means "the health service's default").
 *
 * @param command the status command run over SSH; null when the procedure only has a {@link #check()}
 * @param activePattern a line of {@code command}'s output matching it (with exit status 0) means the node is active;
 *        null when there is no {@code command}
 * @param versionPattern group 1 of the first matching line is the running version (what runs, not what is
 *        installed), read from {@code versionCommand}'s output if there is one, else from {@code command}'s
 * @param stableProbes consecutive good probes on the same version before the node counts as active
 * @param timeout how long a node may take to become active after its last step (the planner's health timeout)
 * @param versionCommand a command whose output names the running version; null to read it from {@code command}
 * @param check a TCP connect or HTTP GET that must succeed too; null for none
 * @param stableFor the least time the good probes of the window must span; null for no minimum (only stableProbes)
 * @param interval time between two probes of a node; null for the service default
 * @param jitter the most random time added to each interval, so probes of many nodes spread out; null for the default
 * @param probeTimeout how long one probe (command or check) may take; null for the service default
 * @param sharedResource a resource the nodes share (Matrix: the PSFS filesystem), probed on each node beside the
 *        status; the planner then never takes down the last old-version node holding it while another old-version
 *        node does not hold it (it could not take it again); null for none
 */
public record HealthProbe(
        String command,
        Pattern activePattern,
        Pattern versionPattern,
        String membershipCommand,
        Pattern memberAddressPattern,
        int stableProbes,
        Duration timeout,
        String versionCommand,
        Check check,
        Duration stableFor,
        Duration interval,
        Duration jitter,
        Duration probeTimeout,
        SharedResource sharedResource) {

    /** Every field but the shared resource. */
    public HealthProbe(String command, Pattern activePattern, Pattern versionPattern, String membershipCommand,
                       Pattern memberAddressPattern, int stableProbes, Duration timeout, String versionCommand, Check check,
                       Duration stableFor, Duration interval, Duration jitter, Duration probeTimeout) {
        this(command, activePattern, versionPattern, membershipCommand, memberAddressPattern, stableProbes, timeout,
                versionCommand, check, stableFor, interval, jitter, probeTimeout, null);
    }

    /**
     * A resource the cluster's nodes share, whose rule is the Matrix guide's for PSFS: "After the PSFS filesystem has
     * been unmounted on the last node running the older release, the filesystem cannot be mounted on a node running
     * the older release unless it is first unmounted on the nodes running 3.5.1."
     *
     * @param name what people call it, e.g. {@code PSFS /psfs}
     * @param command run on each node: does it hold the resource now
     * @param heldPattern a line of {@code command}'s output matching it (with exit status 0) means the node holds it
     */
    public record SharedResource(String name, String command, Pattern heldPattern) {
        /** Whether the command's result says the node holds the resource. */
        public boolean holds(int exitCode, String output) {
            return exitCode == 0 && lines(output).stream().anyMatch(line -> heldPattern.matcher(line).find());
        }
    }

    /** The shape of the walking skeleton's probe: a status command, its patterns, an optional membership command. */
    public HealthProbe(String command, Pattern activePattern, Pattern versionPattern, String membershipCommand,
                       Pattern memberAddressPattern, int stableProbes, Duration timeout) {
        this(command, activePattern, versionPattern, membershipCommand, memberAddressPattern, stableProbes, timeout,
                null, null, null, null, null, null);
    }

    /** Whether a status command's result says the node is active (true when there is no status command). */
    public boolean isActive(int exitCode, String output) {
        if (activePattern == null) {
            return true;
        }
        return exitCode == 0 && lines(output).stream().anyMatch(line -> activePattern.matcher(line).find());
    }

    /** The running version in the output of the version command (or of the status command without one), if any. */
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

    /** The command whose output holds the running version. */
    public String versionSource() {
        return versionCommand != null ? versionCommand : command;
    }

    private static List<String> lines(String output) {
        return output == null ? List.of() : output.lines().toList();
    }

    /**
     * A network check of a node, on its SSH host address (the address Baton reaches it by).
     *
     * @param kind TCP connect, or HTTP GET
     * @param port the port to connect to
     * @param path the HTTP path (starts with {@code /}); null for TCP
     * @param expectStatus the HTTP status that means healthy (e.g. 200); 0 for TCP
     */
    public record Check(Kind kind, int port, String path, int expectStatus) {

        /** What kind of check. */
        public enum Kind implements YamlNamed {
            TCP("tcp"),
            HTTP("http");

            private final String yamlName;

            Kind(String yamlName) {
                this.yamlName = yamlName;
            }

            @Override
            public String yamlName() {
                return yamlName;
            }
        }

        /** How the check is shown to people: {@code tcp :5432} or {@code http :8080/health → 200}. */
        public String describe() {
            return kind == Kind.TCP ? "tcp :" + port : "http :" + port + path + " -> " + expectStatus;
        }
    }
}
